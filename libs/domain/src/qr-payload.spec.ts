import fc from 'fast-check';
import { anyText, citizenArb, isoDateArb } from '../test/arbitraries';
import { addDays } from './dates';
import { makeLegacyId } from './legacy-id';
import { CccdQr, formatCccdQr, parseCccdQr, parseGenderWord, QR_MAX_LENGTH } from './qr-payload';

const SAMPLE =
  '001085012345|012345678|Nguyễn Văn An|15031985|Nam|Số 12 ngõ 34 Phố Huế, Hai Bà Trưng, Hà Nội|20042021';

function codeOf(text: string, today?: string): string {
  const result = parseCccdQr(text, { today });
  return result.ok ? 'ok' : result.error.code;
}

describe('parseCccdQr', () => {
  it('reads every field of a real-shaped payload', () => {
    expect(parseCccdQr(SAMPLE)).toEqual({
      ok: true,
      value: {
        citizenId: '001085012345',
        legacyId: '012345678',
        fullName: 'Nguyễn Văn An',
        dateOfBirth: '1985-03-15',
        gender: 'MALE',
        address: 'Số 12 ngõ 34 Phố Huế, Hai Bà Trưng, Hà Nội',
        issueDate: '2021-04-20',
      },
    });
  });

  it('accepts an empty CMND field and leaves legacyId out', () => {
    const result = parseCccdQr(
      '079303000123||Trần Thị Bích Ngọc|01012003|Nữ|Quận 1, TP. Hồ Chí Minh|10052022',
    );
    expect(result.ok && result.value).toMatchObject({ fullName: 'Trần Thị Bích Ngọc', gender: 'FEMALE' });
    expect(result.ok && 'legacyId' in result.value).toBe(false);
  });

  it('ignores the line ending and byte-order mark some scanners add', () => {
    expect(codeOf(`\uFEFF${SAMPLE}\r\n`)).toBe('ok');
  });

  it.each(['Nữ', 'nữ', 'NỮ', 'Nữ'.normalize('NFD'), 'Nu', 'nu', ' Nữ '])('reads %j as female', (word) => {
    expect(parseGenderWord(word)).toBe('FEMALE');
  });

  it.each(['Nam', 'nam', 'NAM'])('reads %j as male', (word) => {
    expect(parseGenderWord(word)).toBe('MALE');
  });

  it.each(['', 'Male', 'F', 'Nũ', 'constructor', 'toString'])('does not read %j as a gender', (word) => {
    expect(parseGenderWord(word)).toBeUndefined();
  });

  it.each([
    ['', 'EMPTY'],
    ['001085012345|012345678|Nguyễn Văn An|15031985|Nam|Hà Nội', 'FIELD_COUNT'],
    [`${SAMPLE}|extra`, 'FIELD_COUNT'],
    ['00108501234|012345678|Nguyễn Văn An|15031985|Nam|Hà Nội|20042021', 'INVALID_CITIZEN_ID'],
    ['003085012345|012345678|Nguyễn Văn An|15031985|Nam|Hà Nội|20042021', 'INVALID_CITIZEN_ID'],
    ['001085012345|12345|Nguyễn Văn An|15031985|Nam|Hà Nội|20042021', 'INVALID_LEGACY_ID'],
    ['001085012345||   |15031985|Nam|Hà Nội|20042021', 'INVALID_NAME'],
    ['001085012345||Nguyễn Văn 4n|15031985|Nam|Hà Nội|20042021', 'INVALID_NAME'],
    ['001085012345||Nguyễn Văn An|31021985|Nam|Hà Nội|20042021', 'INVALID_BIRTH_DATE'],
    ['001085012345||Nguyễn Văn An|1985-03-15|Nam|Hà Nội|20042021', 'INVALID_BIRTH_DATE'],
    ['001085012345||Nguyễn Văn An|15031985|M|Hà Nội|20042021', 'INVALID_GENDER'],
    ['001085012345||Nguyễn Văn An|15031985|Nam|Hà Nội|2004202', 'INVALID_ISSUE_DATE'],
  ])('refuses %j with %s', (text, code) => {
    expect(codeOf(text)).toBe(code);
  });

  it('names the field at fault', () => {
    const result = parseCccdQr('001085012345||Nguyễn Văn An|15031985|X|Hà Nội|20042021');
    expect(!result.ok && result.error.field).toBe('gender');
  });

  it('calls a payload INCONSISTENT when the ID says male but the card says Nữ', () => {
    const result = parseCccdQr('001085012345||Nguyễn Văn An|15031985|Nữ|Hà Nội|20042021');
    expect(result).toMatchObject({ ok: false, error: { code: 'INCONSISTENT', field: 'gender' } });
  });

  it('calls a payload INCONSISTENT when the ID encodes another birth year or century', () => {
    expect(codeOf('001085012345||Nguyễn Văn An|15031986|Nam|Hà Nội|20042021')).toBe('INCONSISTENT');
    expect(codeOf('001285012345||Nguyễn Văn An|15031985|Nam|Hà Nội|20042021')).toBe('INCONSISTENT');
  });

  it('calls a payload INCONSISTENT when the card was issued before its holder was born', () => {
    const result = parseCccdQr('001224012345||Phạm Minh Khang|15032024|Nam|Đà Nẵng|20042021');
    expect(result).toMatchObject({ ok: false, error: { code: 'INCONSISTENT', field: 'issueDate' } });
  });

  it('refuses dates in the future when told what today is', () => {
    expect(codeOf(SAMPLE, '2021-04-19')).toBe('INVALID_ISSUE_DATE');
    expect(codeOf('001225012345||Đặng Gia Bảo|15032025|Nam|Hà Nội|20042025', '2024-12-31')).toBe(
      'INVALID_CITIZEN_ID',
    );
    expect(codeOf(SAMPLE, '2021-04-20')).toBe('ok');
  });

  it('refuses a payload longer than the guard before looking inside', () => {
    expect(codeOf(`${SAMPLE}${' '.repeat(QR_MAX_LENGTH)}`)).toBe('TOO_LONG');
  });

  it('turns any string into a result without throwing', () => {
    const fieldish = fc.array(
      fc.oneof(anyText, fc.constantFrom('001085012345', 'Nam', 'Nữ', '15031985', '')),
      {
        minLength: 0,
        maxLength: 9,
      },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          anyText,
          fieldish.map((fs) => fs.join('|')),
        ),
        (s) => typeof parseCccdQr(s, { today: '2025-01-01' }).ok === 'boolean',
      ),
    );
  });

  it('round-trips format then parse for any consistent card', () => {
    const qrArb = fc
      .record({
        citizen: citizenArb,
        legacy: fc.option(fc.integer({ min: 0, max: 999_999_999 }), { nil: undefined }),
        address: fc.constantFrom(
          '',
          'Hà Nội',
          'Thôn 3, xã Ea Kao, TP. Buôn Ma Thuột, Đắk Lắk',
          'Số 1 Lê Duẩn, Quận 1',
        ),
        issueAfterDays: fc.integer({ min: 0, max: 40_000 }),
      })
      .map(({ citizen, legacy, address, issueAfterDays }): CccdQr => {
        const qr: CccdQr = {
          citizenId: citizen.citizenId,
          fullName: citizen.fullName,
          dateOfBirth: citizen.dateOfBirth,
          gender: citizen.gender,
          address,
          issueDate: addDays(citizen.dateOfBirth, issueAfterDays),
        };
        if (legacy !== undefined) qr.legacyId = makeLegacyId(legacy);
        return qr;
      });
    fc.assert(
      fc.property(qrArb, (qr) => {
        const parsed = parseCccdQr(formatCccdQr(qr));
        return parsed.ok && JSON.stringify(parsed.value) === JSON.stringify(qr);
      }),
    );
  });

  it('parses then formats a canonical payload back to the same text', () => {
    const parsed = parseCccdQr(SAMPLE);
    expect(parsed.ok && formatCccdQr(parsed.value)).toBe(SAMPLE);
  });

  it('refuses to format a field containing the separator', () => {
    const parsed = parseCccdQr(SAMPLE);
    if (!parsed.ok) throw new Error('sample must parse');
    expect(() => formatCccdQr({ ...parsed.value, address: 'a|b' })).toThrow(RangeError);
  });

  it('accepts birth dates in any year the ID can encode', () => {
    fc.assert(
      fc.property(citizenArb, isoDateArb(2025, 2030), (c, issue) => {
        const text = `${c.citizenId}||${c.fullName}|${c.dateOfBirth.split('-').reverse().join('')}|${c.gender === 'MALE' ? 'Nam' : 'Nữ'}|x|${issue.split('-').reverse().join('')}`;
        return parseCccdQr(text).ok;
      }),
    );
  });
});
