/**
 * Vietnamese personal names. Three forms, each for one job:
 * - normalizeName: for comparison (NFC, case-folded, spacing and tone-mark placement unified);
 * - nameMatchKey: for matching only, diacritics removed (Nguyễn → nguyen, Đặng → dang);
 * - displayName: for showing a name, diacritics kept, each word capitalised.
 * A match key is never shown or stored as a person's name: "Đào" and "Dao" are different names.
 */

const VI = 'vi';

// Zero-width characters, soft hyphens, direction marks and variation selectors arrive with
// names copied from Word, Excel, PDFs and web forms; they are invisible to the person reading
// the name, so they must not make two names differ. \p{Cf} is every Unicode format character.
const INVISIBLE = /[\p{Cf}\uFE00-\uFE0F]/gu;
// Letters of other scripts that OCR and some fonts produce for Latin ones, identical on screen.
const LOOKALIKES: Readonly<Record<string, string>> = {
  а: 'a',
  е: 'e',
  о: 'o',
  р: 'p',
  с: 'c',
  у: 'y',
  х: 'x',
  і: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  һ: 'h',
  ο: 'o',
  α: 'a',
  ν: 'v',
  ι: 'i',
  κ: 'k',
  τ: 't',
};
const LOOKALIKE = new RegExp(`[${Object.keys(LOOKALIKES).join('')}]`, 'gu');
const WHITESPACE_RUN = /\s+/gu;
const COMBINING_MARK = /\p{M}/u;
const COMBINING_MARKS = /\p{M}/gu;
// Hyphens and apostrophes inside ethnic-minority names (Y-Moan, H'Hen Niê) are written
// inconsistently across systems; for matching they separate or join syllables, nothing more.
const NAME_PUNCTUATION = /[-\u2010\u2011'\u2019\u02BC`.]/gu;
// Legacy Vietnamese encodings and some keyboards emit the Icelandic eth (U+00D0 Ð / U+00F0 ð),
// which looks exactly like Đ/đ.
const ETH = /\u00F0/gu;

/** The five Vietnamese tone marks as combining characters: huyền, sắc, ngã, hỏi, nặng. */
const TONE_MARKS: ReadonlySet<string> = new Set(['\u0300', '\u0301', '\u0303', '\u0309', '\u0323']);

/** NFC, invisible characters removed, whitespace trimmed and collapsed; case untouched. */
export function tidyName(s: string): string {
  return s.normalize('NFC').replace(INVISIBLE, '').replace(WHITESPACE_RUN, ' ').trim();
}

/**
 * Moves a tone mark written on the glide of "oa", "oe" or "uy" to the following vowel, so the
 * old and new spelling conventions (Hòa/Hoà, Thủy/Thuỷ, Khỏe/Khoẻ) compare equal. Both are
 * correct Vietnamese and both occur in official records, often for the same person.
 */
function unifyTonePlacement(word: string): string {
  const clusters: { base: string; marks: string[] }[] = [];
  for (const ch of word.normalize('NFD')) {
    const last = clusters[clusters.length - 1];
    if (last && COMBINING_MARK.test(ch)) last.marks.push(ch);
    else clusters.push({ base: ch, marks: [] });
  }
  let moved = false;
  for (let i = 0; i + 1 < clusters.length; i += 1) {
    const glide = clusters[i];
    const vowel = clusters[i + 1];
    const isGlidePair =
      (glide.base === 'o' && (vowel.base === 'a' || vowel.base === 'e')) ||
      (glide.base === 'u' && vowel.base === 'y');
    // Only a bare glide carrying nothing but a tone, before a bare vowel, is the ambiguous case.
    if (
      !isGlidePair ||
      glide.marks.length !== 1 ||
      !TONE_MARKS.has(glide.marks[0]) ||
      vowel.marks.length > 0
    ) {
      continue;
    }
    vowel.marks.push(glide.marks[0]);
    glide.marks = [];
    moved = true;
  }
  if (!moved) return word;
  return clusters
    .map((c) => c.base + c.marks.join(''))
    .join('')
    .normalize('NFC');
}

/** Comparison form: NFC, trimmed, whitespace collapsed, lower case, tone placement unified. */
export function normalizeName(s: string): string {
  // NFKC folds compatibility forms (fullwidth Ｎｇｕｙễｎ) that legacy systems emit; Vietnamese
  // letters are unchanged by it.
  const lower = tidyName(s)
    .normalize('NFKC')
    .toLocaleLowerCase(VI)
    .replace(LOOKALIKE, (c) => LOOKALIKES[c])
    .normalize('NFC')
    .replace(ETH, 'đ');
  return lower.split(' ').map(unifyTonePlacement).join(' ');
}

/** Matching form: normalizeName without diacritics, đ → d, hyphens and apostrophes dropped. */
export function nameMatchKey(s: string): string {
  return (
    normalizeName(s)
      .normalize('NFD')
      .replace(COMBINING_MARKS, '')
      // A lookalike that carried a mark (Greek ἀ) is one only once the mark is gone.
      .replace(LOOKALIKE, (c) => LOOKALIKES[c])
      .replace(/đ/gu, 'd')
      .replace(NAME_PUNCTUATION, ' ')
      .replace(WHITESPACE_RUN, ' ')
      .trim()
  );
}

/** Display form: NFC, trimmed, collapsed, each word (and each hyphen/apostrophe part) capitalised. */
export function displayName(s: string): string {
  return tidyName(s)
    .toLocaleLowerCase(VI)
    .replace(
      /(^|[\s\-'\u2019])(\p{L})/gu,
      (_m, sep: string, letter: string) => sep + letter.toLocaleUpperCase(VI),
    )
    .normalize('NFC');
}

export type NameParts = { surname: string; middle: string; given: string };

/**
 * Splits "Trần Thị Bích Ngọc" into surname "Trần", middle "Thị Bích", given "Ngọc". The surname
 * is the first word: compound surnames (Tôn Nữ, Tôn Thất) cannot be told from a middle name
 * without a list, and matching only needs a stable first word. A one-word name is a given name.
 */
export function splitName(s: string): NameParts {
  const words = tidyName(s)
    .split(' ')
    .filter((w) => w !== '');
  if (words.length === 0) return { surname: '', middle: '', given: '' };
  if (words.length === 1) return { surname: '', middle: '', given: words[0] };
  return { surname: words[0], middle: words.slice(1, -1).join(' '), given: words[words.length - 1] };
}

export type NameComparison = 'EXACT' | 'NORMALIZED' | 'DIFFERENT';

/** How a caller computes match keys: nameMatchKey, or a cache that gives the same keys. */
export type NameKeyOf = (name: string) => string;

/**
 * EXACT when equal after NFC and whitespace tidying, NORMALIZED when equal by match key (spaces
 * aside), else DIFFERENT.
 */
export function compareNames(a: string, b: string, keyOf: NameKeyOf = nameMatchKey): NameComparison {
  if (tidyName(a) === tidyName(b)) return 'EXACT';
  const ka = keyOf(a);
  const kb = keyOf(b);
  // Syllables of ethnic-minority names are joined, hyphenated or spaced by whoever typed them
  // (Y-Moan, Y Moan, Ymoan): the same letters in the same order are the same name.
  return sameLetters(ka, kb) ? 'NORMALIZED' : 'DIFFERENT';
}

/**
 * Two match keys with the same letters in the same order, spaces aside ("y moan", "ymoan"):
 * the same name however its syllables were joined. Builds no string.
 */
export function sameLetters(keyA: string, keyB: string): boolean {
  if (keyA === keyB) return true;
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < keyA.length && keyA.charCodeAt(i) === 32) i += 1;
    while (j < keyB.length && keyB.charCodeAt(j) === 32) j += 1;
    if (i === keyA.length || j === keyB.length) return i === keyA.length && j === keyB.length;
    if (keyA.charCodeAt(i) !== keyB.charCodeAt(j)) return false;
    i += 1;
    j += 1;
  }
}

const WINKLER_PREFIX_SCALE = 0.1;
const WINKLER_MAX_PREFIX = 4;

// Scratch buffers of jaroWinkler (synchronous, never re-entered): it runs on every pair of
// names candidate search compares, and arrays per call were most of its cost.
let sPoints = new Int32Array(64);
let tPoints = new Int32Array(64);
let sMatched = new Uint8Array(64);
let tMatched = new Uint8Array(64);

/** The code points of a string into `into` (grown as needed); their number. */
function codePointsOf(str: string, which: 's' | 't'): number {
  let into = which === 's' ? sPoints : tPoints;
  if (into.length < str.length) {
    into = new Int32Array(str.length * 2);
    if (which === 's') sPoints = into;
    else tPoints = into;
  }
  let n = 0;
  for (let i = 0; i < str.length; i += 1) {
    const cp = str.codePointAt(i)!;
    into[n++] = cp;
    if (cp > 0xffff) i += 1;
  }
  return n;
}

/** Jaro–Winkler similarity of two strings in [0,1], by code point. */
export function jaroWinkler(a: string, b: string): number {
  const sn = codePointsOf(a, 's');
  const tn = codePointsOf(b, 't');
  if (sn === 0 && tn === 0) return 1;
  if (sn === 0 || tn === 0) return 0;
  const s = sPoints;
  const t = tPoints;
  if (sMatched.length < sn) sMatched = new Uint8Array(sn * 2);
  if (tMatched.length < tn) tMatched = new Uint8Array(tn * 2);
  sMatched.fill(0, 0, sn);
  tMatched.fill(0, 0, tn);
  const window = Math.max(0, Math.floor(Math.max(sn, tn) / 2) - 1);
  let matches = 0;
  for (let i = 0; i < sn; i += 1) {
    const from = Math.max(0, i - window);
    const to = Math.min(tn - 1, i + window);
    for (let j = from; j <= to; j += 1) {
      if (tMatched[j] === 0 && s[i] === t[j]) {
        sMatched[i] = 1;
        tMatched[j] = 1;
        matches += 1;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let halfTranspositions = 0;
  let k = 0;
  for (let i = 0; i < sn; i += 1) {
    if (sMatched[i] === 0) continue;
    while (tMatched[k] === 0) k += 1;
    if (s[i] !== t[k]) halfTranspositions += 1;
    k += 1;
  }
  const transpositions = halfTranspositions / 2;
  const jaro = (matches / sn + matches / tn + (matches - transpositions) / matches) / 3;
  let prefix = 0;
  while (prefix < Math.min(WINKLER_MAX_PREFIX, sn, tn) && s[prefix] === t[prefix]) prefix += 1;
  return Math.min(1, jaro + prefix * WINKLER_PREFIX_SCALE * (1 - jaro));
}

// Monge–Elkan: each word of one name paired with its best match in the other, averaged.
function mongeElkan(from: readonly string[], to: readonly string[]): number {
  let total = 0;
  for (const word of from) {
    let best = 0;
    for (const other of to) best = Math.max(best, jaroWinkler(word, other));
    total += best;
  }
  return total / from.length;
}

/**
 * Same words in another order is strong evidence but not proof of the same name, so the
 * order-blind word score is discounted a little below a character-for-character match.
 */
const WORD_ORDER_DISCOUNT = 0.95;

/**
 * Similarity in [0,1] of two names: the better of Jaro–Winkler on the match keys and an
 * order-blind word score, so "Nguyễn Văn Minh Tuấn" and "Nguyễn Minh Văn Tuấn" still score high.
 */
export function nameSimilarity(a: string, b: string): number {
  return keySimilarity(nameMatchKey(a), nameMatchKey(b));
}

/** nameSimilarity of two names given by their match keys (nameMatchKey), for callers that keep them. */
export function keySimilarity(keyA: string, keyB: string): number {
  // Greedy Jaro matching can depend on argument order; sorting keeps the score symmetric.
  const ka = keyA <= keyB ? keyA : keyB;
  const kb = keyA <= keyB ? keyB : keyA;
  if (ka === kb) return 1;
  if (ka === '' || kb === '') return 0;
  const wa = ka.split(' ');
  const wb = kb.split(' ');
  const words = (mongeElkan(wa, wb) + mongeElkan(wb, wa)) / 2;
  return Math.max(jaroWinkler(ka, kb), WORD_ORDER_DISCOUNT * words);
}
