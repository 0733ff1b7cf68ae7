import { type Gender, makeCitizenId } from './citizen-id';
import { type IsoDate, type PartialDate, partialDateMatches } from './dates';
import { scoreCandidate } from './matching';
import { nameMatchKey } from './names';

/**
 * Candidate search for insurance records without a citizen ID, after Splink: blocking rules
 * decide which pairs are compared at all, then each compared pair gets a Fellegi–Sunter
 * probability (matching.scoreCandidate). Pure; the engine keeps the index and feeds citizens.
 */

/** Candidates kept per record, best first. */
export const MAX_CANDIDATES = 3;

/** Below this probability a registry citizen is noise, not a candidate worth a person's time. */
export const MIN_CANDIDATE_SCORE = 0.001;

export type Candidate = { citizenId: string; fullName: string; dateOfBirth: IsoDate; score: number };

/** The surname's match key: the first word of nameMatchKey ("Nguyễn Văn An" → "nguyen"). */
export function surnameMatchKey(fullName: string): string {
  return nameMatchKey(fullName).split(' ')[0] ?? '';
}

/** A block key from parts; the same text as matching.blockingKey gives for the same person. */
export function blockKey(surnameKey: string, birthYear: number, provinceCode: string): string {
  return `${surnameKey}|${birthYear}|${provinceCode}`;
}

/**
 * The blocks a registry citizen belongs to: surname + birth year with the province of
 * residence (where an insurance record is kept) and, when different, the province of birth
 * registration (where it was kept before the person moved).
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
 * The second blocking rule, applied inside a block: the birth date agrees as far as the record
 * knows it, or the whole name agrees by match key. A block of a common surname holds hundreds
 * of people per province and year; this keeps the scored pairs to the plausible few while
 * still finding a true match with a mistyped name or a mistyped birth date (not both).
 */
export function worthScoring(
  record: { dateOfBirth: PartialDate; nameKey: string },
  citizen: { dateOfBirth: IsoDate; nameKey: string },
): boolean {
  return record.nameKey === citizen.nameKey || partialDateMatches(record.dateOfBirth, citizen.dateOfBirth);
}

export type CandidateRecordInput = {
  nameKey: string;
  dateOfBirth: PartialDate;
  gender: Gender;
  provinceCode: string;
};

export type CandidateCitizenInput = {
  citizenId: string;
  fullName: string;
  nameKey: string;
  dateOfBirth: IsoDate;
  gender: Gender;
  residenceProvinceCode: string | null;
  birthProvinceCode: string;
};

/**
 * The probability that the citizen is the record's person. Names are compared by their match
 * keys (scoreCandidate compares match keys anyway, and nameMatchKey is idempotent), so a
 * caller that caches keys pays for each name once.
 */
export function scoreCandidatePair(record: CandidateRecordInput, citizen: CandidateCitizenInput): number {
  return scoreCandidate(
    {
      fullName: record.nameKey,
      dateOfBirth: record.dateOfBirth,
      gender: record.gender,
      provinceCode: record.provinceCode,
    },
    {
      fullName: citizen.nameKey,
      dateOfBirth: citizen.dateOfBirth,
      gender: citizen.gender,
      provinceCode: citizen.residenceProvinceCode ?? citizen.birthProvinceCode,
    },
  );
}

function better(a: Candidate, b: Candidate): boolean {
  return a.score > b.score || (a.score === b.score && a.citizenId < b.citizenId);
}

/**
 * Adds a candidate to a best-first list of at most `limit`, once per citizen (the better score
 * wins). Returns the new list, or the same list when nothing changed. Ties go to the lower
 * citizen ID, so the order never depends on the order citizens were seen in.
 */
export function pushCandidate(
  top: readonly Candidate[],
  candidate: Candidate,
  limit = MAX_CANDIDATES,
): readonly Candidate[] {
  if (candidate.score < MIN_CANDIDATE_SCORE) return top;
  const existing = top.findIndex((c) => c.citizenId === candidate.citizenId);
  if (existing >= 0 && !better(candidate, top[existing])) return top;
  const rest = existing >= 0 ? top.filter((_, i) => i !== existing) : [...top];
  if (rest.length >= limit && !better(candidate, rest[rest.length - 1])) return top;
  let at = rest.findIndex((c) => better(candidate, c));
  if (at < 0) at = rest.length;
  rest.splice(at, 0, candidate);
  return rest.slice(0, limit);
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

/**
 * The first six digits every citizen ID of one province, sex and birth year shares (province of
 * birth registration + century/gender digit + two-digit year): a block of the registry as a key
 * range of its export. Null when the year cannot be encoded.
 */
export function citizenIdBlockPrefix(provinceCode: string, gender: Gender, birthYear: number): string | null {
  try {
    return makeCitizenId({ provinceCode, gender, birthYear, serial: 0 }).slice(0, 6);
  } catch {
    return null;
  }
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
  return `${why}; best candidate ${best.citizenId} ${best.fullName}, born ${best.dateOfBirth} (score ${best.score.toFixed(3)})${
    others > 0 ? `, and ${others} more` : ''
  }`;
}
