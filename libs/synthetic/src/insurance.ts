import { benefitLevelOf, childCardValidity } from '@vss/domain';
import {
  type CoverageOverrides,
  type CoverageProfile,
  sampleAllowanceAmount,
  sampleCoverage,
  samplePensionAmount,
} from './coverage';
import {
  addMonthsToDay,
  ageOn,
  type Day,
  dayFromParts,
  dayOf,
  firstDayOfMonthIndex,
  isoOf,
  monthIndexOf,
  periodOf,
  timestampOf,
} from './dates';
import { retirementDay } from './demography';
import { samplePrimaryCareFacility } from './facilities';
import type { IdentityAllocator } from './identifiers';
import { Random, Weighted } from './random';
import type { BenefitKind, BenefitPaymentRow, BenefitRow, Gender, HiCardRow, ParticipantRow } from './rows';

/**
 * The insurance records of one person as VSS holds them when nothing has gone wrong: the
 * participant, the HI card, pensions or allowances and their recent payments. Every record
 * built here agrees with the registry; discrepancies are injected afterwards, one at a time.
 */

export type CardStatus = 'VALID' | 'EXPIRED' | 'NOT_YET_VALID' | 'SUSPENDED';

/** The person as VSS knows them. */
export interface InsuredPerson {
  citizenId: string | null;
  legacyId: string | null;
  fullName: string;
  birth: Day;
  gender: Gender;
  provinceCode: string;
  address: string;
  /** The death VSS has recorded; null while VSS believes the person alive. */
  knownDeath: Day | null;
}

export interface InsuranceContext {
  asOf: Day;
  ids: IdentityAllocator;
  facilityCounts: ReadonlyMap<string, number>;
  /** Month indexes of the payment runs in the data: the three full months before asOf. */
  paymentMonths: readonly number[];
}

export interface InsuranceOptions extends CoverageOverrides {
  /** Override the sampled card status; NONE leaves the participant without a card. */
  cardStatus?: CardStatus | 'NONE';
  /** false: no pension or allowance rows even when the profile has one (a stale duplicate record). */
  benefits?: boolean;
}

export interface InsuranceRecords {
  participant: ParticipantRow;
  card: HiCardRow | null;
  benefits: BenefitRow[];
  payments: BenefitPaymentRow[];
  profile: CoverageProfile;
}

const CARD_STATUSES = new Weighted<CardStatus>([
  ['VALID', 91.5],
  ['EXPIRED', 6],
  ['NOT_YET_VALID', 1.25],
  ['SUSPENDED', 1.25],
]);
/** A few participants have no card at all (lapsed household cover). */
const NO_CARD_SHARE = 0.025;
const FIVE_YEARS_SHARE = 0.4;
const EARLIEST_RECORD = dayFromParts(1995, 1, 1);
const SECONDS_PER_DAY = 86_400;

export function buildInsurance(
  ctx: InsuranceContext,
  rng: Random,
  person: InsuredPerson,
  options: InsuranceOptions = {},
): InsuranceRecords {
  // A dead person's records froze at death: the card was valid then and ended with them.
  const ref = person.knownDeath ?? ctx.asOf;
  const childCard = ageOn(person.birth, ref) < 7 ? childCardValidity(isoOf(person.birth)) : null;
  const underSixCardValid = childCard !== null && ref <= dayOf(childCard.validTo);
  const profile = sampleCoverage(rng, person.birth, person.gender, ref, underSixCardValid, options);
  const socialInsuranceCode = ctx.ids.socialInsuranceCode(person.provinceCode);
  const participant = buildParticipant(ctx, rng, person, profile, socialInsuranceCode, ref);

  const status =
    options.cardStatus ?? (person.knownDeath !== null ? 'VALID' : sampleCardStatus(rng, profile));
  let card: HiCardRow | null = null;
  if (status !== 'NONE') {
    const window =
      profile.group === 'TE' && childCard
        ? { validFrom: person.birth, validTo: dayOf(childCard.validTo) as Day | null, suspended: false }
        : cardWindow(rng, person.birth, ref, status, profile.group === 'HT' || profile.group === 'CC');
    card = {
      socialInsuranceCode,
      objectGroup: profile.group,
      benefitLevelPercent: benefitLevelOf(profile.group),
      validFrom: isoOf(window.validFrom),
      validTo: window.validTo === null ? null : isoOf(window.validTo),
      primaryCareFacilityCode: samplePrimaryCareFacility(rng, person.provinceCode, ctx.facilityCounts),
      fiveYearsContinuousFrom: sampleFiveYearsDate(rng, person.birth, ref, profile, status),
      suspended: window.suspended,
      endedOn: person.knownDeath === null ? null : isoOf(person.knownDeath),
      updatedAt: timestampOf(Math.min(window.validFrom, ctx.asOf), rng.int(SECONDS_PER_DAY)),
    };
  }

  const benefits: BenefitRow[] = [];
  const payments: BenefitPaymentRow[] = [];
  if (options.benefits !== false) {
    if (profile.pension) {
      addBenefit(ctx, rng, person, socialInsuranceCode, 'PENSION', ref, benefits, payments);
    }
    if (profile.monthlyAllowance) {
      addBenefit(ctx, rng, person, socialInsuranceCode, 'MONTHLY_ALLOWANCE', ref, benefits, payments);
    }
  }
  return { participant, card, benefits, payments, profile };
}

function buildParticipant(
  ctx: InsuranceContext,
  rng: Random,
  person: InsuredPerson,
  profile: CoverageProfile,
  socialInsuranceCode: string,
  ref: Day,
): ParticipantRow {
  const createdFrom = Math.max(person.birth, EARLIEST_RECORD);
  const created = Math.min(ctx.asOf, createdFrom + rng.int(Math.max(1, ref - createdFrom)));
  const updated =
    person.knownDeath !== null
      ? Math.min(ctx.asOf, person.knownDeath + rng.between(1, 60))
      : created + rng.int(Math.max(1, ctx.asOf - created));
  return {
    socialInsuranceCode,
    citizenId: person.citizenId,
    legacyId: person.legacyId,
    fullName: person.fullName,
    dateOfBirth: isoOf(person.birth),
    gender: person.gender,
    provinceCode: person.provinceCode,
    address: person.address,
    compulsoryContributionMonths: profile.contributionMonths,
    socialAssistanceBeneficiary: profile.socialAssistance,
    deceasedOn: person.knownDeath === null ? null : isoOf(person.knownDeath),
    createdAt: timestampOf(created, rng.int(SECONDS_PER_DAY)),
    updatedAt: timestampOf(Math.max(updated, created), rng.int(SECONDS_PER_DAY)),
  };
}

function sampleCardStatus(rng: Random, profile: CoverageProfile): CardStatus | 'NONE' {
  // Children, pensioners and the state-funded groups never let their cover lapse.
  const stateFunded = profile.group === 'TE' || profile.group === 'HT' || profile.group === 'BT';
  if (!stateFunded && rng.chance(NO_CARD_SHARE)) return 'NONE';
  return CARD_STATUSES.sample(rng);
}

/** Annual cards for most groups; pensioners and people with meritorious service hold open-ended ones. */
function cardWindow(
  rng: Random,
  birth: Day,
  ref: Day,
  status: CardStatus,
  openEnded: boolean,
): { validFrom: Day; validTo: Day | null; suspended: boolean } {
  const annual = (from: Day) => addMonthsToDay(from, 12) - 1;
  switch (status) {
    case 'EXPIRED': {
      const validTo = Math.max(birth + 1, ref - rng.between(1, 720));
      return { validFrom: Math.max(birth, addMonthsToDay(validTo + 1, -12)), validTo, suspended: false };
    }
    case 'NOT_YET_VALID': {
      const validFrom = ref + rng.between(1, 45);
      return { validFrom, validTo: annual(validFrom), suspended: false };
    }
    case 'VALID':
    case 'SUSPENDED': {
      const validFrom = Math.max(birth, ref - rng.int(openEnded ? 1826 : 330));
      return { validFrom, validTo: openEnded ? null : annual(validFrom), suspended: status === 'SUSPENDED' };
    }
  }
}

/** The day five years of continuous cover were reached (it raises the co-payment cap); null for most. */
function sampleFiveYearsDate(
  rng: Random,
  birth: Day,
  ref: Day,
  profile: CoverageProfile,
  status: CardStatus,
): string | null {
  if (profile.group === 'TE' || status === 'EXPIRED' || !rng.chance(FIVE_YEARS_SHARE)) return null;
  const day = ref - rng.int(3650);
  return day >= addMonthsToDay(birth, 60) ? isoOf(day) : null;
}

function addBenefit(
  ctx: InsuranceContext,
  rng: Random,
  person: InsuredPerson,
  socialInsuranceCode: string,
  kind: BenefitKind,
  ref: Day,
  benefits: BenefitRow[],
  payments: BenefitPaymentRow[],
): void {
  // Started at least four months before the reference day, so a living recipient has all
  // three recent payments and a dead one's stop is visible against them.
  const latestStart = ref - 120;
  const drawn =
    kind === 'PENSION'
      ? addMonthsToDay(retirementDay(person.birth, person.gender), rng.int(36))
      : ref - rng.int(3650);
  const startMonth = monthIndexOf(Math.max(person.birth, Math.min(drawn, latestStart)));
  const amount = kind === 'PENSION' ? samplePensionAmount(rng) : sampleAllowanceAmount(rng);
  const stopMonth = person.knownDeath === null ? null : monthIndexOf(person.knownDeath) + 1;
  benefits.push({
    socialInsuranceCode,
    kind,
    monthlyAmountVnd: amount,
    startedOn: isoOf(firstDayOfMonthIndex(startMonth)),
    stoppedFrom: stopMonth === null ? null : isoOf(firstDayOfMonthIndex(stopMonth)),
    stopReason: stopMonth === null ? null : 'DECEASED',
  });
  for (const month of ctx.paymentMonths) {
    if (month < startMonth || (stopMonth !== null && month >= stopMonth)) continue;
    payments.push({
      socialInsuranceCode,
      kind,
      period: periodOf(month),
      amountVnd: amount,
      paidOn: isoOf(firstDayOfMonthIndex(month) + rng.between(1, 9)),
    });
  }
}
