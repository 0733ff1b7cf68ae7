import { nameMatchKey } from '@vss/domain';
import { Random } from './random';
import type { Outcome } from './rows';

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

export const OUTCOME_OF: Readonly<Record<DiscrepancyKind, Outcome>> = Object.freeze({
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
  NAME_MIDDLE_ABBREVIATED: 'MATCHED_AFTER_NORMALIZATION',
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

/** The unknown day or month as old records write it: '1987-03-00', '1987-00-00' or '1987-00'. */
export function placeholderBirthDate(rng: Random, isoDate: string): { value: string; form: string } {
  const form = rng.pick(['YYYY-MM-00', 'YYYY-00-00', 'YYYY-00'] as const);
  const value =
    form === 'YYYY-MM-00'
      ? `${isoDate.slice(0, 7)}-00`
      : form === 'YYYY-00-00'
        ? `${isoDate.slice(0, 4)}-00-00`
        : `${isoDate.slice(0, 4)}-00`;
  return { value, form };
}

// Confusions of OCR and of hurried typing, on the lower-case word.
const CONFUSIONS: readonly (readonly [string, string])[] = [
  ['m', 'rn'],
  ['rn', 'm'],
  ['d', 'cl'],
  ['l', 'I'],
  ['n', 'u'],
  ['u', 'n'],
  ['h', 'b'],
  ['nh', 'uh'],
  ['c', 'e'],
  ['g', 'q'],
];

/** A middle or given name read wrong by OCR or mistyped: different by match key, as a typo is. */
export function confuseName(rng: Random, name: string): { value: string; confusion: string } {
  const words = name.split(' ');
  const key = nameMatchKey(name);
  for (let attempt = 0; attempt < 30; attempt += 1) {
    const w = words.length > 1 ? 1 + rng.int(words.length - 1) : 0;
    const [from, to] = rng.pick(CONFUSIONS);
    const lower = words[w].toLocaleLowerCase('vi');
    const at = lower.indexOf(from);
    if (at < 0) continue;
    const changed = lower.slice(0, at) + to + lower.slice(at + from.length);
    const word = changed[0].toLocaleUpperCase('vi') + changed.slice(1);
    const value = [...words.slice(0, w), word, ...words.slice(w + 1)].join(' ');
    if (nameMatchKey(value) !== key) return { value, confusion: `${from}→${to}` };
  }
  return { ...misspellName(rng, name), confusion: 'typo' };
}

/** Characters no reader sees, put where copying and pasting puts them. */
export function addInvisibleCharacters(rng: Random, name: string): { value: string; variant: string } {
  const variants = [
    'ZERO_WIDTH_SPACE',
    'ZERO_WIDTH_NON_JOINER',
    'SOFT_HYPHEN',
    'DIRECTION_MARK',
    'BYTE_ORDER_MARK',
    'NO_BREAK_SPACE',
    'DECOMPOSED',
  ] as const;
  const variant = rng.pick(variants);
  const words = name.split(' ');
  const inside = (mark: string) => {
    const w = rng.int(words.length);
    const chars = Array.from(words[w]);
    chars.splice(1 + rng.int(Math.max(1, chars.length - 1)), 0, mark);
    return [...words.slice(0, w), chars.join(''), ...words.slice(w + 1)].join(' ');
  };
  switch (variant) {
    case 'ZERO_WIDTH_SPACE':
      return { value: inside('\u200B'), variant };
    case 'ZERO_WIDTH_NON_JOINER':
      return { value: inside('\u200C'), variant };
    case 'SOFT_HYPHEN':
      return { value: inside('\u00AD'), variant };
    case 'DIRECTION_MARK':
      return { value: `\u200E${name}`, variant };
    case 'BYTE_ORDER_MARK':
      return { value: `\uFEFF${name}`, variant };
    case 'NO_BREAK_SPACE':
      return { value: words.join('\u00A0'), variant };
    case 'DECOMPOSED': {
      const value = name.normalize('NFD');
      return value === name ? { value: inside('\u200B'), variant: 'ZERO_WIDTH_SPACE' } : { value, variant };
    }
  }
}

const CYRILLIC: Readonly<Record<string, string>> = {
  a: 'а',
  e: 'е',
  o: 'о',
  p: 'р',
  c: 'с',
  y: 'у',
  x: 'х',
  i: 'і',
};

/** Letters that look the same and are not: Cyrillic for Latin, fullwidth forms, Ð (eth) for Đ. */
export function lookalikeName(rng: Random, name: string): { value: string; variant: string } {
  if (name.includes('Đ') && rng.chance(0.5)) return { value: name.replace('Đ', '\u00D0'), variant: 'ETH' };
  if (rng.chance(0.4)) {
    const value = Array.from(name.split(' ')[0])
      .map((ch) =>
        ch >= 'A' && ch <= 'z' && /[A-Za-z]/.test(ch)
          ? String.fromCodePoint(ch.codePointAt(0)! + 0xfee0)
          : ch,
      )
      .join('');
    return { value: [value, ...name.split(' ').slice(1)].join(' '), variant: 'FULLWIDTH' };
  }
  const chars = Array.from(name);
  const plain = chars.flatMap((ch, i) => (CYRILLIC[ch] ? [i] : []));
  if (plain.length === 0) return { value: name.toLocaleUpperCase('vi'), variant: 'UPPER_CASE' };
  const at = rng.pick(plain);
  chars[at] = CYRILLIC[chars[at]];
  return { value: chars.join(''), variant: 'CYRILLIC' };
}

/** Ê Đê, Gia Rai and Hmông names as the registry writes them, by sex. */
export const ETHNIC_MINORITY_NAMES: Readonly<Record<'M' | 'F', readonly string[]>> = {
  M: [
    'Y-Moan Ênuôl',
    'Y-Sơn Niê Kdăm',
    'Y-Đhăm Êban',
    'Ksor Y-Phun',
    "Rơ Mah H'Lông",
    'Hầu A Páo',
    'Giàng A Lử',
    'Y-Ngông Niê',
  ],
  F: [
    "H'Hen Niê",
    "H'Xíu Êban",
    "H'Zăn Byă",
    "Ksor H'Bla",
    "H'Linh Mlô",
    "Rơ Châm H'Ngơm",
    "H'Yơn Niê",
    "H'Đức Mlô",
  ],
};

/** The hyphen or apostrophe as another system wrote it: spaced, joined or curled. */
export function respellEthnicName(rng: Random, name: string): { value: string; variant: string } {
  const variant = rng.pick(['SPACED', 'JOINED', 'CURLY_APOSTROPHE'] as const);
  if (variant === 'CURLY_APOSTROPHE' && name.includes("'"))
    return { value: name.replace(/'/g, '\u2019'), variant };
  // Hmông names carry no mark in the registry; other systems hyphenate them ("Hầu A-Páo").
  if (!/['-]/.test(name)) return { value: name.replace(/ (\S+)$/u, '-$1'), variant: 'HYPHENATED' };
  if (variant === 'JOINED')
    return { value: name.replace(/['-](\p{L})/gu, (_m, l: string) => l.toLocaleLowerCase('vi')), variant };
  return { value: name.replace(/['-]/g, ' '), variant: 'SPACED' };
}

/** Middle names cut to their initial (with or without a dot) or left out. */
export function abbreviateMiddleName(rng: Random, name: string): { value: string; variant: string } {
  const words = name.split(' ');
  const variant = rng.pick(['INITIAL_WITH_DOT', 'INITIAL', 'LEFT_OUT'] as const);
  const middle = words.slice(1, -1);
  const shortened =
    variant === 'LEFT_OUT' ? [] : middle.map((w) => `${w[0]}${variant === 'INITIAL_WITH_DOT' ? '.' : ''}`);
  return { value: [words[0], ...shortened, words[words.length - 1]].join(' '), variant };
}

const TONES = ['\u0300', '\u0301', '\u0303', '\u0309', '\u0323'];

/**
 * The name with the tone of its given name changed or dropped: Tuấn → Tuần or Tuân, An → Án.
 * Equal by match key, different with diacritics: a different person's name.
 */
export function toneVariant(rng: Random, name: string): string {
  const words = name.split(' ');
  const chars = Array.from(words[words.length - 1].normalize('NFD'));
  const at = chars.findIndex((c) => TONES.includes(c));
  if (at >= 0) {
    const others = TONES.filter((t) => t !== chars[at]);
    if (rng.chance(0.3)) chars.splice(at, 1);
    else chars[at] = rng.pick(others);
  } else {
    let vowel = -1;
    chars.forEach((c, i) => {
      if (/[aeiouyAEIOUY]/.test(c)) vowel = i;
    });
    let end = vowel + 1;
    while (end < chars.length && /\p{M}/u.test(chars[end])) end += 1;
    chars.splice(end, 0, rng.pick(TONES));
  }
  words[words.length - 1] = chars.join('').normalize('NFC');
  return words.join(' ');
}
