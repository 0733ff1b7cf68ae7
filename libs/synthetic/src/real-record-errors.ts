import { nameMatchKey } from '@vss/domain';
import { misspellName } from './discrepancies';
import { Random } from './random';

/**
 * The error kinds of real records that our first ten kinds did not model: placeholders for an
 * unknown day or month, OCR and keyboard confusions, invisible and lookalike characters,
 * ethnic-minority spellings, abbreviated middle names and tone-only namesakes. Pure
 * transformations of a name or date; injection.ts applies them and records the truth.
 */

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
    // A surname without a plain Latin letter (Đỗ) has nothing to widen: a Cyrillic letter instead.
    const widened = [value, ...name.split(' ').slice(1)].join(' ');
    if (widened !== name) return { value: widened, variant: 'FULLWIDTH' };
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
  const old = at >= 0 ? chars.splice(at, 1)[0] : undefined;
  // Dropping the tone is one variant; otherwise another tone goes after the vowel's other marks
  // (ệ is e, dot below, circumflex: a tone put before the circumflex would not compose).
  if (old === undefined || !rng.chance(0.3)) {
    let vowel = -1;
    chars.forEach((c, i) => {
      if (/[aeiouyAEIOUY]/.test(c)) vowel = at >= 0 && i >= at ? vowel : i;
    });
    let end = vowel + 1;
    while (end < chars.length && /\p{M}/u.test(chars[end])) end += 1;
    chars.splice(end, 0, rng.pick(TONES.filter((t) => t !== old)));
  }
  words[words.length - 1] = chars.join('').normalize('NFC');
  return words.join(' ');
}
