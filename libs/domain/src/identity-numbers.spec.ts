import fc from 'fast-check';
import { anyText } from '../test/arbitraries';
import { makeLegacyId, parseLegacyId } from './legacy-id';
import { makeSocialInsuranceCode, parseSocialInsuranceCode } from './social-insurance-code';

describe('parseLegacyId (CMND)', () => {
  it('accepts 9 digits, trimming surrounding whitespace', () => {
    expect(parseLegacyId(' 012345678 ')).toEqual({ ok: true, value: '012345678' });
  });

  it.each([
    ['', 'EMPTY'],
    ['01234567', 'WRONG_LENGTH'],
    ['001085012345', 'WRONG_LENGTH'],
    ['01234567X', 'NOT_DIGITS'],
    ['012 345 678', 'NOT_DIGITS'],
  ])('refuses %j with %s', (input, code) => {
    const result = parseLegacyId(input);
    expect(result.ok ? 'ok' : result.error.code).toBe(code);
  });

  it('says how many digits it got', () => {
    const result = parseLegacyId('12345');
    expect(!result.ok && result.error.message).toBe(
      'legacy identity card number (CMND) must be 9 digits, got 5',
    );
  });

  it('turns any string into a result without throwing', () => {
    fc.assert(fc.property(anyText, (s) => typeof parseLegacyId(s).ok === 'boolean'));
  });

  it('round-trips makeLegacyId through parseLegacyId', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999 }), (n) => {
        const parsed = parseLegacyId(makeLegacyId(n));
        return parsed.ok && Number(parsed.value) === n;
      }),
    );
  });

  it('refuses to make a legacy ID from a serial that does not fit', () => {
    expect(() => makeLegacyId(1_000_000_000)).toThrow(RangeError);
  });
});

describe('social insurance code (mã số BHXH)', () => {
  it('accepts exactly 10 digits', () => {
    expect(parseSocialInsuranceCode('7912345678')).toEqual({ ok: true, value: '7912345678' });
  });

  it.each([
    ['', 'EMPTY'],
    ['791234567', 'WRONG_LENGTH'],
    ['79123456789', 'WRONG_LENGTH'],
    ['79-1234567', 'NOT_DIGITS'],
    ['GD4797912345678', 'NOT_DIGITS'],
  ])('refuses %j with %s', (input, code) => {
    const result = parseSocialInsuranceCode(input);
    expect(result.ok ? 'ok' : result.error.code).toBe(code);
  });

  it('builds a code from the 2-digit province prefix and an 8-digit serial', () => {
    expect(makeSocialInsuranceCode('01', 42)).toBe('0100000042');
  });

  it('round-trips makeSocialInsuranceCode through parseSocialInsuranceCode', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{2}$/), fc.integer({ min: 0, max: 99_999_999 }), (prefix, serial) => {
        const parsed = parseSocialInsuranceCode(makeSocialInsuranceCode(prefix, serial));
        return parsed.ok && parsed.value.startsWith(prefix) && Number(parsed.value.slice(2)) === serial;
      }),
    );
  });

  it.each([
    ['1', 5],
    ['001', 5],
    ['79', 100_000_000],
    ['79', -1],
  ])('refuses to make a code from prefix %j and serial %d', (prefix, serial) => {
    expect(() => makeSocialInsuranceCode(prefix, serial)).toThrow(RangeError);
  });

  it('turns any string into a result without throwing', () => {
    fc.assert(fc.property(anyText, (s) => typeof parseSocialInsuranceCode(s).ok === 'boolean'));
  });
});
