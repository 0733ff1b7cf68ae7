import fc from 'fast-check';
import { type ComparisonVector } from './match-model';
import {
  EM_START,
  estimateU,
  expectationMaximisation,
  nameFrequenciesOf,
  type Parameters,
  PatternCounts,
} from './match-training';

/** Draws a level by its probability. */
function draw(rand: () => number, probabilities: Record<string, number>): string {
  let x = rand();
  for (const [level, p] of Object.entries(probabilities)) {
    x -= p;
    if (x < 0) return level;
  }
  return Object.keys(probabilities).pop()!;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const TRUE_M = {
  full_name: {
    EXACT: 0.7,
    EXACT_WITHOUT_DIACRITICS: 0.1,
    ABBREVIATED: 0.05,
    ONE_EDIT: 0.1,
    SIMILAR: 0.03,
    OTHER: 0.02,
  },
  date_of_birth_day: {
    EXACT: 0.85,
    DAY_MONTH_SWAPPED: 0.05,
    ONE_PART_DIFFERS: 0.05,
    YEAR_OFF_BY_ONE: 0.02,
    OTHER: 0.03,
  },
  gender: { AGREES: 0.95, DISAGREES: 0.05 },
  province: { AGREES: 0.8, DISAGREES: 0.2 },
};
const TRUE_U = {
  full_name: {
    EXACT: 0.001,
    EXACT_WITHOUT_DIACRITICS: 0.001,
    ABBREVIATED: 0.001,
    ONE_EDIT: 0.002,
    SIMILAR: 0.05,
    OTHER: 0.945,
  },
  date_of_birth_day: {
    EXACT: 0.0001,
    DAY_MONTH_SWAPPED: 0.0001,
    ONE_PART_DIFFERS: 0.002,
    YEAR_OFF_BY_ONE: 0.0001,
    OTHER: 0.9977,
  },
  gender: { AGREES: 0.5, DISAGREES: 0.5 },
  province: { AGREES: 0.05, DISAGREES: 0.95 },
};

/** Pairs of a known mixture: a share `prior` drawn from m, the rest from u. */
function simulate(
  seed: number,
  pairs: number,
  prior: number,
): { patterns: PatternCounts; random: PatternCounts } {
  const rand = lcg(seed);
  const patterns = new PatternCounts();
  const random = new PatternCounts();
  const vector = (p: typeof TRUE_M): ComparisonVector => ({
    full_name: draw(rand, p.full_name),
    date_of_birth_day: draw(rand, p.date_of_birth_day),
    gender: draw(rand, p.gender),
    province: draw(rand, p.province),
  });
  for (let i = 0; i < pairs; i += 1) patterns.add(vector(rand() < prior ? TRUE_M : TRUE_U));
  for (let i = 0; i < pairs; i += 1) random.add(vector(TRUE_U));
  return { patterns, random };
}

describe('expectationMaximisation', () => {
  it('recovers the m probabilities and the share of matches of a known mixture (property over seeds and priors)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.double({ min: 0.05, max: 0.5, noNaN: true }),
        (seed, prior) => {
          const { patterns, random } = simulate(seed, 40_000, prior);
          const u = estimateU(random);
          const result = expectationMaximisation({ patterns, u, m: EM_START, prior: 0.1 });
          expect(result.converged).toBe(true);
          expect(Math.abs(result.prior - prior)).toBeLessThan(0.02);
          for (const comparison of Object.keys(TRUE_M) as (keyof typeof TRUE_M)[]) {
            for (const [level, m] of Object.entries(TRUE_M[comparison]))
              expect(Math.abs((result.m as Parameters)[comparison][level] - m)).toBeLessThan(0.04);
          }
        },
      ),
      { numRuns: 8 },
    );
  });

  it('leaves the comparisons a blocking rule fixed at their start values', () => {
    const { patterns, random } = simulate(7, 10_000, 0.2);
    const result = expectationMaximisation({
      patterns,
      u: estimateU(random),
      m: EM_START,
      prior: 0.1,
      fixed: ['full_name'],
    });
    expect(result.m.full_name).toEqual(EM_START.full_name);
    expect(result.m.gender.AGREES).toBeGreaterThan(0.9);
  });
});

describe('estimateU', () => {
  it('gives every level a share, the shares of a comparison summing to 1', () => {
    const { random } = simulate(3, 5_000, 0);
    const u = estimateU(random);
    for (const levels of Object.values(u)) {
      const total = Object.values(levels).reduce((s, p) => s + p, 0);
      expect(total).toBeCloseTo(1, 9);
      for (const p of Object.values(levels)) expect(p).toBeGreaterThan(0);
    }
  });
});

describe('nameFrequenciesOf', () => {
  it('gives shares by position, leaving rare words to the unseen share', () => {
    const f = nameFrequenciesOf({
      surname: new Map([
        ['nguyen', 6],
        ['tran', 3],
        ['hau', 1],
      ]),
      middle: new Map([['van', 4]]),
      given: new Map([
        ['an', 5],
        ['pao', 1],
        ['hung', 4],
      ]),
    });
    expect(f.surname).toEqual({ nguyen: 0.6, tran: 0.3 });
    expect(f.given).toEqual({ an: 0.5, hung: 0.4 });
    expect(f.unseen).toBeCloseTo(0.1, 9);
  });
});
