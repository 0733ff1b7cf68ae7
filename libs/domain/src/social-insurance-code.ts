import { DigitStringError, padSerial, parseDigitString } from './digits';
import { Result } from './result';

/** The 10-digit social insurance code (mã số BHXH): a person's lifelong insurance number. */
export type SocialInsuranceCode = string;

export type SocialInsuranceCodeError = DigitStringError;

export const SOCIAL_INSURANCE_CODE_LENGTH = 10;
const PROVINCE_PREFIX = /^[0-9]{2}$/;
const SERIAL_DIGITS = SOCIAL_INSURANCE_CODE_LENGTH - 2;

/**
 * Parses a social insurance code: exactly 10 digits after trimming surrounding whitespace.
 * The prefix is the province that first issued the code, but codes move with people and old
 * prefixes outlive province reorganisations, so the prefix is not checked against a list.
 */
export function parseSocialInsuranceCode(
  input: string,
): Result<SocialInsuranceCode, SocialInsuranceCodeError> {
  return parseDigitString(input, 'social insurance code', SOCIAL_INSURANCE_CODE_LENGTH);
}

/** Builds a code from a 2-digit province prefix and an 8-digit serial; throws RangeError if either does not fit. */
export function makeSocialInsuranceCode(provinceCode2: string, serial: number): SocialInsuranceCode {
  if (!PROVINCE_PREFIX.test(provinceCode2)) {
    throw new RangeError(`province prefix ${JSON.stringify(provinceCode2)} must be 2 digits`);
  }
  return `${provinceCode2}${padSerial(serial, SERIAL_DIGITS, 'social insurance serial')}`;
}
