import { formatPartialDate, precisionOf } from '@vss/domain';
import {
  citizenProvinces,
  comparePair,
  type MatchModel,
  type PairCitizen,
  type PairRecord,
} from '@vss/domain/match-model';
import {
  averageParameters,
  comparisonsOf,
  EM_START,
  estimateU,
  expectationMaximisation,
  nameFrequenciesOf,
  type Parameters,
  PatternCounts,
} from '@vss/domain/match-training';
import { type InsuranceRecord, type RegistryPerson, storedPartialDate } from '@vss/domain/reconciliation';
import { NameKeys } from './registry-person';

/**
 * Trains the reconciliation model on real data, as Splink does: name-word frequencies from the
 * whole registry; u from pairs drawn at random; m and the prior by EM in two sessions, one on
 * pairs that share a birth date (the name's levels are learnt there) and one on pairs that share
 * a whole name and birth year (the date's levels are learnt there). Each session leaves the
 * comparisons its blocking decided at their start values. Reads each source once; holds the
 * record sample, a sample of citizens and the word counts.
 */

export interface TrainingOptions {
  name: string;
  version: string;
  trainedAt: string;
  /** Random pairs for u. */
  randomPairs?: number;
  /** Citizens kept (by reservoir) to draw random pairs from. */
  citizenSample?: number;
  seed?: number;
  thresholds?: MatchModel['thresholds'];
}

export interface TrainingReport {
  model: MatchModel;
  /** The pairs each session's blocking produced: the block sizes, measured before any run. */
  sessions: {
    blocking: string;
    pairs: number;
    patterns: number;
    iterations: number;
    converged: boolean;
    prior: number;
  }[];
}

/** A small deterministic generator, so that a training on the same data gives the same file. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Side = { record: PairRecord; nameKey: string; year: number };

function push<V>(map: Map<string, V[]>, key: string, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const countWord = (map: Map<string, number>, word: string | undefined) => {
  if (word) map.set(word, (map.get(word) ?? 0) + 1);
};

export async function trainModel(
  records: Iterable<InsuranceRecord>,
  citizens: AsyncIterable<readonly RegistryPerson[]>,
  options: TrainingOptions,
): Promise<TrainingReport> {
  const keys = new NameKeys();
  const random = mulberry32(options.seed ?? 1);
  const sample: Side[] = [];
  const byDate = new Map<string, Side[]>();
  const byNameYear = new Map<string, Side[]>();
  for (const r of records) {
    const dateOfBirth = storedPartialDate(r.dateOfBirth);
    const nameKey = keys.of(r.fullName);
    const side: Side = {
      record: { fullName: r.fullName, nameKey, dateOfBirth, gender: r.gender, provinceCode: r.provinceCode },
      nameKey,
      year: dateOfBirth.year,
    };
    sample.push(side);
    if (precisionOf(dateOfBirth) === 'DAY') {
      const key = formatPartialDate(dateOfBirth);
      push(byDate, key, side);
    }
    const key = `${nameKey}|${side.year}`;
    push(byNameYear, key, side);
  }
  if (sample.length === 0) throw new RangeError('no insurance records to train on');

  const onDate = new PatternCounts();
  const onName = new PatternCounts();
  const words = {
    surname: new Map<string, number>(),
    middle: new Map<string, number>(),
    given: new Map<string, number>(),
  };
  const kept: PairCitizen[] = [];
  const keep = options.citizenSample ?? 5_000;
  let seen = 0;
  for await (const page of citizens) {
    for (const c of page) {
      const nameKey = keys.of(c.fullName);
      const parts = nameKey.split(' ');
      if (parts.length > 1) countWord(words.surname, parts[0]);
      countWord(words.given, parts[parts.length - 1]);
      for (let i = 1; i < parts.length - 1; i += 1) countWord(words.middle, parts[i]);
      const citizen: PairCitizen = {
        fullName: c.fullName,
        nameKey,
        dateOfBirth: c.dateOfBirth,
        gender: c.gender,
        provinceCodes: citizenProvinces(c.residenceProvinceCode, c.birthProvinceCode),
      };
      seen += 1;
      if (kept.length < keep) kept.push(citizen);
      else {
        const at = Math.floor(random() * seen);
        if (at < keep) kept[at] = citizen;
      }
      for (const side of byDate.get(c.dateOfBirth) ?? []) onDate.add(comparePair(side.record, citizen));
      for (const side of byNameYear.get(`${nameKey}|${c.dateOfBirth.slice(0, 4)}`) ?? [])
        onName.add(comparePair(side.record, citizen));
    }
  }
  if (kept.length === 0) throw new RangeError('the registry exported no citizens to train on');

  // u of a date known only to the month or the year is the share among pairs of records of that
  // precision: drawn from each precision's records apart, or the rare ones would go unseen.
  const randomCounts = new PatternCounts();
  const pairs = options.randomPairs ?? 200_000;
  const groups = [
    sample,
    ...(['DAY', 'MONTH', 'YEAR'] as const).map((p) =>
      sample.filter((s) => precisionOf(s.record.dateOfBirth!) === p),
    ),
  ];
  for (const group of groups.filter((g) => g.length > 0)) {
    for (let i = 0; i < pairs / 2; i += 1) {
      const side = group[Math.floor(random() * group.length)];
      const citizen = kept[Math.floor(random() * kept.length)];
      randomCounts.add(comparePair(side.record, citizen));
    }
  }
  const u = estimateU(randomCounts);

  const dates = ['date_of_birth_day', 'date_of_birth_month', 'date_of_birth_year'] as const;
  const a = expectationMaximisation({ patterns: onDate, u, m: EM_START, prior: 1e-3, fixed: dates });
  const b = expectationMaximisation({ patterns: onName, u, m: EM_START, prior: 0.1, fixed: ['full_name'] });
  const m: Parameters = {
    full_name: a.m.full_name,
    date_of_birth_day: b.m.date_of_birth_day,
    date_of_birth_month: b.m.date_of_birth_month,
    date_of_birth_year: b.m.date_of_birth_year,
    gender: averageParameters(a.m.gender, b.m.gender),
    province: averageParameters(a.m.province, b.m.province),
  };

  const model: MatchModel = {
    name: options.name,
    version: options.version,
    description:
      'Fellegi–Sunter model of insurance records against registry citizens: u from random pairs, m by EM on birth-date and name-and-year blocks, name term frequencies from the registry.',
    trainedAt: options.trainedAt,
    training: {
      records: sample.length,
      citizens: seen,
      randomPairs: pairs,
      birthDatePairs: onDate.total,
      nameYearPairs: onName.total,
      emIterationsBirthDate: a.iterations,
      emIterationsNameYear: b.iterations,
      converged: a.converged && b.converged,
    },
    // The prior of a pair that blocking put side by side: the birth-date session's, the broader.
    priorMatchProbability: Number(a.prior.toPrecision(4)),
    comparisons: comparisonsOf(m, u),
    nameFrequencies: nameFrequenciesOf(words),
    thresholds: options.thresholds ?? { candidate: 0.5, match: 0.95 },
  };
  return {
    model,
    sessions: [
      { blocking: 'BIRTH_DATE', pairs: onDate.total, patterns: [...onDate.patterns()].length, ...pick(a) },
      { blocking: 'NAME_YEAR', pairs: onName.total, patterns: [...onName.patterns()].length, ...pick(b) },
    ],
  };
}

const pick = (r: { iterations: number; converged: boolean; prior: number }) => ({
  iterations: r.iterations,
  converged: r.converged,
  prior: r.prior,
});
