import { err, ok, previewInput, Result } from './result';

/** Why a fixed-length number printed on a card or form did not parse. */
export type DigitStringErrorCode = 'EMPTY' | 'WRONG_LENGTH' | 'NOT_DIGITS';

export type DigitStringError = { code: DigitStringErrorCode; message: string };

const ASCII_DIGITS = /^[0-9]+$/;
const NOT_ASCII_DIGIT = /[^0-9]/u;

/**
 * Shared rule for the identity numbers of this domain: trim surrounding whitespace, then
 * demand exactly `length` ASCII digits. Inner spaces, dashes and full-width digits are refused
 * rather than cleaned up, so a mistyped number is never quietly turned into another valid one.
 */
export function parseDigitString(
  input: string,
  what: string,
  length: number,
): Result<string, DigitStringError> {
  const value = input.trim();
  if (value === '') return err({ code: 'EMPTY', message: `${what} is empty; expected ${length} digits` });
  if (!ASCII_DIGITS.test(value)) {
    const bad = NOT_ASCII_DIGIT.exec(value);
    const position = bad ? Array.from(value.slice(0, bad.index)).length + 1 : 0;
    return err({
      code: 'NOT_DIGITS',
      message: `${what} must contain only the digits 0-9; found ${previewInput(bad ? bad[0] : '', 1)} at position ${position} of ${previewInput(value)}`,
    });
  }
  if (value.length !== length) {
    return err({ code: 'WRONG_LENGTH', message: `${what} must be ${length} digits, got ${value.length}` });
  }
  return ok(value);
}

/** Zero-pads a serial number to `width` digits; throws RangeError when it does not fit. */
export function padSerial(serial: number, width: number, what: string): string {
  const limit = 10 ** width;
  if (!Number.isInteger(serial) || serial < 0 || serial >= limit) {
    throw new RangeError(`${what} ${serial} must be an integer from 0 to ${limit - 1}`);
  }
  return String(serial).padStart(width, '0');
}
