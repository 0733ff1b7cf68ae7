import fc from 'fast-check';
import { fieldWithControlCharacter } from './undecodable.guard';

describe('fieldWithControlCharacter', () => {
  it('names the first field holding a control character, by its proto name and index', () => {
    expect(fieldWithControlCharacter({ birth: { childFullName: 'An\u0000' } })).toBe('birth.child_full_name');
    expect(fieldWithControlCharacter({ citizenIds: ['001085012345', '0010\u001b'] })).toBe('citizen_ids[1]');
    expect(fieldWithControlCharacter({ note: 'line one\nline two\ttabbed\r\n' })).toBeUndefined();
    expect(fieldWithControlCharacter({ note: 'C1 \u0085 next line' })).toBe('note');
  });

  it('passes any printable text, in any language', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        // eslint-disable-next-line no-control-regex -- the characters the guard refuses
        const printable = text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/gu, '');
        expect(fieldWithControlCharacter({ a: [{ b: printable }] })).toBeUndefined();
      }),
    );
  });

  it('finds a control character wherever it is put', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.integer({ min: 0, max: 31 }).filter((c) => ![9, 10, 13].includes(c)),
        (text, code) => {
          const at = Math.floor(text.length / 2);
          const bad = text.slice(0, at) + String.fromCharCode(code) + text.slice(at);
          expect(fieldWithControlCharacter({ outer: { innerField: bad } })).toBe('outer.inner_field');
        },
      ),
    );
  });
});
