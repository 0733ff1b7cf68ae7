import fc from 'fast-check';
import { anyText, genderArb, provinceCodeArb } from '../test/arbitraries';
import { checkCitizenIdConsistency, makeCitizenId, parseCitizenId } from './citizen-id';
import { PROVINCES } from './provinces';

describe('parseCitizenId', () => {
  it('reads province, gender and birth year of a man born in 1985 in Hà Nội', () => {
    expect(parseCitizenId('001085012345')).toEqual({
      ok: true,
      value: {
        value: '001085012345',
        provinceCode: '001',
        gender: 'MALE',
        birthYear: 1985,
        serial: '012345',
      },
    });
  });

  it('reads a woman born in 2003 in Hồ Chí Minh City from century digit 3', () => {
    const result = parseCitizenId('079303000123');
    expect(result.ok && result.value).toMatchObject({
      provinceCode: '079',
      gender: 'FEMALE',
      birthYear: 2003,
    });
  });

  it.each([
    ['0', 1900, 'MALE'],
    ['1', 1900, 'FEMALE'],
    ['2', 2000, 'MALE'],
    ['3', 2000, 'FEMALE'],
    ['4', 2100, 'MALE'],
    ['5', 2100, 'FEMALE'],
    ['6', 2200, 'MALE'],
    ['7', 2200, 'FEMALE'],
    ['8', 1800, 'MALE'],
    ['9', 1800, 'FEMALE'],
  ])('maps century digit %s to the century starting %i, %s', (digit, century, gender) => {
    const result = parseCitizenId(`096${digit}45000001`);
    expect(result.ok && result.value).toMatchObject({ birthYear: century + 45, gender });
  });

  it('trims surrounding whitespace but refuses spaces inside', () => {
    expect(parseCitizenId('  001085012345\n').ok).toBe(true);
    const inner = parseCitizenId('0010 8501 2345');
    expect(inner).toMatchObject({ ok: false, error: { code: 'NOT_DIGITS' } });
    if (!inner.ok) expect(inner.error.message).toContain('position 5');
  });

  it('says how many digits it got when the length is wrong', () => {
    expect(parseCitizenId('00108501234')).toEqual({
      ok: false,
      error: { code: 'WRONG_LENGTH', message: 'citizen ID must be 12 digits, got 11' },
    });
  });

  it.each([
    ['', 'EMPTY'],
    ['   ', 'EMPTY'],
    ['00108501234A', 'NOT_DIGITS'],
    ['００１０８５０１２３４５', 'NOT_DIGITS'],
    ['-01085012345', 'NOT_DIGITS'],
    ['0010850123456', 'WRONG_LENGTH'],
    ['003085012345', 'UNKNOWN_PROVINCE'],
    ['000085012345', 'UNKNOWN_PROVINCE'],
    ['097085012345', 'UNKNOWN_PROVINCE'],
  ])('refuses %j with %s', (input, code) => {
    const result = parseCitizenId(input);
    expect(result.ok ? 'ok' : result.error.code).toBe(code);
  });

  it('refuses a birth year after the year of "today" when told what today is', () => {
    const result = parseCitizenId('001230012345', { today: '2025-06-01' });
    expect(result).toMatchObject({ ok: false, error: { code: 'IMPOSSIBLE_BIRTH_YEAR' } });
    expect(parseCitizenId('001225012345', { today: '2025-06-01' }).ok).toBe(true);
    expect(parseCitizenId('001230012345').ok).toBe(true);
  });

  it('keeps error messages short even for huge input', () => {
    const result = parseCitizenId('x'.repeat(100_000));
    expect(!result.ok && result.error.message.length).toBeLessThan(200);
  });

  it('turns any string into a result without throwing', () => {
    fc.assert(
      fc.property(anyText, (s) => typeof parseCitizenId(s, { today: '2025-01-01' }).ok === 'boolean'),
    );
  });

  it('accepts exactly the 63 province codes as prefixes', () => {
    const accepted = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0')).filter(
      (code) => parseCitizenId(`${code}085012345`).ok,
    );
    expect(accepted).toEqual(PROVINCES.map((p) => p.code));
  });
});

describe('makeCitizenId', () => {
  it('round-trips every province, gender, encodable year and serial through parseCitizenId', () => {
    fc.assert(
      fc.property(
        provinceCodeArb,
        genderArb,
        fc.integer({ min: 1800, max: 2299 }),
        fc.integer({ min: 0, max: 999_999 }),
        (provinceCode, gender, birthYear, serial) => {
          const id = makeCitizenId({ provinceCode, gender, birthYear, serial });
          const parsed = parseCitizenId(id);
          return (
            parsed.ok &&
            parsed.value.value === id &&
            parsed.value.provinceCode === provinceCode &&
            parsed.value.gender === gender &&
            parsed.value.birthYear === birthYear &&
            Number(parsed.value.serial) === serial
          );
        },
      ),
    );
  });

  it.each([
    [{ provinceCode: '003', gender: 'MALE' as const, birthYear: 1990, serial: 1 }],
    [{ provinceCode: '001', gender: 'MALE' as const, birthYear: 1799, serial: 1 }],
    [{ provinceCode: '001', gender: 'MALE' as const, birthYear: 2300, serial: 1 }],
    [{ provinceCode: '001', gender: 'FEMALE' as const, birthYear: 1990, serial: 1_000_000 }],
    [{ provinceCode: '001', gender: 'FEMALE' as const, birthYear: 1990, serial: -1 }],
    [{ provinceCode: '001', gender: 'FEMALE' as const, birthYear: 1990.5, serial: 1 }],
  ])('throws RangeError for impossible input %j', (input) => {
    expect(() => makeCitizenId(input)).toThrow(RangeError);
  });
});

describe('checkCitizenIdConsistency', () => {
  const info = {
    value: '001185012345',
    provinceCode: '001',
    gender: 'FEMALE' as const,
    birthYear: 1985,
    serial: '012345',
  };

  it('accepts a stated date of birth and gender that agree with the ID', () => {
    expect(checkCitizenIdConsistency(info, { dateOfBirth: '1985-03-08', gender: 'FEMALE' })).toEqual({
      ok: true,
      value: true,
    });
  });

  it('accepts a year-only date of birth from old records that agrees with the ID', () => {
    expect(checkCitizenIdConsistency(info, { dateOfBirth: { year: 1985 } }).ok).toBe(true);
  });

  it('accepts when nothing is stated', () => {
    expect(checkCitizenIdConsistency(info, {}).ok).toBe(true);
  });

  it('reports a birth year that disagrees with the ID, naming both years', () => {
    const result = checkCitizenIdConsistency(info, { dateOfBirth: '1986-03-08' });
    expect(result).toMatchObject({ ok: false, error: { code: 'BIRTH_YEAR_MISMATCH' } });
    if (!result.ok) expect(result.error.message).toMatch(/1985.*1986/);
  });

  it('reports a gender that disagrees with the ID', () => {
    expect(checkCitizenIdConsistency(info, { gender: 'MALE' })).toMatchObject({
      ok: false,
      error: { code: 'GENDER_MISMATCH' },
    });
  });
});
