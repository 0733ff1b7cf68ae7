/** fast-check generators shared by the domain specs: real calendar dates, real-looking Vietnamese people. */
import fc from 'fast-check';
import { daysInMonth, Gender, IsoDate, isoDateFromParts, makeCitizenId, PROVINCES } from '../src';

/** Any string a caller could send: ASCII, full Unicode including lone surrogates, or digit soup. */
export const anyText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('0', '1', '7', '9', ' ', '|', '-', '\u0300', 'đ'), maxLength: 30 }),
  fc.stringMatching(/^\d{0,14}$/),
);

/** A real calendar date between two years, inclusive. */
export function isoDateArb(minYear = 1900, maxYear = 2100): fc.Arbitrary<IsoDate> {
  return fc
    .tuple(
      fc.integer({ min: minYear, max: maxYear }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 31 }),
    )
    .map(([y, m, d]) => isoDateFromParts(y, m, Math.min(d, daysInMonth(y, m))));
}

export const genderArb: fc.Arbitrary<Gender> = fc.constantFrom('MALE', 'FEMALE');

export const provinceCodeArb: fc.Arbitrary<string> = fc.constantFrom(...PROVINCES.map((p) => p.code));

export const SURNAMES = [
  'Nguyễn',
  'Trần',
  'Lê',
  'Phạm',
  'Hoàng',
  'Huỳnh',
  'Phan',
  'Vũ',
  'Võ',
  'Đặng',
  'Bùi',
  'Đỗ',
  'Hồ',
  'Ngô',
  'Dương',
  'Lý',
];
export const MIDDLE_NAMES = [
  'Văn',
  'Thị',
  'Hữu',
  'Đức',
  'Minh',
  'Ngọc',
  'Thanh',
  'Bích',
  'Quốc',
  'Xuân',
  'Thu',
  'Kim',
];
export const GIVEN_NAMES = [
  'An',
  'Bình',
  'Cường',
  'Dũng',
  'Hòa',
  'Hương',
  'Lan',
  'Ngọc',
  'Phương',
  'Quân',
  'Thủy',
  'Trang',
  'Tuấn',
  'Yến',
  'Đạt',
  'Khỏe',
];

/** A Vietnamese full name of two to four words, in NFC, title case. */
export const vietnameseNameArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...SURNAMES),
    fc.array(fc.constantFrom(...MIDDLE_NAMES), { minLength: 0, maxLength: 2 }),
    fc.constantFrom(...GIVEN_NAMES),
  )
  .map(([s, m, g]) => [s, ...m, g].join(' '));

/** A consistent citizen: an ID whose digits agree with the birth date and gender. */
export const citizenArb = fc
  .record({
    provinceCode: provinceCodeArb,
    gender: genderArb,
    dateOfBirth: isoDateArb(1900, 2024),
    serial: fc.integer({ min: 0, max: 999_999 }),
    fullName: vietnameseNameArb,
  })
  .map((c) => ({
    ...c,
    citizenId: makeCitizenId({
      provinceCode: c.provinceCode,
      gender: c.gender,
      birthYear: Number(c.dateOfBirth.slice(0, 4)),
      serial: c.serial,
    }),
  }));
