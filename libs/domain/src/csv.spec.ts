import fc from 'fast-check';
import { csvCell, csvLine } from './csv';

/** A small RFC 4180 reader: what a spreadsheet reads a line back as. */
function parseLine(line: string): string[] {
  const cells: string[] = [];
  let i = 0;
  const text = line.replace(/\r\n$/, '');
  while (i <= text.length) {
    if (text[i] === '"') {
      let cell = '';
      i += 1;
      while (i < text.length) {
        if (text[i] === '"' && text[i + 1] === '"') {
          cell += '"';
          i += 2;
        } else if (text[i] === '"') {
          i += 1;
          break;
        } else cell += text[i++];
      }
      cells.push(cell);
      i += 1; // the comma
    } else {
      const end = text.indexOf(',', i);
      cells.push(text.slice(i, end === -1 ? text.length : end));
      i = end === -1 ? text.length + 1 : end + 1;
    }
  }
  return cells;
}

describe('csv', () => {
  it('neutralises what a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('+84 912')).toBe("'+84 912");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=1')).toBe("'\t=1");
    expect(csvCell('Nguyễn Văn An')).toBe('Nguyễn Văn An');
    expect(csvCell(null)).toBe('');
  });

  it('reads back as the same cells, none of them starting a formula (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 6 }), (cells) => {
        const read = parseLine(csvLine(cells));
        expect(read).toHaveLength(cells.length);
        read.forEach((cell, i) => {
          expect(/^[=+\-@\t\r]/.test(cell)).toBe(false);
          expect(cell).toBe(/^[=+\-@\t\r]/.test(cells[i]) ? `'${cells[i]}` : cells[i]);
        });
      }),
    );
  });
});
