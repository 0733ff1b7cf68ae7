/**
 * The generator's randomness. A small, self-contained PRNG rather than Math.random (not
 * seedable) or pure-rand (only present as a dev dependency of fast-check, and the seed tool
 * runs in production images without dev dependencies).
 *
 * Every person gets a generator of its own, seeded from (seed, stream, index): a person's
 * data then does not depend on how many random numbers the people before it consumed, so
 * changing one rule shifts only the values that rule touches, and a test can regenerate
 * person #12,345 without generating the 12,344 before it.
 */

// splitmix32 finaliser: spreads (seed, stream, index) over all 32 bits before they seed sfc32.
function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

const TWO_POW_32 = 4294967296;
// sfc32's authors advise discarding the first outputs after seeding with correlated words.
const WARM_UP_ROUNDS = 12;

/** sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): 128 bits of state, passes PractRand. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream = 0, index = 0) {
    const s = mix32(seed ^ mix32(stream ^ mix32(index)));
    this.a = mix32(s);
    this.b = mix32(s ^ 0x6a09e667);
    this.c = mix32(s ^ 0xbb67ae85);
    this.d = 1;
    for (let i = 0; i < WARM_UP_ROUNDS; i += 1) this.uint32();
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / TWO_POW_32;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [lo, hi], both included. */
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

/** A discrete distribution over values, sampled by binary search on the cumulative weights. */
export class Weighted<T> {
  private readonly values: T[];
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(entries: readonly (readonly [T, number])[]) {
    const kept = entries.filter(([, w]) => w > 0);
    if (kept.length === 0) throw new RangeError('a weighted table needs at least one positive weight');
    this.values = kept.map(([v]) => v);
    this.cumulative = new Float64Array(kept.length);
    let sum = 0;
    kept.forEach(([, w], i) => {
      sum += w;
      this.cumulative[i] = sum;
    });
    this.total = sum;
  }

  /** Number of distinct values. */
  get size(): number {
    return this.values.length;
  }

  sample(rng: Random): T {
    const x = rng.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return this.values[lo];
  }

  /** The share of the total weight a value carries (tests compare samples against it). */
  shareOf(value: T): number {
    let previous = 0;
    let share = 0;
    this.values.forEach((v, i) => {
      if (v === value) share += this.cumulative[i] - previous;
      previous = this.cumulative[i];
    });
    return share / this.total;
  }
}

/**
 * A bijection of [0, modulus): consecutive counters become scattered, never-repeating serials,
 * so IDs look random yet are unique by construction (no set of issued IDs kept in memory).
 * `factor` must be coprime with the modulus and factor × modulus must stay below 2^53.
 */
export function scatter(counter: number, modulus: number, factor: number, offset: number): number {
  return (counter * factor + offset) % modulus;
}

/**
 * Parses "Văn:9 Đức:8 …" into [word, weight] pairs: long name tables stay readable as a few
 * lines of text instead of hundreds of formatted tuples.
 */
export function parseWeightedWords(text: string): [string, number][] {
  return text
    .trim()
    .split(/\s+/u)
    .map((token) => {
      const [word, weight] = token.split(':');
      const value = Number(weight);
      if (!word || !Number.isFinite(value))
        throw new RangeError(`bad weighted word ${JSON.stringify(token)}`);
      return [word.normalize('NFC'), value];
    });
}

export function weightedWords(text: string): Weighted<string> {
  return new Weighted(parseWeightedWords(text));
}

/** Splits a whitespace-separated word list. */
export function words(text: string): string[] {
  return text
    .trim()
    .split(/\s+/u)
    .map((w) => w.normalize('NFC'));
}

/** Splits a comma-separated list of phrases (street names have spaces in them). */
export function commaList(text: string): string[] {
  return text
    .split(',')
    .map((w) => w.replace(/\s+/gu, ' ').trim().normalize('NFC'))
    .filter((w) => w !== '');
}
