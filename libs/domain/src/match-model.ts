import type { Gender } from './citizen-id';
import {
  AGREEMENT_LEVELS,
  birthDateLevel,
  DAY_DATE_LEVELS,
  dateComparisonOf,
  MONTH_DATE_LEVELS,
  NAME_LEVELS,
  type NameLevel,
  nameLevel,
  YEAR_DATE_LEVELS,
} from './comparison-levels';
import type { IsoDate, PartialDate } from './dates';
import { nameMatchKey } from './names';

export * from './comparison-levels';

/**
 * The Fellegi–Sunter model that decides whether an insurance record and a registry citizen are
 * the same person, in the manner of Splink: each field is compared at one of a few levels, each
 * level has an m probability (how often true matches fall in it) and a u probability (how often
 * two different people do), and the evidence of a level is its match weight log2(m/u). Names
 * matched exactly get a term-frequency adjustment: agreeing on "Nguyễn Văn An" proves far less
 * than agreeing on "Hầu A Páo". The parameters are estimated from the data (match-training) and
 * kept as a versioned model file that every run records. Pure: no I/O.
 */

/**
 * The comparisons of the model. A birth date known only to the month or the year is compared by
 * a comparison of its own: its levels are different, and so are their m and u (agreeing on a
 * year is weak evidence; agreeing on a whole date is strong).
 */
export const COMPARISONS = {
  full_name: NAME_LEVELS,
  date_of_birth_day: DAY_DATE_LEVELS,
  date_of_birth_month: MONTH_DATE_LEVELS,
  date_of_birth_year: YEAR_DATE_LEVELS,
  gender: AGREEMENT_LEVELS,
  province: AGREEMENT_LEVELS,
} as const;
export type ComparisonName = keyof typeof COMPARISONS;
export const COMPARISON_NAMES = Object.keys(COMPARISONS) as ComparisonName[];

/** The field an explanation names: the three date comparisons are one field to a person. */
export type EvidenceField = 'full_name' | 'date_of_birth' | 'gender' | 'province';

export type LevelParameters = { m: number; u: number };

/**
 * Word frequencies of names, by position, as shares of the population: the term-frequency
 * table. A full name's frequency is taken as the product of its words' (surname × middle words
 * × given name), so the table stays a few thousand words long for any population.
 */
export type NameFrequencies = {
  surname: Readonly<Record<string, number>>;
  middle: Readonly<Record<string, number>>;
  given: Readonly<Record<string, number>>;
  /** The share assumed for a word the table does not hold. */
  unseen: number;
};

export type MatchModel = {
  name: string;
  /** Changes whenever a parameter changes; a run records it with the file's digest. */
  version: string;
  description: string;
  trainedAt: string;
  /** What the parameters were estimated from: records, pairs, EM iterations. */
  training: Readonly<Record<string, string | number | boolean>>;
  /** Prior probability that a pair blocking produces is a true match (λ in Splink). */
  priorMatchProbability: number;
  comparisons: { [C in ComparisonName]: Readonly<Record<(typeof COMPARISONS)[C][number], LevelParameters>> };
  /** Term-frequency adjustment of the exact name levels. */
  nameFrequencies: NameFrequencies;
  /** Probabilities at which a citizen is a candidate worth an officer's time, and a match. */
  thresholds: { candidate: number; match: number };
};

export type FieldEvidence = {
  field: EvidenceField;
  level: string;
  /** log2(m/u) of the level (term-frequency adjusted for exact names), in bits. */
  weight: number;
};

export type PairScore = {
  /** Probability in [0, 1] that the two are the same person. */
  probability: number;
  /** Sum of the fields' weights: the Splink match weight, without the prior. */
  matchWeight: number;
  evidence: FieldEvidence[];
};

/** The record side of a pair. Names may come with their match keys already computed. */
export type PairRecord = {
  fullName: string;
  nameKey?: string;
  /** exactNameForm(fullName), when the caller keeps it. */
  exactForm?: string;
  dateOfBirth?: PartialDate;
  gender?: Gender;
  provinceCode?: string;
};

/** The registry side: where they live and where their birth was registered both count as theirs. */
export type PairCitizen = {
  fullName: string;
  nameKey?: string;
  /** exactNameForm(fullName), when the caller keeps it. */
  exactForm?: string;
  dateOfBirth: IsoDate;
  gender: Gender;
  provinceCodes?: readonly string[];
};

/** The provinces that count as a citizen's: where they live and where their birth was registered. */
export function citizenProvinces(residenceProvinceCode: string | null, birthProvinceCode: string): string[] {
  return residenceProvinceCode === null || residenceProvinceCode === birthProvinceCode
    ? [birthProvinceCode]
    : [residenceProvinceCode, birthProvinceCode];
}

/** The share of the population with this name (by match key), from the word frequencies. */
export function nameFrequency(frequencies: NameFrequencies, nameKey: string): number {
  const words = nameKey.split(' ');
  if (words.length === 1) return frequencies.given[words[0]] ?? frequencies.unseen;
  let share =
    (frequencies.surname[words[0]] ?? frequencies.unseen) *
    (frequencies.given[words[words.length - 1]] ?? frequencies.unseen);
  for (let i = 1; i < words.length - 1; i += 1) share *= frequencies.middle[words[i]] ?? frequencies.unseen;
  return share;
}

const weightOf = (p: LevelParameters) => Math.log2(p.m / p.u);

/** The level of a pair's names, from the keys and exact forms either side already has. */
function pairNameLevel(record: PairRecord, citizen: PairCitizen): NameLevel {
  return nameLevel(
    record.fullName,
    citizen.fullName,
    record.nameKey,
    citizen.nameKey,
    record.exactForm,
    citizen.exactForm,
  );
}

/** The comparison levels of a pair, as match-training counts them; null where a field is absent. */
export type ComparisonVector = { [C in ComparisonName]?: string };

export function comparePair(record: PairRecord, citizen: PairCitizen): ComparisonVector {
  const vector: ComparisonVector = {
    full_name: pairNameLevel(record, citizen),
  };
  if (record.dateOfBirth !== undefined)
    vector[dateComparisonOf(record.dateOfBirth)] = birthDateLevel(record.dateOfBirth, citizen.dateOfBirth);
  if (record.gender !== undefined) vector.gender = record.gender === citizen.gender ? 'AGREES' : 'DISAGREES';
  if (record.provinceCode !== undefined && citizen.provinceCodes && citizen.provinceCodes.length > 0)
    vector.province = citizen.provinceCodes.includes(record.provinceCode) ? 'AGREES' : 'DISAGREES';
  return vector;
}

/** The probability of a match weight under the model's prior. */
export function probabilityOf(model: Pick<MatchModel, 'priorMatchProbability'>, matchWeight: number): number {
  const prior = model.priorMatchProbability;
  const odds = (prior / (1 - prior)) * 2 ** matchWeight;
  return Number.isFinite(odds) ? odds / (1 + odds) : 1;
}

/**
 * Scores a pair: each field's level and weight, their sum and the probability. A field the
 * record does not have is no evidence either way (Splink's null level). An exact name's u is
 * the name's frequency (never below the level's u: a rare name cannot prove more than the
 * model saw), so namesakes of common names weigh less.
 */
export function scorePair(model: MatchModel, record: PairRecord, citizen: PairCitizen): PairScore {
  const vector = comparePair(record, citizen);
  const weights = weightsOf(model);
  const evidence: FieldEvidence[] = [];
  let matchWeight = 0;
  for (const comparison of COMPARISON_NAMES) {
    const level = vector[comparison];
    if (level === undefined) continue;
    const weight =
      comparison === 'full_name'
        ? nameWeight(model, level as NameLevel, citizen)
        : weights[comparison][level];
    matchWeight += weight;
    evidence.push({
      field: comparison.startsWith('date_of_birth') ? 'date_of_birth' : (comparison as EvidenceField),
      level,
      weight: Math.round(weight * 100) / 100,
    });
  }
  return { probability: probabilityOf(model, matchWeight), matchWeight, evidence };
}

/**
 * scorePair's match weight alone, allocating nothing: candidate search weighs every pair its
 * blocking rules bring and builds the explanation only for the few that enter a record's list.
 */
export function pairWeight(model: MatchModel, record: PairRecord, citizen: PairCitizen): number {
  return weightWithNameLevel(model, pairNameLevel(record, citizen), record, citizen);
}

/** pairWeight with the name's level already known: summed in scorePair's order, to the last bit. */
export function weightWithNameLevel(
  model: MatchModel,
  level: NameLevel,
  record: PairRecord,
  citizen: PairCitizen,
): number {
  return plusFieldWeights(model, nameWeight(model, level, citizen), record, citizen);
}

/**
 * The weight of a pair's birth date, gender and province alone: with a bound on what the name
 * can add, enough to tell that a pair cannot matter before its names are compared.
 */
export function weightWithoutName(model: MatchModel, record: PairRecord, citizen: PairCitizen): number {
  return plusFieldWeights(model, 0, record, citizen);
}

/** `weight` plus the birth date's, the gender's and the province's weights, in that order. */
function plusFieldWeights(
  model: MatchModel,
  weight: number,
  record: PairRecord,
  citizen: PairCitizen,
): number {
  const weights = weightsOf(model);
  let sum = weight;
  const date = record.dateOfBirth;
  if (date !== undefined) sum += weights[dateComparisonOf(date)][birthDateLevel(date, citizen.dateOfBirth)];
  if (record.gender !== undefined)
    sum += weights.gender[record.gender === citizen.gender ? 'AGREES' : 'DISAGREES'];
  if (record.provinceCode !== undefined && citizen.provinceCodes && citizen.provinceCodes.length > 0)
    sum += weights.province[citizen.provinceCodes.includes(record.provinceCode) ? 'AGREES' : 'DISAGREES'];
  return sum;
}

/**
 * The most a name can add to a pair's weight: at any level, or as a name further apart than one
 * edit (SIMILAR or OTHER, 'DISTANT'). An exact name's frequency only lowers its weight.
 */
export function nameWeightBound(model: MatchModel, reach: 'ANY' | 'DISTANT'): number {
  const levels = weightsOf(model).full_name;
  return reach === 'DISTANT' ? Math.max(levels.SIMILAR, levels.OTHER) : Math.max(...Object.values(levels));
}

type Weights = { [C in ComparisonName]: Record<string, number> };
const WEIGHTS = new WeakMap<MatchModel, Weights>();

/** log2(m/u) of every level of a model, computed once per model. */
function weightsOf(model: MatchModel): Weights {
  let weights = WEIGHTS.get(model);
  if (!weights) {
    weights = Object.fromEntries(
      COMPARISON_NAMES.map((c) => [
        c,
        Object.fromEntries(
          Object.entries(model.comparisons[c] as Record<string, LevelParameters>).map(([l, p]) => [
            l,
            weightOf(p),
          ]),
        ),
      ]),
    ) as Weights;
    WEIGHTS.set(model, weights);
  }
  return weights;
}

/**
 * The weight of a name level. An exact name's u is its frequency, never below the level's u: the
 * table is by match key, so the share counts every tone variant of the name (for an exact match
 * with diacritics an upper bound; the levels' m keeps the two apart).
 */
function nameWeight(model: MatchModel, level: NameLevel, citizen: PairCitizen): number {
  if (level !== 'EXACT' && level !== 'EXACT_WITHOUT_DIACRITICS') return weightsOf(model).full_name[level];
  const parameters = model.comparisons.full_name[level];
  const share = nameFrequency(model.nameFrequencies, citizen.nameKey ?? nameMatchKey(citizen.fullName));
  return Math.log2(parameters.m / Math.max(parameters.u, share));
}

/** "full_name EXACT +9.1, date_of_birth ONE_PART_DIFFERS −2.3": the evidence for a person. */
export function formatEvidence(evidence: readonly FieldEvidence[]): string {
  return evidence
    .map((e) => `${e.field} ${e.level} ${e.weight >= 0 ? '+' : '−'}${Math.abs(e.weight).toFixed(1)}`)
    .join(', ');
}
