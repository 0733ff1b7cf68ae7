import { CITIZENS, TRUTH } from './copy-format';
import type { CitizenRow } from './rows';

const citizen: CitizenRow = {
  citizenId: '001085167670',
  legacyId: null,
  fullName: 'Nguyễn Văn An',
  dateOfBirth: '1985-03-12',
  gender: 'M',
  birthProvinceCode: '001',
  residenceAddress: 'Số 1\tđường\\Lê Lợi\n',
  residenceProvinceCode: null,
  residenceStatus: 'NONE',
  vitalStatus: 'ALIVE',
  dateOfDeath: null,
  updatedAt: '2025-01-01T00:00:00+07:00',
};

describe('COPY text format', () => {
  it('writes one tab-separated line per row, NULL as \\N, with tabs, newlines and backslashes escaped', () => {
    const line = CITIZENS.line(citizen);
    expect(line.endsWith('\n')).toBe(true);
    const fields = line.slice(0, -1).split('\t');
    expect(fields).toHaveLength(CITIZENS.columns.length);
    expect(fields[1]).toBe('\\N');
    expect(fields[6]).toBe('Số 1\\tđường\\\\Lê Lợi\\n');
  });

  it('writes truth fields as a text[] literal and detail as escaped JSON', () => {
    const line = TRUTH.line({
      socialInsuranceCode: '0100000001',
      outcome: 'FIELD_MISMATCH',
      citizenId: null,
      fields: ['full_name', 'gender'],
      detail: { recorded: 'a "quoted"\\name' },
    });
    expect(line).toBe(
      '0100000001\tFIELD_MISMATCH\t\\N\t{full_name,gender}\t{"recorded":"a \\\\"quoted\\\\"\\\\\\\\name"}\n',
    );
  });
});
