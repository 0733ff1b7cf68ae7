import {
  COMPARISON_NAMES,
  COMPARISONS,
  type ComparisonName,
  type ComparisonVector,
  type LevelParameters,
  type MatchModel,
  type NameFrequencies,
} from './match-model';

/**
 * Estimating the model's parameters from data, as Splink does: u from pairs drawn at random
 * (almost all of them different people), m by expectation–maximisation on the pairs a blocking
 * rule produces, one training session per rule with the comparisons that rule fixed left out
 * (pairs that agree on a date by construction say nothing of how dates agree among matches).
 * Pure: the trainer in libs/reconciliation reads the records and feeds the vectors.
 */

export type Parameters = { [C in ComparisonName]: Record<string, number> };

/** Pairs with the same comparison vector, counted once: EM then costs per pattern, not per pair. */
export class PatternCounts {
  private readonly counts = new Map<string, { vector: ComparisonVector; count: number }>();
  private pairs = 0;

  add(vector: ComparisonVector, n = 1): void {
    const key = COMPARISON_NAMES.map((c) => vector[c] ?? '').join('|');
    const entry = this.counts.get(key);
    if (entry) entry.count += n;
    else this.counts.set(key, { vector, count: n });
    this.pairs += n;
  }

  get total(): number {
    return this.pairs;
  }

  patterns(): Iterable<{ vector: ComparisonVector; count: number }> {
    return this.counts.values();
  }
}

/** Probabilities smaller than this are taken as this: a level never seen is rare, not impossible. */
export const MIN_PROBABILITY = 1e-6;

/**
 * Counts added to every level before shares are taken (additive smoothing): a level the data
 * never showed gets a small share instead of none, so one unusual pair cannot weigh −∞.
 */
export const PSEUDO_COUNT = 0.5;

function normalise(counts: Record<string, number>, levels: readonly string[]): Record<string, number> {
  const total = levels.reduce((sum, l) => sum + (counts[l] ?? 0) + PSEUDO_COUNT, 0);
  const out: Record<string, number> = {};
  for (const l of levels) out[l] = Math.max(MIN_PROBABILITY, ((counts[l] ?? 0) + PSEUDO_COUNT) / total);
  const sum = levels.reduce((s, l) => s + out[l], 0);
  for (const l of levels) out[l] /= sum;
  return out;
}

/** The level shares among pairs of different people: u, from randomly drawn pairs. */
export function estimateU(random: PatternCounts): Parameters {
  const counts = Object.fromEntries(
    COMPARISON_NAMES.map((c) => [c, {} as Record<string, number>]),
  ) as Parameters;
  for (const { vector, count } of random.patterns()) {
    for (const c of COMPARISON_NAMES) {
      const level = vector[c];
      if (level !== undefined) counts[c][level] = (counts[c][level] ?? 0) + count;
    }
  }
  return Object.fromEntries(
    COMPARISON_NAMES.map((c) => [c, normalise(counts[c], COMPARISONS[c])]),
  ) as Parameters;
}

export type EmResult = { m: Parameters; prior: number; iterations: number; converged: boolean };

/**
 * Expectation–maximisation of m and the prior with u held fixed (Splink's default). Each round
 * computes every pattern's probability of being a match under the current parameters and
 * re-estimates m as the match-weighted level shares. Comparisons in `fixed` keep their start
 * values: the blocking rule decided them.
 */
export function expectationMaximisation(input: {
  patterns: PatternCounts;
  u: Parameters;
  m: Parameters;
  prior: number;
  fixed?: readonly ComparisonName[];
  maxIterations?: number;
  tolerance?: number;
}): EmResult {
  const fixed = new Set(input.fixed ?? []);
  const free = COMPARISON_NAMES.filter((c) => !fixed.has(c));
  let m = structuredClone(input.m);
  let prior = input.prior;
  const maxIterations = input.maxIterations ?? 50;
  const tolerance = input.tolerance ?? 1e-5;
  for (let iteration = 1; iteration <= maxIterations; iteration += 1) {
    const expected = Object.fromEntries(free.map((c) => [c, {} as Record<string, number>])) as Parameters;
    let matches = 0;
    let total = 0;
    for (const { vector, count } of input.patterns.patterns()) {
      let logM = Math.log(prior);
      let logU = Math.log(1 - prior);
      for (const c of COMPARISON_NAMES) {
        const level = vector[c];
        if (level === undefined || fixed.has(c)) continue;
        logM += Math.log(m[c][level]);
        logU += Math.log(input.u[c][level]);
      }
      const w = 1 / (1 + Math.exp(logU - logM));
      matches += w * count;
      total += count;
      for (const c of free) {
        const level = vector[c];
        if (level !== undefined) expected[c][level] = (expected[c][level] ?? 0) + w * count;
      }
    }
    const next = structuredClone(m);
    let change = Math.abs(matches / total - prior);
    for (const c of free) {
      next[c] = normalise(expected[c], COMPARISONS[c]);
      for (const l of COMPARISONS[c]) change = Math.max(change, Math.abs(next[c][l] - m[c][l]));
    }
    m = next;
    prior = Math.min(1 - MIN_PROBABILITY, Math.max(MIN_PROBABILITY, matches / total));
    if (change < tolerance) return { m, prior, iterations: iteration, converged: true };
  }
  return { m, prior, iterations: maxIterations, converged: false };
}

/** Word shares by position from counts; words seen fewer than `minCount` times are left to `unseen`. */
export function nameFrequenciesOf(
  counts: { surname: Map<string, number>; middle: Map<string, number>; given: Map<string, number> },
  minCount = 2,
): NameFrequencies {
  const table = (words: Map<string, number>) => {
    const total = [...words.values()].reduce((s, n) => s + n, 0);
    const out: Record<string, number> = {};
    for (const [w, n] of [...words.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)))
      if (n >= minCount) out[w] = Number((n / total).toPrecision(4));
    return { out, total };
  };
  const surname = table(counts.surname);
  const middle = table(counts.middle);
  const given = table(counts.given);
  const smallest = Math.max(1, Math.max(surname.total, given.total));
  return {
    surname: surname.out,
    middle: middle.out,
    given: given.out,
    unseen: Number((1 / smallest).toPrecision(4)),
  };
}

/** The parameters as a model's comparisons: m and u of every level, rounded for a readable file. */
export function comparisonsOf(m: Parameters, u: Parameters): MatchModel['comparisons'] {
  const round = (x: number) => Number(x.toPrecision(4));
  return Object.fromEntries(
    COMPARISON_NAMES.map((c) => [
      c,
      Object.fromEntries(
        COMPARISONS[c].map((l): [string, LevelParameters] => [l, { m: round(m[c][l]), u: round(u[c][l]) }]),
      ),
    ]),
  ) as MatchModel['comparisons'];
}

/**
 * Where EM starts: rough guesses of how true matches agree (most exactly, a few with one slip).
 * EM moves away from them within a few rounds; they only need to put matches above non-matches.
 */
export const EM_START: Parameters = {
  full_name: {
    EXACT: 0.85,
    EXACT_WITHOUT_DIACRITICS: 0.06,
    ABBREVIATED: 0.02,
    ONE_EDIT: 0.03,
    SIMILAR: 0.02,
    OTHER: 0.02,
  },
  date_of_birth_day: {
    EXACT: 0.9,
    DAY_MONTH_SWAPPED: 0.02,
    ONE_PART_DIFFERS: 0.04,
    YEAR_OFF_BY_ONE: 0.01,
    OTHER: 0.03,
  },
  date_of_birth_month: { EXACT_AT_MONTH: 0.92, ONE_PART_DIFFERS: 0.04, YEAR_OFF_BY_ONE: 0.01, OTHER: 0.03 },
  date_of_birth_year: { EXACT_AT_YEAR: 0.94, YEAR_OFF_BY_ONE: 0.03, OTHER: 0.03 },
  gender: { AGREES: 0.97, DISAGREES: 0.03 },
  province: { AGREES: 0.8, DISAGREES: 0.2 },
};

/** Averages two estimates of the same comparison (two sessions that both left it free). */
export function averageParameters(
  a: Record<string, number>,
  b: Record<string, number>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of Object.keys(a)) out[l] = (a[l] + (b[l] ?? a[l])) / 2;
  return out;
}
