import { nameMatchKey } from '@vss/domain';
import { Random } from './random';
import type { ReconciliationOutcome } from '@vss/domain/reconciliation';

/**
 * The discrepancies injected into insurance records, what a correct reconciliation must
 * conclude for each, and the pure transformations that produce them. Rates are per
 * participant; a participant receives at most one, so the recorded truth is unambiguous.
 */

export type DiscrepancyKind =
  | 'NAME_FORM' // diacritics dropped, case changed, old tone placement (sometimes extra spaces)
  | 'NAME_TYPO'
  | 'DOB_DAY_MONTH_SWAPPED'
  | 'GENDER_WRONG'
  | 'DOB_PRECISION_LOST' // year-only or month/year birth date that still agrees
  | 'LEGACY_ID_ONLY' // the record holds the old CMND and no citizen ID
  | 'CITIZEN_ID_MISSING'
  | 'DUPLICATE_RECORD' // a second participant record for the same citizen
  | 'DEATH_NOT_RECORDED' // deceased in the registry, still active at VSS
  | 'UNKNOWN_CITIZEN_ID' // a valid-looking citizen ID the registry does not know
  // Error kinds of real records, beyond the first ten:
  | 'NAME_CONFUSION' // an OCR or keyboard confusion: rn/m, cl/d, l/I, n/u …
  | 'NAME_INVISIBLE' // zero-width and direction marks, soft hyphen, no-break space, decomposed Unicode
  | 'NAME_LOOKALIKE' // Cyrillic or Greek letters, fullwidth forms, the Icelandic Ð for Đ
  | 'NAME_ETHNIC_SPELLING' // an ethnic-minority name's hyphen or apostrophe spaced, joined or curled
  | 'NAME_MIDDLE_ABBREVIATED' // Nguyễn V. An, Nguyễn An
  | 'DOB_PLACEHOLDER' // the unknown day or month written 00: 1991-10-00, 1982-00-00, 1982-00
  | 'MISSING_ID_THIRD_PROVINCE' // no citizen ID, kept in a province where they neither were born nor live
  | 'MISSING_ID_DIRTY' // no citizen ID, and the name or the birth date not as the registry has it
  | 'MISSING_ID_TONE_NAMESAKE' // no citizen ID, and the registry has a namesake differing only in tones
  | 'CITIZEN_ID_OTHER_PERSON'; // a citizen ID typo that names another real person

export type DiscrepancyRates = Record<DiscrepancyKind, number>;

export const DISCREPANCY_KINDS: readonly DiscrepancyKind[] = [
  'NAME_FORM',
  'NAME_TYPO',
  'DOB_DAY_MONTH_SWAPPED',
  'GENDER_WRONG',
  'DOB_PRECISION_LOST',
  'LEGACY_ID_ONLY',
  'CITIZEN_ID_MISSING',
  'DUPLICATE_RECORD',
  'DEATH_NOT_RECORDED',
  'UNKNOWN_CITIZEN_ID',
  'NAME_CONFUSION',
  'NAME_INVISIBLE',
  'NAME_LOOKALIKE',
  'NAME_ETHNIC_SPELLING',
  'NAME_MIDDLE_ABBREVIATED',
  'DOB_PLACEHOLDER',
  'MISSING_ID_THIRD_PROVINCE',
  'MISSING_ID_DIRTY',
  'MISSING_ID_TONE_NAMESAKE',
  'CITIZEN_ID_OTHER_PERSON',
];

/** About 10 % of participants carry one discrepancy; no kind dominates. */
export const DEFAULT_DISCREPANCY_RATES: Readonly<DiscrepancyRates> = Object.freeze({
  NAME_FORM: 0.01,
  NAME_TYPO: 0.005,
  DOB_DAY_MONTH_SWAPPED: 0.005,
  GENDER_WRONG: 0.005,
  DOB_PRECISION_LOST: 0.01,
  LEGACY_ID_ONLY: 0.01,
  CITIZEN_ID_MISSING: 0.005,
  DUPLICATE_RECORD: 0.005,
  DEATH_NOT_RECORDED: 0.005,
  UNKNOWN_CITIZEN_ID: 0.005,
  NAME_CONFUSION: 0.003,
  NAME_INVISIBLE: 0.003,
  NAME_LOOKALIKE: 0.002,
  NAME_ETHNIC_SPELLING: 0.002,
  NAME_MIDDLE_ABBREVIATED: 0.003,
  DOB_PLACEHOLDER: 0.003,
  MISSING_ID_THIRD_PROVINCE: 0.002,
  MISSING_ID_DIRTY: 0.003,
  MISSING_ID_TONE_NAMESAKE: 0.002,
  CITIZEN_ID_OTHER_PERSON: 0.002,
});

export const OUTCOME_OF: Readonly<Record<DiscrepancyKind, ReconciliationOutcome>> = Object.freeze({
  NAME_FORM: 'MATCHED_AFTER_NORMALIZATION',
  NAME_TYPO: 'FIELD_MISMATCH',
  DOB_DAY_MONTH_SWAPPED: 'FIELD_MISMATCH',
  GENDER_WRONG: 'FIELD_MISMATCH',
  DOB_PRECISION_LOST: 'MATCHED_AFTER_NORMALIZATION',
  LEGACY_ID_ONLY: 'LEGACY_ID_RESOLVED',
  CITIZEN_ID_MISSING: 'MISSING_ID_CANDIDATE',
  DUPLICATE_RECORD: 'DUPLICATE_PARTICIPANT',
  DEATH_NOT_RECORDED: 'DECEASED_BUT_ACTIVE',
  UNKNOWN_CITIZEN_ID: 'NOT_IN_REGISTRY',
  NAME_CONFUSION: 'FIELD_MISMATCH',
  NAME_INVISIBLE: 'MATCHED', // invisible to the reader, so not a difference: no finding at all
  NAME_LOOKALIKE: 'MATCHED_AFTER_NORMALIZATION',
  NAME_ETHNIC_SPELLING: 'MATCHED_AFTER_NORMALIZATION',
  NAME_MIDDLE_ABBREVIATED: 'FIELD_MISMATCH', // a person decides a legal name
  DOB_PLACEHOLDER: 'MATCHED_AFTER_NORMALIZATION',
  MISSING_ID_THIRD_PROVINCE: 'MISSING_ID_CANDIDATE',
  MISSING_ID_DIRTY: 'MISSING_ID_CANDIDATE',
  MISSING_ID_TONE_NAMESAKE: 'MISSING_ID_CANDIDATE',
  CITIZEN_ID_OTHER_PERSON: 'FIELD_MISMATCH',
});

/** Fills in defaults and refuses rates that cannot be probabilities. */
export function resolveRates(overrides: Partial<DiscrepancyRates> = {}): DiscrepancyRates {
  const rates = { ...DEFAULT_DISCREPANCY_RATES, ...overrides };
  for (const kind of DISCREPANCY_KINDS) {
    const rate = rates[kind];
    if (!Number.isFinite(rate) || rate < 0 || rate > 1) {
      throw new RangeError(`discrepancy rate ${kind} must be between 0 and 1, got ${rate}`);
    }
  }
  const total = DISCREPANCY_KINDS.reduce((sum, kind) => sum + rates[kind], 0);
  if (total > 1)
    throw new RangeError(`discrepancy rates add up to ${total}; at most 1 (one per participant)`);
  return rates;
}

/** At most one kind per participant: one uniform draw against the cumulative rates. */
export function sampleDiscrepancy(rng: Random, rates: DiscrepancyRates): DiscrepancyKind | null {
  let x = rng.next();
  for (const kind of DISCREPANCY_KINDS) {
    x -= rates[kind];
    if (x < 0) return kind;
  }
  return null;
}

export type NameFormVariant =
  'NO_DIACRITICS' | 'UPPER_CASE' | 'UPPER_CASE_NO_DIACRITICS' | 'LOWER_CASE' | 'OLD_TONE_PLACEMENT';
const NAME_FORM_VARIANTS: readonly NameFormVariant[] = [
  'NO_DIACRITICS',
  'UPPER_CASE',
  'UPPER_CASE_NO_DIACRITICS',
  'LOWER_CASE',
  'OLD_TONE_PLACEMENT',
];

export function stripDiacritics(name: string): string {
  return name.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');
}

// The old convention puts the tone on the last vowel of oa/oe/uy ("Hoà", "Thuỷ"); both spellings
// are official and the same person often has one in each system.
const OLD_TONE_PLACEMENT: Readonly<Record<string, string>> = {
  Hòa: 'Hoà',
  Hóa: 'Hoá',
  Thủy: 'Thuỷ',
  Thúy: 'Thuý',
  Thùy: 'Thuỳ',
  Thụy: 'Thuỵ',
};

function renderNameForm(name: string, variant: NameFormVariant): string {
  switch (variant) {
    case 'NO_DIACRITICS':
      return stripDiacritics(name);
    case 'UPPER_CASE':
      return name.toLocaleUpperCase('vi');
    case 'UPPER_CASE_NO_DIACRITICS':
      return stripDiacritics(name).toUpperCase();
    case 'LOWER_CASE':
      return name.toLocaleLowerCase('vi');
    case 'OLD_TONE_PLACEMENT':
      return name
        .split(' ')
        .map((w) => OLD_TONE_PLACEMENT[w] ?? w)
        .join(' ');
  }
}

/**
 * The name written differently but meaning the same: equal by match key, different after NFC
 * and whitespace tidying. Spacing or Unicode composition alone would not do: the domain's name
 * comparison treats those as the same text (a clean MATCHED), so extra spaces are only ever
 * added on top of a case or diacritics change. A variant that leaves the name unchanged (no
 * diacritics to drop, no old-style tone to move) falls back to upper case.
 */
export function alterNameForm(
  rng: Random,
  name: string,
): { value: string; variant: NameFormVariant; extraSpaces: boolean } {
  let variant = rng.pick(NAME_FORM_VARIANTS);
  let value = renderNameForm(name, variant);
  if (value === name) {
    variant = 'UPPER_CASE';
    value = renderNameForm(name, variant);
  }
  const extraSpaces = rng.chance(0.3);
  if (extraSpaces) value = ` ${value.split(' ').join('  ')} `;
  return { value, variant, extraSpaces };
}

export type TypoKind = 'SUBSTITUTION' | 'DELETION' | 'TRANSPOSITION' | 'INSERTION';
const TYPO_KINDS: readonly TypoKind[] = ['SUBSTITUTION', 'DELETION', 'TRANSPOSITION', 'INSERTION'];
const LETTERS = Array.from('abcdeghiklmnopqrstuvxy');

/**
 * One keyboard slip in the middle or given name. The result must differ by match key too:
 * "Hưong" for "Hương" is only a lost diacritic, which reconciliation rightly forgives.
 */
export function misspellName(rng: Random, name: string): { value: string; typo: TypoKind } {
  const words = name.split(' ');
  const key = nameMatchKey(name);
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const w = words.length > 1 ? 1 + rng.int(words.length - 1) : 0;
    // Edit in lower case, then capitalise again: a slip never leaves "hÙng" behind.
    const chars = Array.from(words[w].toLocaleLowerCase('vi'));
    const typo = rng.pick(TYPO_KINDS);
    const at = rng.int(chars.length);
    const letter = rng.pick(LETTERS);
    if (typo === 'SUBSTITUTION') chars[at] = letter;
    else if (typo === 'DELETION' && chars.length > 2) chars.splice(at, 1);
    else if (typo === 'TRANSPOSITION' && at + 1 < chars.length)
      [chars[at], chars[at + 1]] = [chars[at + 1], chars[at]];
    else if (typo === 'INSERTION') chars.splice(at + 1, 0, letter);
    else continue;
    chars[0] = chars[0].toLocaleUpperCase('vi');
    const value = [...words.slice(0, w), chars.join(''), ...words.slice(w + 1)].join(' ').normalize('NFC');
    if (nameMatchKey(value) !== key) return { value, typo };
  }
  // Unreachable in practice (20 slips that all vanish under normalisation); keep the truth honest anyway.
  return { value: `${name}h`, typo: 'INSERTION' };
}

/** '1987-03-11' → '1987-11-03'; only meaningful when the day is 1–12 and differs from the month. */
export function swapDayAndMonth(isoDate: string): string {
  const [year, month, day] = isoDate.split('-');
  return `${year}-${day}-${month}`;
}

export function canSwapDayAndMonth(isoDate: string): boolean {
  const [, month, day] = isoDate.split('-').map(Number);
  return day <= 12 && day !== month;
}

export type PrecisionLoss = 'YEAR' | 'MONTH';

/** The birth date as an old record kept it: '1987' or '1987-03'. */
export function coarsenBirthDate(rng: Random, isoDate: string): { value: string; precision: PrecisionLoss } {
  return rng.chance(0.6)
    ? { value: isoDate.slice(0, 4), precision: 'YEAR' }
    : { value: isoDate.slice(0, 7), precision: 'MONTH' };
}
