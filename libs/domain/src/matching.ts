import { Gender } from './citizen-id';
import { dateParts, formatPartialDate, IsoDate, PartialDate, partialDateMatches, precisionOf } from './dates';
import { compareNames, nameMatchKey, nameSimilarity } from './names';

export type MatchOutcome = 'MATCHED' | 'MATCHED_AFTER_NORMALIZATION' | 'FIELD_MISMATCH';

export type MatchField = 'full_name' | 'date_of_birth' | 'gender';

export type FieldDifference = { field: MatchField; insuranceValue: string; registryValue: string };

export type ParticipantDemographics = { fullName: string; dateOfBirth: PartialDate; gender: Gender };

export type CitizenDemographics = { fullName: string; dateOfBirth: IsoDate; gender: Gender };

export type ParticipantComparison = {
  outcome: MatchOutcome;
  differences: FieldDifference[];
  /** Fields that agree only after normalisation, and so should be rewritten from the registry. */
  normalizedFields: Exclude<MatchField, 'gender'>[];
};

/**
 * Compares an insurance record with the registry's citizen it is linked to.
 * - MATCHED: names equal after NFC and whitespace tidying, full birth date equal, same gender.
 * - MATCHED_AFTER_NORMALIZATION: nothing contradicts the registry, but the name differs in
 *   case, diacritics or spacing, or the birth date is only a year or a month that agrees. A
 *   partial date that agrees is not a clean match, because the record should be completed.
 * - FIELD_MISMATCH: at least one field contradicts the registry; each is listed with both values.
 */
export function compareParticipantToCitizen(
  participant: ParticipantDemographics,
  citizen: CitizenDemographics,
): ParticipantComparison {
  const differences: FieldDifference[] = [];
  const normalizedFields: ParticipantComparison['normalizedFields'] = [];

  const names = compareNames(participant.fullName, citizen.fullName);
  if (names === 'NORMALIZED') normalizedFields.push('full_name');
  if (names === 'DIFFERENT') {
    differences.push({
      field: 'full_name',
      insuranceValue: participant.fullName,
      registryValue: citizen.fullName,
    });
  }

  if (!partialDateMatches(participant.dateOfBirth, citizen.dateOfBirth)) {
    differences.push({
      field: 'date_of_birth',
      insuranceValue: formatPartialDate(participant.dateOfBirth),
      registryValue: citizen.dateOfBirth,
    });
  } else if (precisionOf(participant.dateOfBirth) !== 'DAY') {
    normalizedFields.push('date_of_birth');
  }

  if (participant.gender !== citizen.gender) {
    differences.push({ field: 'gender', insuranceValue: participant.gender, registryValue: citizen.gender });
  }

  const outcome: MatchOutcome =
    differences.length > 0
      ? 'FIELD_MISMATCH'
      : normalizedFields.length > 0
        ? 'MATCHED_AFTER_NORMALIZATION'
        : 'MATCHED';
  return { outcome, differences, normalizedFields };
}

/**
 * The key that groups records which could be the same person, so that candidate search compares
 * a record with a few hundred citizens instead of ninety million: the surname's match key, the
 * birth year and the province, e.g. "nguyen|1985|001".
 */
export function blockingKey(input: { fullName: string; birthYear: number; provinceCode: string }): string {
  const surname = nameMatchKey(input.fullName).split(' ')[0] ?? '';
  return `${surname}|${input.birthYear}|${input.provinceCode}`;
}

/** A comparison level: how often it occurs among true matches (m) and among random pairs (u). */
export type ComparisonLevel = { m: number; u: number };

/**
 * Fellegi–Sunter parameters in the style of Splink, set by hand from the shape of the
 * population (63 provinces, ~80 birth years, ~15 common surnames) rather than trained; an EM
 * run over the reconciliation data can replace them without touching the code. Term-frequency
 * adjustment (an exact "Nguyễn Văn An" is weaker evidence than an exact rare name) is not
 * modelled yet.
 */
export const CANDIDATE_MODEL = Object.freeze({
  /** Prior probability that two records drawn from one block are the same person. */
  priorMatchProbability: 1e-4,
  nameSimilarityThresholds: { veryClose: 0.95, close: 0.88 },
  fullName: {
    EXACT: { m: 0.8, u: 0.0005 },
    VERY_CLOSE: { m: 0.12, u: 0.003 },
    CLOSE: { m: 0.05, u: 0.03 },
    OTHER: { m: 0.03, u: 0.9665 },
  },
  dateOfBirth: {
    DAY_AGREES: { m: 0.92, u: 0.00004 },
    MONTH_AGREES: { m: 0.95, u: 0.0012 },
    YEAR_AGREES: { m: 0.97, u: 0.014 },
    SAME_MONTH_OTHER_DAY: { m: 0.03, u: 0.0011 },
    SAME_YEAR_OTHER_MONTH: { m: 0.02, u: 0.013 },
    DISAGREES: { m: 0.03, u: 0.985 },
  },
  gender: { AGREES: { m: 0.98, u: 0.5 }, DISAGREES: { m: 0.02, u: 0.5 } },
  province: { AGREES: { m: 0.75, u: 0.04 }, DISAGREES: { m: 0.25, u: 0.96 } },
});

type Model = typeof CANDIDATE_MODEL;
export type NameLevel = keyof Model['fullName'];
export type BirthDateLevel = keyof Model['dateOfBirth'];

export type CandidateRecord = {
  fullName: string;
  dateOfBirth?: PartialDate;
  gender?: Gender;
  provinceCode?: string;
};

export type CandidateCitizen = {
  fullName: string;
  dateOfBirth: IsoDate;
  gender: Gender;
  provinceCode?: string;
};

export type CandidateScore = {
  /** Probability in [0,1] that the record and the candidate are the same person. */
  probability: number;
  /** Sum of log2(m/u) over the comparisons: the Splink "match weight", without the prior. */
  matchWeight: number;
  levels: {
    fullName: NameLevel;
    dateOfBirth?: BirthDateLevel;
    gender?: 'AGREES' | 'DISAGREES';
    province?: 'AGREES' | 'DISAGREES';
  };
};

function nameLevel(a: string, b: string): NameLevel {
  const similarity = nameSimilarity(a, b);
  const { veryClose, close } = CANDIDATE_MODEL.nameSimilarityThresholds;
  if (similarity === 1) return 'EXACT';
  if (similarity >= veryClose) return 'VERY_CLOSE';
  return similarity >= close ? 'CLOSE' : 'OTHER';
}

function birthDateLevel(partial: PartialDate, full: IsoDate): BirthDateLevel {
  const f = dateParts(full);
  if (partial.year !== f.year) return 'DISAGREES';
  const precision = precisionOf(partial);
  if (precision === 'YEAR') return 'YEAR_AGREES';
  if (partial.month !== f.month) return 'SAME_YEAR_OTHER_MONTH';
  if (precision === 'MONTH') return 'MONTH_AGREES';
  return partial.day === f.day ? 'DAY_AGREES' : 'SAME_MONTH_OTHER_DAY';
}

function weightOf(level: ComparisonLevel): number {
  return Math.log2(level.m / level.u);
}

/** Scores a registry candidate for an insurance record, with the level each comparison fell in. */
export function scoreCandidateDetail(record: CandidateRecord, candidate: CandidateCitizen): CandidateScore {
  const levels: CandidateScore['levels'] = { fullName: nameLevel(record.fullName, candidate.fullName) };
  let matchWeight = weightOf(CANDIDATE_MODEL.fullName[levels.fullName]);
  // A field the record does not have is no evidence either way, as in Splink's null level.
  if (record.dateOfBirth !== undefined) {
    levels.dateOfBirth = birthDateLevel(record.dateOfBirth, candidate.dateOfBirth);
    matchWeight += weightOf(CANDIDATE_MODEL.dateOfBirth[levels.dateOfBirth]);
  }
  if (record.gender !== undefined) {
    levels.gender = record.gender === candidate.gender ? 'AGREES' : 'DISAGREES';
    matchWeight += weightOf(CANDIDATE_MODEL.gender[levels.gender]);
  }
  if (record.provinceCode !== undefined && candidate.provinceCode !== undefined) {
    levels.province = record.provinceCode === candidate.provinceCode ? 'AGREES' : 'DISAGREES';
    matchWeight += weightOf(CANDIDATE_MODEL.province[levels.province]);
  }
  const prior = CANDIDATE_MODEL.priorMatchProbability;
  const priorOdds = prior / (1 - prior);
  const odds = priorOdds * 2 ** matchWeight;
  const probability = Number.isFinite(odds) ? odds / (1 + odds) : 1;
  return { probability, matchWeight, levels };
}

/** Probability in [0,1] that a registry candidate is the person of an insurance record. */
export function scoreCandidate(record: CandidateRecord, candidate: CandidateCitizen): number {
  return scoreCandidateDetail(record, candidate).probability;
}
