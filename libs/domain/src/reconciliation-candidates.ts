import type { Gender } from './citizen-id';
import { type IsoDate, type PartialDate, partialDateMatches } from './dates';
import {
  citizenProvinces,
  type FieldEvidence,
  formatEvidence,
  type MatchModel,
  scorePair,
  withinOneEdit,
} from './match-model';
import { nameMatchKey } from './names';

/**
 * Candidate search for insurance records without a citizen ID, after Splink: blocking rules
 * decide which pairs are compared at all, then each compared pair is scored by the
 * Fellegi–Sunter model (match-model). Pure; the engine keeps the index and feeds citizens.
 */

/** Candidates kept per record, best first. */
export const MAX_CANDIDATES = 3;

export type Candidate = {
  citizenId: string;
  fullName: string;
  dateOfBirth: IsoDate;
  /** Probability in [0, 1] that the citizen is the record's person. */
  score: number;
  /** The model's match weight: what candidates are ranked by (probabilities saturate at 1). */
  matchWeight: number;
  /** Per field: the level it agreed at and its weight, so that a person can see why. */
  evidence: FieldEvidence[];
};

/**
 * The blocking rules: a pair is compared when any rule puts both in one block. The first finds
 * people where the record is kept; the other two find people who moved, anywhere in the country,
 * at a cost bounded by how many share a birth date or a whole name and birth year.
 */
export const BLOCKING_RULES = [
  {
    rule: 'SURNAME_YEAR_PROVINCE',
    description:
      "surname key and birth year, the record's province being where the citizen lives or was registered at birth",
  },
  {
    rule: 'BIRTH_DATE',
    description: "the birth date at the record's precision (day or month), anywhere; names within reach",
  },
  { rule: 'NAME_YEAR', description: 'the whole name key and the birth year, anywhere' },
] as const;
export type BlockingRule = (typeof BLOCKING_RULES)[number]['rule'];

/** The surname's match key: the first word of nameMatchKey ("Nguyễn Văn An" → "nguyen"). */
export function surnameMatchKey(fullName: string): string {
  return nameMatchKey(fullName).split(' ')[0] ?? '';
}

/** The given name's match key: the last word of the key ("Nguyễn Văn An" → "an"). */
export function givenNameKey(nameKey: string): string {
  return nameKey.slice(nameKey.lastIndexOf(' ') + 1);
}

/** A block key from parts; the same text as matching.blockingKey gives for the same person. */
export function blockKey(surnameKey: string, birthYear: number, provinceCode: string): string {
  return `${surnameKey}|${birthYear}|${provinceCode}`;
}

/**
 * The blocks a registry citizen belongs to by the first rule: surname + birth year with the
 * province of residence (where an insurance record is kept) and, when different, the province
 * of birth registration (where it was kept before the person moved).
 */
export function citizenBlockKeys(
  surnameKey: string,
  birthYear: number,
  residenceProvinceCode: string | null,
  birthProvinceCode: string,
): string[] {
  const keys = [blockKey(surnameKey, birthYear, residenceProvinceCode ?? birthProvinceCode)];
  if (residenceProvinceCode !== null && residenceProvinceCode !== birthProvinceCode) {
    keys.push(blockKey(surnameKey, birthYear, birthProvinceCode));
  }
  return keys;
}

/**
 * The filter applied inside a block, before a pair is scored. In a province's surname-and-year
 * block (hundreds of people for a common surname): the birth date agrees as far as the record
 * knows it, or the whole name agrees by match key. In a nationwide birth-date block (thousands
 * of people): the given name agrees, or the whole name is within one edit. In a name-and-year
 * block, held by given name: the whole name agrees by match key.
 */
export function worthScoring(
  rule: BlockingRule,
  record: { dateOfBirth: PartialDate; nameKey: string; givenKey?: string },
  citizen: {
    dateOfBirth: IsoDate;
    nameKey: string;
    givenKey?: string;
    /** dateParts(dateOfBirth), when the caller has it: it is compared with many records. */
    parts?: { year: number; month: number; day: number };
  },
): boolean {
  switch (rule) {
    case 'SURNAME_YEAR_PROVINCE':
      if (record.nameKey === citizen.nameKey) return true;
      return citizen.parts
        ? agreesAtPrecision(record.dateOfBirth, citizen.parts)
        : partialDateMatches(record.dateOfBirth, citizen.dateOfBirth);
    case 'BIRTH_DATE':
      return (
        (record.givenKey ?? givenNameKey(record.nameKey)) ===
          (citizen.givenKey ?? givenNameKey(citizen.nameKey)) ||
        withinOneEdit(record.nameKey, citizen.nameKey)
      );
    case 'NAME_YEAR':
      return record.nameKey === citizen.nameKey;
  }
}

/** partialDateMatches, against a full date already cut into its parts. */
export function agreesAtPrecision(
  date: PartialDate,
  parts: { year: number; month: number; day: number },
): boolean {
  return (
    date.year === parts.year &&
    (date.month === undefined ||
      (date.month === parts.month && (date.day === undefined || date.day === parts.day)))
  );
}

export type CandidateRecordInput = {
  fullName: string;
  nameKey: string;
  exactForm?: string;
  dateOfBirth: PartialDate;
  gender: Gender;
  /** Undefined for a record of no province: no evidence either way. */
  provinceCode?: string;
};

export type CandidateCitizenInput = {
  citizenId: string;
  fullName: string;
  nameKey: string;
  /** exactNameForm(fullName), when the caller has it. */
  exactForm?: string;
  dateOfBirth: IsoDate;
  gender: Gender;
  residenceProvinceCode: string | null;
  birthProvinceCode: string;
};

/** Match weights as candidates keep them: in hundredths of a bit, so that lists compare stably. */
const roundWeight = (weight: number) => Math.round(weight * 100) / 100;

/** The citizen as a candidate of the record, scored by the model with its evidence. */
export function scoreCandidatePair(
  model: MatchModel,
  record: CandidateRecordInput,
  citizen: CandidateCitizenInput,
): Candidate {
  const score = scorePair(model, record, {
    fullName: citizen.fullName,
    nameKey: citizen.nameKey,
    exactForm: citizen.exactForm,
    dateOfBirth: citizen.dateOfBirth,
    gender: citizen.gender,
    provinceCodes: citizenProvinces(citizen.residenceProvinceCode, citizen.birthProvinceCode),
  });
  return {
    citizenId: citizen.citizenId,
    fullName: citizen.fullName,
    dateOfBirth: citizen.dateOfBirth,
    score: score.probability,
    matchWeight: roundWeight(score.matchWeight),
    evidence: score.evidence,
  };
}

function better(a: Candidate, b: Candidate): boolean {
  return a.matchWeight > b.matchWeight || (a.matchWeight === b.matchWeight && a.citizenId < b.citizenId);
}

/**
 * Adds a candidate to a best-first list of at most `limit`, once per citizen (the better score
 * wins). Returns the new list, or the same list when nothing changed. Ranked by match weight;
 * ties go to the lower citizen ID, so the order never depends on the order citizens were seen in.
 */
export function pushCandidate(
  top: readonly Candidate[],
  candidate: Candidate,
  limit = MAX_CANDIDATES,
): readonly Candidate[] {
  const existing = top.findIndex((c) => c.citizenId === candidate.citizenId);
  if (existing >= 0 && !better(candidate, top[existing])) return top;
  const rest = existing >= 0 ? top.filter((_, i) => i !== existing) : [...top];
  if (rest.length >= limit && !better(candidate, rest[rest.length - 1])) return top;
  let at = rest.findIndex((c) => better(candidate, c));
  if (at < 0) at = rest.length;
  rest.splice(at, 0, candidate);
  return rest.slice(0, limit);
}

/**
 * Whether a citizen of this match weight would change a best-first list (pushCandidate would
 * not return it unchanged): so that a candidate and its explanation are built only then.
 */
export function mayImprove(
  top: readonly Candidate[],
  citizenId: string,
  matchWeight: number,
  limit = MAX_CANDIDATES,
): boolean {
  const probe = { citizenId, matchWeight: roundWeight(matchWeight) } as Candidate;
  const existing = top.find((c) => c.citizenId === citizenId);
  if (existing) return better(probe, existing);
  return top.length < limit || better(probe, top[top.length - 1]);
}

/** Merges best-first candidate lists (e.g. of several partitions of one run). */
export function mergeCandidates(
  lists: readonly (readonly Candidate[])[],
  limit = MAX_CANDIDATES,
): Candidate[] {
  let top: readonly Candidate[] = [];
  for (const list of lists) for (const c of list) top = pushCandidate(top, c, limit);
  return [...top];
}

/** The sentence of a MISSING_ID_CANDIDATE finding. */
export function missingIdDetail(input: {
  legacyId: string | null;
  candidates: readonly Candidate[];
  searched: boolean;
}): string {
  const why = input.legacyId
    ? `no citizen ID, and legacy ID ${input.legacyId} is not in the registry`
    : 'no citizen ID';
  if (!input.searched) return `${why}; candidate search was not asked for`;
  const best = input.candidates[0];
  if (!best) return `${why}; no registry citizen resembles the record`;
  const others = input.candidates.length - 1;
  return `${why}; best candidate ${best.citizenId} ${best.fullName}, born ${best.dateOfBirth} (score ${best.score.toFixed(3)}: ${formatEvidence(best.evidence)})${
    others > 0 ? `, and ${others} more` : ''
  }`;
}
