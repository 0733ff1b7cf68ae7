import fc from 'fast-check';
import { parseWeightedWords, Random, scatter, Weighted } from './random';

describe('Random', () => {
  it('repeats its sequence for the same seed, stream and index, and differs otherwise', () => {
    const draw = (r: Random) => Array.from({ length: 8 }, () => r.uint32());
    expect(draw(new Random(42, 1, 7))).toEqual(draw(new Random(42, 1, 7)));
    expect(draw(new Random(42, 1, 7))).not.toEqual(draw(new Random(42, 1, 8)));
    expect(draw(new Random(42, 1, 7))).not.toEqual(draw(new Random(42, 2, 7)));
    expect(draw(new Random(42, 1, 7))).not.toEqual(draw(new Random(43, 1, 7)));
  });

  it('draws floats in [0, 1) and integers in range', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 1000 }), (seed, n) => {
        const rng = new Random(seed);
        for (let i = 0; i < 50; i += 1) {
          const x = rng.next();
          expect(x >= 0 && x < 1).toBe(true);
          const k = rng.int(n);
          expect(Number.isInteger(k) && k >= 0 && k < n).toBe(true);
        }
      }),
    );
  });

  it('is roughly uniform (neighbouring person indexes are not correlated)', () => {
    const buckets = new Array<number>(10).fill(0);
    for (let index = 0; index < 100_000; index += 1)
      buckets[Math.floor(new Random(1, 1, index).next() * 10)] += 1;
    for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(400);
  });
});

describe('Weighted', () => {
  it('samples values in proportion to their weights', () => {
    const table = new Weighted([
      ['a', 1],
      ['b', 3],
      ['c', 0],
      ['d', 6],
    ] as const);
    const rng = new Random(3);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 100_000; i += 1) {
      const v = table.sample(rng);
      counts[v] = (counts[v] ?? 0) + 1;
    }
    expect(counts.c).toBeUndefined();
    expect(counts.a / 100_000).toBeCloseTo(0.1, 1);
    expect(counts.b / 100_000).toBeCloseTo(0.3, 1);
    expect(table.shareOf('d')).toBeCloseTo(0.6);
    expect(table.size).toBe(3);
  });

  it('refuses a table with nothing to draw', () => {
    expect(() => new Weighted([['x', 0]])).toThrow(RangeError);
  });
});

describe('scatter', () => {
  it('is a bijection when the factor is coprime with the modulus', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.nat(), (modulus, offset) => {
        let factor = 7_919;
        while (gcd(factor, modulus) !== 1) factor += 2;
        const seen = new Set<number>();
        for (let i = 0; i < modulus; i += 1) seen.add(scatter(i, modulus, factor, offset % modulus));
        expect(seen.size).toBe(modulus);
      }),
      { numRuns: 30 },
    );
  });
});

describe('parseWeightedWords', () => {
  it('reads "word:weight" tokens in NFC and refuses malformed ones', () => {
    expect(parseWeightedWords(' Ho\u0300a:2\n  An:1.5 ')).toEqual([
      ['Hòa', 2],
      ['An', 1.5],
    ]);
    expect(() => parseWeightedWords('An:x')).toThrow(RangeError);
  });
});

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
