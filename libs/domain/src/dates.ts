import { err, ok, previewInput, Result } from './result';

/**
 * A calendar date as 'YYYY-MM-DD'. Dates in this domain (birth, death, visit, card validity)
 * are civil dates in Vietnam, not instants: a JS Date would drag a time zone into every
 * comparison, so we keep the string and do the calendar arithmetic on integers.
 * Being zero-padded, two IsoDates compare correctly as strings.
 */
export type IsoDate = string;

/** 'YYYY-MM', the period of a monthly payment. */
export type YearMonth = string;

export type DateErrorCode = 'EMPTY' | 'BAD_FORMAT' | 'INVALID_DATE';

export type DateError = { code: DateErrorCode; message: string };

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DDMMYYYY = /^(\d{2})(\d{2})(\d{4})$/;
const MIN_YEAR = 1;
const MAX_YEAR = 9999;
const MONTHS_PER_YEAR = 12;

/** True for Gregorian leap years. */
/** Vietnam keeps UTC+7 all year, with no daylight saving: a day is 24 hours from 00:00+07:00. */
export const VIETNAM_OFFSET_MS = 7 * 3_600_000;

/** The calendar date in Vietnam at an instant (milliseconds since the epoch). */
export function vietnamDate(epochMs: number): IsoDate {
  return new Date(epochMs + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Number of days in a month (1–12) of a year. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function isValidParts(year: number, month: number, day: number): boolean {
  return (
    Number.isInteger(year) &&
    Number.isInteger(month) &&
    Number.isInteger(day) &&
    year >= MIN_YEAR &&
    year <= MAX_YEAR &&
    month >= 1 &&
    month <= MONTHS_PER_YEAR &&
    day >= 1 &&
    day <= daysInMonth(year, month)
  );
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Builds an IsoDate from year, month (1–12) and day; throws RangeError for an impossible date. */
export function isoDateFromParts(year: number, month: number, day: number): IsoDate {
  if (!isValidParts(year, month, day)) {
    throw new RangeError(`not a calendar date: year ${year}, month ${month}, day ${day}`);
  }
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** Splits a valid IsoDate into numbers; throws RangeError when handed something that is not one. */
export function dateParts(date: IsoDate): { year: number; month: number; day: number } {
  const m = ISO_DATE.exec(date);
  const parts = m ? { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) } : undefined;
  if (!parts || !isValidParts(parts.year, parts.month, parts.day)) {
    // Callers must parse untrusted text with parseIsoDate first; reaching here is a bug.
    throw new RangeError(`not an ISO date (YYYY-MM-DD): ${previewInput(String(date))}`);
  }
  return parts;
}

function parseParts(year: number, month: number, day: number, original: string): Result<IsoDate, DateError> {
  if (!isValidParts(year, month, day)) {
    return err({
      code: 'INVALID_DATE',
      message: `${previewInput(original)} is not a date on the calendar (day ${day} of month ${month}, year ${year})`,
    });
  }
  return ok(isoDateFromParts(year, month, day));
}

/** Parses 'YYYY-MM-DD', checking that the day exists (29 February only in leap years). */
export function parseIsoDate(input: string): Result<IsoDate, DateError> {
  const s = input.trim();
  if (s === '') return err({ code: 'EMPTY', message: 'date is empty; expected YYYY-MM-DD' });
  const m = ISO_DATE.exec(s);
  if (!m) {
    return err({ code: 'BAD_FORMAT', message: `date ${previewInput(s)} must be written YYYY-MM-DD` });
  }
  return parseParts(Number(m[1]), Number(m[2]), Number(m[3]), s);
}

/** Parses the 'ddmmyyyy' dates of the citizen-ID QR code into an IsoDate. */
export function parseDdMmYyyy(input: string): Result<IsoDate, DateError> {
  const s = input.trim();
  if (s === '') return err({ code: 'EMPTY', message: 'date is empty; expected ddmmyyyy' });
  const m = DDMMYYYY.exec(s);
  if (!m) {
    return err({ code: 'BAD_FORMAT', message: `date ${previewInput(s)} must be 8 digits, ddmmyyyy` });
  }
  return parseParts(Number(m[3]), Number(m[2]), Number(m[1]), s);
}

/** Formats an IsoDate as the QR code's 'ddmmyyyy'. */
export function formatDdMmYyyy(date: IsoDate): string {
  const { year, month, day } = dateParts(date);
  return `${pad(day, 2)}${pad(month, 2)}${pad(year, 4)}`;
}

// Days since 1970-01-01 and back, after Howard Hinnant's "chrono-compatible low-level date
// algorithms": exact for the proleptic Gregorian calendar with no Date object and no time zone.
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Adds (or with a negative n, subtracts) whole days. */
export function addDays(date: IsoDate, n: number): IsoDate {
  const { year, month, day } = dateParts(date);
  const c = civilFromDays(daysFromCivil(year, month, day) + n);
  return isoDateFromParts(c.year, c.month, c.day);
}

/** Days from a to b (positive when b is later). */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  const pa = dateParts(a);
  const pb = dateParts(b);
  return daysFromCivil(pb.year, pb.month, pb.day) - daysFromCivil(pa.year, pa.month, pa.day);
}

/**
 * Adds whole months; a day that does not exist in the target month becomes that month's last
 * day (31 January + 1 month = 28/29 February). This is the Civil Code 2015 rule for periods
 * counted in months (Art. 148), which is how "turns 72 months old" is counted.
 */
export function addMonths(date: IsoDate, n: number): IsoDate {
  const { year, month, day } = dateParts(date);
  const index = year * MONTHS_PER_YEAR + (month - 1) + n;
  const y = Math.floor(index / MONTHS_PER_YEAR);
  const m = index - y * MONTHS_PER_YEAR + 1;
  return isoDateFromParts(y, m, Math.min(day, daysInMonth(y, m)));
}

/** -1, 0 or 1 as a is before, equal to or after b. */
export function compareDates(a: IsoDate, b: IsoDate): -1 | 0 | 1 {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** The first day of the month after the date's month. */
export function firstDayOfNextMonth(date: IsoDate): IsoDate {
  const { year, month } = dateParts(date);
  return month === MONTHS_PER_YEAR ? isoDateFromParts(year + 1, 1, 1) : isoDateFromParts(year, month + 1, 1);
}

/** The first day of the date's month. */
export function firstDayOfMonth(date: IsoDate): IsoDate {
  const { year, month } = dateParts(date);
  return isoDateFromParts(year, month, 1);
}

/** The last day of the date's month. */
export function lastDayOfMonth(date: IsoDate): IsoDate {
  const { year, month } = dateParts(date);
  return isoDateFromParts(year, month, daysInMonth(year, month));
}

/** The 'YYYY-MM' month a date falls in. */
export function monthOf(date: IsoDate): YearMonth {
  dateParts(date);
  return date.slice(0, 7);
}

/** The year of a date. */
export function yearOf(date: IsoDate): number {
  return dateParts(date).year;
}

/**
 * Whole months lived on `on`: the largest n with addMonths(birth, n) ≤ on, so a child born
 * on 31 August is one month old on 30 September. Negative when `on` is before the birth.
 */
export function ageInMonths(birth: IsoDate, on: IsoDate): number {
  const b = dateParts(birth);
  const o = dateParts(on);
  let n = (o.year - b.year) * MONTHS_PER_YEAR + (o.month - b.month);
  // The estimate is off by at most one, in either direction, because of day-of-month clamping.
  while (addMonths(birth, n) > on) n -= 1;
  while (addMonths(birth, n + 1) <= on) n += 1;
  return n;
}

/**
 * A date of birth as old insurance records hold it: sometimes only the year, sometimes the
 * month and year. A day without a month carries no information and is ignored.
 */
export type PartialDate = { year: number; month?: number; day?: number };

export type DatePrecision = 'YEAR' | 'MONTH' | 'DAY';

const YEAR_ONLY = /^(\d{4})$/;
const YEAR_MONTH = /^(\d{4})-(\d{2})$/;

/** How much of the date is known. */
export function precisionOf(p: PartialDate): DatePrecision {
  if (p.month === undefined) return 'YEAR';
  return p.day === undefined ? 'MONTH' : 'DAY';
}

/**
 * Unknown parts written as 00, the way old Vietnamese records say "month only" or "year only":
 * YYYY-MM-00, YYYY-00-00, YYYY-00, and the same in the day-first form (00/MM/YYYY, 00/00/YYYY,
 * MM/YYYY, 00/YYYY) as well as DD/MM/YYYY. Answers the canonical form (YYYY, YYYY-MM,
 * YYYY-MM-DD), or undefined when the text is none of these.
 */
function canonicalOfRecordedForm(s: string): string | undefined {
  const yearMonth = (year: string, month: string) => (month === '00' ? year : `${year}-${month}`);
  let m = /^(\d{4})-(\d{2})-00$/.exec(s);
  if (m) return yearMonth(m[1], m[2]);
  m = /^(\d{4})-00$/.exec(s);
  if (m) return m[1];
  m = /^(?:00\/)?(\d{2})\/(\d{4})$/.exec(s);
  if (m) return yearMonth(m[2], m[1]);
  m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(s);
  if (m) return `${m[3]}-${m[2]}-${m[1]}`;
  return undefined;
}

/**
 * Parses a date at the precision it is known: 'YYYY', 'YYYY-MM', 'YYYY-MM-DD', with unknown
 * parts written 00 ('1991-10-00', '1982-00-00'), or day first ('17/10/1991', '00/10/1991',
 * '10/1991'). Anything else, or a day or month that does not exist, is an error.
 */
export function parsePartialDate(input: string): Result<PartialDate, DateError> {
  const trimmed = input.trim();
  const s = canonicalOfRecordedForm(trimmed) ?? trimmed;
  if (s === '') return err({ code: 'EMPTY', message: 'date is empty; expected YYYY, YYYY-MM or YYYY-MM-DD' });
  const y = YEAR_ONLY.exec(s);
  if (y) {
    const year = Number(y[1]);
    return year >= MIN_YEAR
      ? ok({ year })
      : err({ code: 'INVALID_DATE', message: `year ${previewInput(s)} is not a calendar year` });
  }
  const ym = YEAR_MONTH.exec(s);
  if (ym) {
    const year = Number(ym[1]);
    const month = Number(ym[2]);
    return year >= MIN_YEAR && month >= 1 && month <= MONTHS_PER_YEAR
      ? ok({ year, month })
      : err({ code: 'INVALID_DATE', message: `${previewInput(s)} is not a calendar month (YYYY-MM)` });
  }
  if (!ISO_DATE.test(s)) {
    return err({
      code: 'BAD_FORMAT',
      message: `date ${previewInput(s)} must be written YYYY, YYYY-MM or YYYY-MM-DD (00 for an unknown day or month)`,
    });
  }
  const full = parseIsoDate(s);
  if (!full.ok) return full;
  return ok(partialDateOf(full.value));
}

/** The PartialDate of a full date (DAY precision). */
export function partialDateOf(date: IsoDate): PartialDate {
  return dateParts(date);
}

/** True when the full date agrees with the partial one as far as the partial one goes. */
export function partialDateMatches(partial: PartialDate, fullIsoDate: IsoDate): boolean {
  const full = dateParts(fullIsoDate);
  if (partial.year !== full.year) return false;
  if (partial.month === undefined) return true;
  if (partial.month !== full.month) return false;
  return partial.day === undefined || partial.day === full.day;
}

/** Writes a PartialDate back as 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD', at its precision. */
export function formatPartialDate(p: PartialDate): string {
  const year = pad(p.year, 4);
  if (p.month === undefined) return year;
  const month = `${year}-${pad(p.month, 2)}`;
  return p.day === undefined ? month : `${month}-${pad(p.day, 2)}`;
}

/**
 * The row in force on a date among those `which` selects: the latest effectiveFrom ≤ on; of two
 * with the same date the later one in the table wins, so an appended correction replaces a
 * mistyped row. Undefined when none has started by then.
 */
export function inForce<T extends { effectiveFrom: IsoDate }>(
  rows: readonly T[],
  on: IsoDate,
  which: (row: T) => boolean,
): T | undefined {
  let best: T | undefined;
  for (const row of rows) {
    if (!which(row) || compareDates(row.effectiveFrom, on) > 0) continue;
    if (!best || compareDates(row.effectiveFrom, best.effectiveFrom) >= 0) best = row;
  }
  return best;
}
