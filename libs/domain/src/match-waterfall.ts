import {
  citizenProvinces,
  COMPARISON_NAMES,
  type ComparisonName,
  comparePair,
  type LevelParameters,
  type MatchModel,
  nameFrequency,
  type PairCitizen,
  type PairRecord,
  probabilityOf,
} from './match-model';
import { nameMatchKey } from './names';
import { type InsuranceRecord, type RegistryPerson, storedPartialDate } from './reconciliation';

/** One bar of a match-weight waterfall: a field's comparison level and what it adds. */
export type WaterfallStep = {
  comparison: ComparisonName;
  level: string;
  m: number;
  u: number;
  /** log2(m/u) of the level, in bits. */
  weight: number;
  /** What the name's frequency changed of an exact name's weight (0 for other fields and levels). */
  termFrequencyAdjustment: number;
};

/**
 * Why the model gives a pair its probability, in the manner of Splink's waterfall chart: the
 * prior as a weight, each field's level with its m, u and weight, the term-frequency adjustment
 * of an exact name, the final weight and the probability. Computed for the pair shown, when it
 * is shown; nothing of it is stored.
 */
export type MatchWaterfall = {
  /** The prior match probability as a weight: log2(λ / (1 − λ)). */
  priorWeight: number;
  priorProbability: number;
  steps: WaterfallStep[];
  /** Sum of the steps' weights (the prior not included), as scorePair gives it. */
  matchWeight: number;
  /** priorWeight + matchWeight. */
  finalWeight: number;
  probability: number;
};

const log2Ratio = (p: LevelParameters) => Math.log2(p.m / p.u);

/**
 * The waterfall of a pair under a model; its match weight and probability are scorePair's.
 * `prior` is the model's unless given: records already linked by citizen ID are weighed from
 * the linked prior (LINKED_PRIOR), as the runs weigh them.
 */
export function explainPair(
  model: MatchModel,
  record: PairRecord,
  citizen: PairCitizen,
  prior = model.priorMatchProbability,
): MatchWaterfall {
  const vector = comparePair(record, citizen);
  const steps: WaterfallStep[] = [];
  for (const comparison of COMPARISON_NAMES) {
    const level = vector[comparison];
    if (level === undefined) continue;
    const parameters = (model.comparisons[comparison] as Record<string, LevelParameters>)[level];
    const weight = log2Ratio(parameters);
    let termFrequencyAdjustment = 0;
    if (comparison === 'full_name' && (level === 'EXACT' || level === 'EXACT_WITHOUT_DIACRITICS')) {
      const share = nameFrequency(model.nameFrequencies, citizen.nameKey ?? nameMatchKey(citizen.fullName));
      termFrequencyAdjustment = Math.log2(parameters.m / Math.max(parameters.u, share)) - weight;
    }
    steps.push({ comparison, level, m: parameters.m, u: parameters.u, weight, termFrequencyAdjustment });
  }
  const matchWeight = steps.reduce((sum, s) => sum + s.weight + s.termFrequencyAdjustment, 0);
  const priorWeight = Math.log2(prior / (1 - prior));
  return {
    priorWeight,
    priorProbability: prior,
    steps,
    matchWeight,
    finalWeight: priorWeight + matchWeight,
    probability: probabilityOf({ priorMatchProbability: prior }, matchWeight),
  };
}

/** An insurance record and a registry citizen as a pair, compared the way the runs compare them. */
export function explainRecord(
  model: MatchModel,
  record: InsuranceRecord,
  citizen: RegistryPerson,
  prior?: number,
): MatchWaterfall {
  return explainPair(
    model,
    {
      fullName: record.fullName,
      dateOfBirth: storedPartialDate(record.dateOfBirth),
      gender: record.gender,
      provinceCode: record.provinceCode,
    },
    {
      fullName: citizen.fullName,
      dateOfBirth: citizen.dateOfBirth,
      gender: citizen.gender,
      provinceCodes: citizenProvinces(citizen.residenceProvinceCode, citizen.birthProvinceCode),
    },
    prior,
  );
}
