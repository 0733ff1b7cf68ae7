import { dateParts, type IsoDate, type PartialDate, precisionOf } from './dates';
import { keySimilarity, nameMatchKey, normalizeName, sameLetters } from './names';

/**
 * The levels at which each field of a pair agrees, for the matching model (match-model): the
 * name from exact with diacritics down to unrelated, the birth date by the record's precision.
 * Pure: no I/O.
 */

export const NAME_LEVELS = [
  'EXACT', // equal with diacritics (case, spacing, tone placement and invisible characters aside)
  'EXACT_WITHOUT_DIACRITICS', // equal by match key: Tuấn / Tuân, NGUYEN VAN AN / Nguyễn Văn An
  'ABBREVIATED', // middle names abbreviated or left out: Nguyễn V. An, Nguyễn An
  'ONE_EDIT', // one letter typed, dropped, doubled or swapped (by match key)
  'SIMILAR', // close by Jaro–Winkler or by words in another order
  'OTHER',
] as const;
export type NameLevel = (typeof NAME_LEVELS)[number];

export const DAY_DATE_LEVELS = [
  'EXACT',
  'DAY_MONTH_SWAPPED',
  'ONE_PART_DIFFERS', // same year, and the day or the month (not both) differs
  'YEAR_OFF_BY_ONE', // same day and month, the year one off
  'OTHER',
] as const;
export const MONTH_DATE_LEVELS = ['EXACT_AT_MONTH', 'ONE_PART_DIFFERS', 'YEAR_OFF_BY_ONE', 'OTHER'] as const;
export const YEAR_DATE_LEVELS = ['EXACT_AT_YEAR', 'YEAR_OFF_BY_ONE', 'OTHER'] as const;
export const AGREEMENT_LEVELS = ['AGREES', 'DISAGREES'] as const;

export type BirthDateLevel =
  (typeof DAY_DATE_LEVELS)[number] | (typeof MONTH_DATE_LEVELS)[number] | (typeof YEAR_DATE_LEVELS)[number];

const SIMILAR_NAME = 0.88;

/** At most one insertion, deletion, substitution or swap of neighbours between a and b. */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a[i] === b[i]) i += 1;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // substitution
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2); // swap
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/**
 * Middle names abbreviated ("Nguyễn V. An") or left out ("Nguyễn An"): the surname and the given
 * name agree by match key, and every middle word of the shorter name is a word or an initial of
 * the longer one's, in order. Both names given by their match keys.
 */
export function isAbbreviation(keyA: string, keyB: string): boolean {
  // Most pairs differ in the surname or the given name: tell them without splitting either.
  const surnameA = keyA.indexOf(' ');
  const givenA = keyA.lastIndexOf(' ') + 1;
  const givenB = keyB.lastIndexOf(' ') + 1;
  if (surnameA < 0 || surnameA !== keyB.indexOf(' ')) return false;
  if (keyA.length - givenA !== keyB.length - givenB) return false;
  if (!sameRun(keyA, 0, keyB, 0, surnameA) || !sameRun(keyA, givenA, keyB, givenB, keyA.length - givenA))
    return false;
  return abbreviated(keyA.split(' '), keyB.split(' '));
}

function sameRun(a: string, from: number, b: string, fromB: number, length: number): boolean {
  for (let k = 0; k < length; k += 1) if (a.charCodeAt(from + k) !== b.charCodeAt(fromB + k)) return false;
  return true;
}

function abbreviated(a: readonly string[], b: readonly string[]): boolean {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (short.length < 2 || long.length < 2) return false;
  if (short[0] !== long[0] || short[short.length - 1] !== long[long.length - 1]) return false;
  const initialOf = (x: string, y: string) => x.length === 1 && y[0] === x;
  const agree = (x: string, y: string) => x === y || initialOf(x, y) || initialOf(y, x);
  let j = 1;
  let shortened = short.length < long.length;
  for (let i = 1; i < short.length - 1; i += 1) {
    const word = short[i];
    while (j < long.length - 1 && !agree(word, long[j])) j += 1;
    if (j >= long.length - 1) return false;
    if (long[j] !== word) shortened = true;
    j += 1;
  }
  return shortened;
}

/**
 * The form in which two names are EXACT: normalizeName without spaces, hyphens and apostrophes.
 * A caller comparing one name with many may compute it once (PairRecord.exactForm).
 */
export function exactNameForm(name: string): string {
  return normalizeName(name).replace(/[ \-'\u2019]/gu, '');
}

/** The level at which two names agree. */
export function nameLevel(
  a: string,
  b: string,
  keyA = nameMatchKey(a),
  keyB = nameMatchKey(b),
  exactA?: string,
  exactB?: string,
): NameLevel {
  return nearNameLevel(a, b, keyA, keyB, exactA, exactB) ?? distantNameLevel(keyA, keyB);
}

/**
 * The level of two names as far as it is cheap to tell: EXACT, EXACT_WITHOUT_DIACRITICS,
 * ABBREVIATED or ONE_EDIT; null for names further apart, whose level (distantNameLevel) needs
 * their similarity, the costliest comparison.
 */
export function nearNameLevel(
  a: string,
  b: string,
  keyA: string,
  keyB: string,
  exactA?: string,
  exactB?: string,
): NameLevel | null {
  // The same text is EXACT by definition, and most namesakes in a registry are written alike.
  if (a === b) return 'EXACT';
  if (sameLetters(keyA, keyB)) {
    return (exactA ?? exactNameForm(a)) === (exactB ?? exactNameForm(b))
      ? 'EXACT'
      : 'EXACT_WITHOUT_DIACRITICS';
  }
  if (isAbbreviation(keyA, keyB)) return 'ABBREVIATED';
  if (withinOneEdit(keyA, keyB)) return 'ONE_EDIT';
  return null;
}

/** SIMILAR or OTHER, for two names (by match key) that nearNameLevel could not place. */
export function distantNameLevel(keyA: string, keyB: string): NameLevel {
  return keySimilarity(keyA, keyB) >= SIMILAR_NAME ? 'SIMILAR' : 'OTHER';
}

/** Which of the three date comparisons a record's birth date is compared by. */
export function dateComparisonOf(
  date: PartialDate,
): 'date_of_birth_day' | 'date_of_birth_month' | 'date_of_birth_year' {
  const precision = precisionOf(date);
  return precision === 'DAY'
    ? 'date_of_birth_day'
    : precision === 'MONTH'
      ? 'date_of_birth_month'
      : 'date_of_birth_year';
}

/** The level at which a recorded (possibly partial) birth date agrees with the registry's. */
export function birthDateLevel(recorded: PartialDate, registry: IsoDate): BirthDateLevel {
  const r = dateParts(registry);
  const precision = precisionOf(recorded);
  const sameYear = recorded.year === r.year;
  const yearOff = Math.abs(recorded.year - r.year) === 1;
  if (precision === 'YEAR') return sameYear ? 'EXACT_AT_YEAR' : yearOff ? 'YEAR_OFF_BY_ONE' : 'OTHER';
  const sameMonth = recorded.month === r.month;
  if (precision === 'MONTH') {
    if (sameYear) return sameMonth ? 'EXACT_AT_MONTH' : 'ONE_PART_DIFFERS';
    return yearOff && sameMonth ? 'YEAR_OFF_BY_ONE' : 'OTHER';
  }
  const sameDay = recorded.day === r.day;
  if (sameYear && sameMonth && sameDay) return 'EXACT';
  if (sameYear && recorded.month === r.day && recorded.day === r.month) return 'DAY_MONTH_SWAPPED';
  if (sameYear && (sameMonth || sameDay)) return 'ONE_PART_DIFFERS';
  return yearOff && sameMonth && sameDay ? 'YEAR_OFF_BY_ONE' : 'OTHER';
}
