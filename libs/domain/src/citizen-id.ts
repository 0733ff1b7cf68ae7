import { dateParts, IsoDate, PartialDate } from './dates';
import { isProvinceCode, provinceByCode } from './provinces';
import { padSerial, parseDigitString } from './digits';
import { err, ok, Result } from './result';

export type Gender = 'MALE' | 'FEMALE';

/** A 12-digit citizen ID (CCCD / số định danh cá nhân). */
export type CitizenId = string;

export type CitizenIdInfo = {
  value: CitizenId;
  /** Three-digit province of birth registration. */
  provinceCode: string;
  gender: Gender;
  birthYear: number;
  /** The last six digits. */
  serial: string;
};

export type CitizenIdErrorCode =
  'EMPTY' | 'WRONG_LENGTH' | 'NOT_DIGITS' | 'UNKNOWN_PROVINCE' | 'IMPOSSIBLE_BIRTH_YEAR';

export type CitizenIdError = { code: CitizenIdErrorCode; message: string };

export type CitizenIdConsistencyError = {
  code: 'BIRTH_YEAR_MISMATCH' | 'GENDER_MISMATCH';
  message: string;
};

export const CITIZEN_ID_LENGTH = 12;
const PROVINCE_DIGITS = 3;
const SERIAL_DIGITS = 6;
const YEAR_DIGITS = 2;
const YEARS_PER_CENTURY = 100;

/**
 * The first year of the century each century/gender digit stands for (Circular 07/2016/TT-BCA):
 * even digits are men, odd digits women; 8 and 9 wrap round to the 19th century.
 */
const CENTURY_START_BY_DIGIT: readonly number[] = [
  1900, 1900, 2000, 2000, 2100, 2100, 2200, 2200, 1800, 1800,
];

const EARLIEST_BIRTH_YEAR = Math.min(...CENTURY_START_BY_DIGIT);
const LATEST_BIRTH_YEAR = Math.max(...CENTURY_START_BY_DIGIT) + YEARS_PER_CENTURY - 1;

function genderOfDigit(digit: number): Gender {
  return digit % 2 === 0 ? 'MALE' : 'FEMALE';
}

function genderWord(g: Gender): string {
  return g === 'MALE' ? 'male' : 'female';
}

/**
 * Parses a 12-digit citizen ID. Surrounding whitespace is trimmed (scanners and copy-paste add
 * it); anything else that is not an ASCII digit is refused (see parseDigitString).
 */
export function parseCitizenId(
  input: string,
  opts?: { today?: IsoDate },
): Result<CitizenIdInfo, CitizenIdError> {
  const digits = parseDigitString(input, 'citizen ID', CITIZEN_ID_LENGTH);
  if (!digits.ok) return digits;
  const value = digits.value;
  const provinceCode = value.slice(0, PROVINCE_DIGITS);
  if (!isProvinceCode(provinceCode)) {
    return err({
      code: 'UNKNOWN_PROVINCE',
      message: `citizen ID ${value} starts with ${provinceCode}, which is not a province code (001 Hà Nội … 096 Cà Mau)`,
    });
  }
  const centuryDigit = Number(value[PROVINCE_DIGITS]);
  const yearInCentury = Number(value.slice(PROVINCE_DIGITS + 1, PROVINCE_DIGITS + 1 + YEAR_DIGITS));
  const birthYear = CENTURY_START_BY_DIGIT[centuryDigit] + yearInCentury;
  const gender = genderOfDigit(centuryDigit);
  if (opts?.today !== undefined) {
    const thisYear = dateParts(opts.today).year;
    if (birthYear > thisYear) {
      return err({
        code: 'IMPOSSIBLE_BIRTH_YEAR',
        message: `citizen ID ${value} encodes birth year ${birthYear} (digits ${centuryDigit}${value.slice(4, 6)}), which is after ${thisYear}; check the 4th to 6th digits`,
      });
    }
  }
  return ok({ value, provinceCode, gender, birthYear, serial: value.slice(-SERIAL_DIGITS) });
}

function yearOfBirthDate(dateOfBirth: IsoDate | PartialDate): number {
  return typeof dateOfBirth === 'string' ? dateParts(dateOfBirth).year : dateOfBirth.year;
}

/** Checks the birth year and gender encoded in a citizen ID against stated ones. */
export function checkCitizenIdConsistency(
  info: CitizenIdInfo,
  stated: { dateOfBirth?: IsoDate | PartialDate; gender?: Gender },
): Result<true, CitizenIdConsistencyError> {
  if (stated.dateOfBirth !== undefined) {
    const statedYear = yearOfBirthDate(stated.dateOfBirth);
    if (statedYear !== info.birthYear) {
      return err({
        code: 'BIRTH_YEAR_MISMATCH',
        message: `citizen ID ${info.value} encodes birth year ${info.birthYear} but the stated date of birth is in ${statedYear}`,
      });
    }
  }
  if (stated.gender !== undefined && stated.gender !== info.gender) {
    return err({
      code: 'GENDER_MISMATCH',
      message: `citizen ID ${info.value} encodes a ${genderWord(info.gender)} holder but the stated gender is ${genderWord(stated.gender)}`,
    });
  }
  return ok(true);
}

/** Builds a citizen ID for generators; throws RangeError on impossible input (a programming error). */
export function makeCitizenId(input: {
  provinceCode: string;
  gender: Gender;
  birthYear: number;
  serial: number;
}): CitizenId {
  const { provinceCode, gender, birthYear, serial } = input;
  if (!provinceByCode(provinceCode)) {
    throw new RangeError(`unknown province code ${JSON.stringify(provinceCode)}`);
  }
  if (!Number.isInteger(birthYear) || birthYear < EARLIEST_BIRTH_YEAR || birthYear > LATEST_BIRTH_YEAR) {
    throw new RangeError(
      `birth year ${birthYear} cannot be encoded; citizen IDs cover ${EARLIEST_BIRTH_YEAR}–${LATEST_BIRTH_YEAR}`,
    );
  }
  const serialDigits = padSerial(serial, SERIAL_DIGITS, 'serial');
  const centuryStart = birthYear - (birthYear % YEARS_PER_CENTURY);
  const centuryDigit = CENTURY_START_BY_DIGIT.findIndex(
    (start, digit) => start === centuryStart && genderOfDigit(digit) === gender,
  );
  if (centuryDigit < 0) throw new RangeError(`gender ${JSON.stringify(gender)} must be MALE or FEMALE`);
  const yearInCentury = String(birthYear % YEARS_PER_CENTURY).padStart(YEAR_DIGITS, '0');
  return `${provinceCode}${centuryDigit}${yearInCentury}${serialDigits}`;
}

/** A citizen ID for logs and error messages: its province code and last two digits only. */
export function maskCitizenId(value: string): string {
  return value.length === 12 ? `${value.slice(0, 3)}*******${value.slice(-2)}` : '(not a citizen ID)';
}
