import { ageOn, type Day, isoOf, timestampOf } from './dates';
import { birthYearOf, hasReachedRetirement } from './demography';
import type { DiscrepancyKind } from './discrepancies';
import { injectDiscrepancy } from './injection';
import {
  buildInsurance,
  type InsuranceContext,
  type InsuranceOptions,
  type InsuredPerson,
} from './insurance';
import { sampleFullName } from './names';
import { sampleAddress, sampleResidenceProvince } from './places';
import { Random } from './random';
import type { CitizenRow, Gender, PersonRecords } from './rows';

/**
 * One registry citizen and the insurance records derived from them. A draft fixes the facts
 * (birth, sex, province, death, whether they are insured, which discrepancy they carry); the
 * rest is drawn here, the same way for random people and for the fixed demo people.
 */

export interface PersonDraft {
  birth: Day;
  gender: Gender;
  birthProvinceCode: string;
  /** Drawn from the name tables when absent. */
  fullName?: string;
  /** Drawn (mostly the birth province) when absent. */
  residenceProvinceCode?: string;
  death: Day | null;
  insured: boolean;
  discrepancy: DiscrepancyKind | null;
  /** Give the citizen a legacy CMND whatever the odds. */
  legacyId?: boolean;
  insurance?: InsuranceOptions;
}

/** What every person of one population shares: the reference date, the numbering, the clinics. */
export type GenerationContext = InsuranceContext;

/** CMNDs were issued from age 14 until citizen IDs replaced them in 2021. */
export const LAST_LEGACY_BIRTH_YEAR = 2007;
const LEGACY_SHARE_BEFORE_1990 = 0.3;
/** A newborn's permanent residence is registered within weeks (the linked procedure). */
const RESIDENCE_REGISTRATION_DAYS = 30;
const UPDATES_WITHIN_DAYS = 5 * 365;
const SECONDS_PER_DAY = 86_400;

export function buildPerson(ctx: GenerationContext, rng: Random, draft: PersonDraft): PersonRecords {
  const citizen = registryCitizen(ctx, rng, draft);
  const records: PersonRecords = {
    citizen,
    participants: [],
    cards: [],
    benefits: [],
    payments: [],
    truth: [],
  };
  if (!draft.insured) return records;

  const unrecordedDeath = draft.discrepancy === 'DEATH_NOT_RECORDED';
  const insured: InsuredPerson = {
    citizenId: citizen.citizenId,
    // Half of the older records still carry the CMND beside the citizen ID.
    legacyId: citizen.legacyId !== null && rng.chance(0.5) ? citizen.legacyId : null,
    fullName: citizen.fullName,
    birth: draft.birth,
    gender: draft.gender,
    provinceCode: citizen.residenceProvinceCode ?? citizen.birthProvinceCode,
    address: citizen.residenceAddress,
    knownDeath: unrecordedDeath ? null : draft.death,
  };
  const options: InsuranceOptions = unrecordedDeath
    ? { cardStatus: 'VALID', pension: hasReachedRetirement(draft.birth, draft.gender, ctx.asOf) || undefined }
    : {};
  const built = buildInsurance(ctx, rng, insured, { ...options, ...draft.insurance });
  records.participants.push(built.participant);
  if (built.card) records.cards.push(built.card);
  records.benefits.push(...built.benefits);
  records.payments.push(...built.payments);
  if (draft.discrepancy) injectDiscrepancy(ctx, rng, draft.discrepancy, records, insured);
  return records;
}

function registryCitizen(ctx: GenerationContext, rng: Random, draft: PersonDraft): CitizenRow {
  const birthYear = birthYearOf(draft.birth);
  const fullName = draft.fullName ?? sampleFullName(rng, draft.gender, birthYear, draft.birthProvinceCode);
  const citizenId = ctx.ids.citizenId(draft.birthProvinceCode, draft.gender, birthYear);
  const adultBefore1990 = birthYear < 1990 && ageOn(draft.birth, ctx.asOf) >= 18;
  const hasLegacy =
    (draft.legacyId && birthYear <= LAST_LEGACY_BIRTH_YEAR) ||
    (adultBefore1990 && rng.chance(LEGACY_SHARE_BEFORE_1990));
  const legacyId = hasLegacy ? ctx.ids.legacyId() : null;

  const newborn = draft.death === null && ctx.asOf - draft.birth < RESIDENCE_REGISTRATION_DAYS;
  const residenceProvinceCode = newborn
    ? null
    : (draft.residenceProvinceCode ?? sampleResidenceProvince(rng, draft.birthProvinceCode));
  const residenceAddress = residenceProvinceCode === null ? '' : sampleAddress(rng, residenceProvinceCode);

  // Registry rows change over the last five years (reissued cards, moves, deaths).
  let changedFrom = Math.max(draft.birth, ctx.asOf - UPDATES_WITHIN_DAYS);
  if (draft.death !== null) changedFrom = Math.max(changedFrom, draft.death);
  const changed = changedFrom + rng.int(Math.max(1, ctx.asOf - changedFrom + 1));

  return {
    citizenId,
    legacyId,
    fullName,
    dateOfBirth: isoOf(draft.birth),
    gender: draft.gender,
    birthProvinceCode: draft.birthProvinceCode,
    residenceAddress,
    residenceProvinceCode,
    residenceStatus: draft.death !== null ? 'CANCELLED' : newborn ? 'NONE' : 'REGISTERED',
    vitalStatus: draft.death === null ? 'ALIVE' : 'DECEASED',
    dateOfDeath: draft.death === null ? null : isoOf(draft.death),
    updatedAt: timestampOf(Math.min(changed, ctx.asOf), rng.int(SECONDS_PER_DAY)),
  };
}
