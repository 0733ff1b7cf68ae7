import type { IdentityField, ObjectGroupCode } from '@vss/domain';
import type { ReconciliationOutcome } from '@vss/domain/reconciliation';

/**
 * The rows the generator produces, one interface per table, in the tables' own vocabulary.
 * Dates are 'YYYY-MM-DD' strings and timestamps RFC 3339, ready to be written by COPY.
 */

export type Gender = 'M' | 'F';

/** npd.citizens: the registry's view of a person. */
export interface CitizenRow {
  citizenId: string;
  legacyId: string | null;
  fullName: string;
  dateOfBirth: string;
  gender: Gender;
  birthProvinceCode: string;
  residenceAddress: string;
  residenceProvinceCode: string | null;
  residenceStatus: 'NONE' | 'REGISTERED' | 'CANCELLED';
  vitalStatus: 'ALIVE' | 'DECEASED';
  dateOfDeath: string | null;
  updatedAt: string;
}

/** vss.facilities: clinics and hospitals, keyed by the 5-digit KCB code. */
export interface FacilityRow {
  facilityCode: string;
  name: string;
  provinceCode: string;
  address: string;
  level: 'province' | 'district' | 'clinic' | 'commune';
}

/** vss.participants: the insurance side's view of a person, keyed by the social insurance code. */
export interface ParticipantRow {
  socialInsuranceCode: string; // mã số BHXH
  citizenId: string | null;
  legacyId: string | null;
  fullName: string;
  /** 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD': old records lost precision. */
  dateOfBirth: string;
  gender: Gender;
  provinceCode: string;
  address: string;
  compulsoryContributionMonths: number;
  socialAssistanceBeneficiary: boolean;
  deceasedOn: string | null;
  createdAt: string;
  updatedAt: string;
}

/** vss.hi_cards: one health insurance card per participant. */
export interface HiCardRow {
  socialInsuranceCode: string;
  objectGroup: ObjectGroupCode;
  benefitLevelPercent: number;
  validFrom: string;
  validTo: string | null;
  primaryCareFacilityCode: string;
  fiveYearsContinuousFrom: string | null;
  suspended: boolean;
  endedOn: string | null;
  updatedAt: string;
}

export type BenefitKind = 'PENSION' | 'MONTHLY_ALLOWANCE';

/** vss.benefits: a pension or monthly allowance. */
export interface BenefitRow {
  socialInsuranceCode: string;
  kind: BenefitKind;
  monthlyAmountVnd: number;
  startedOn: string;
  stoppedFrom: string | null;
  stopReason: string | null;
}

/** vss.benefit_payments: one monthly payment (payment_id comes from the sequence). */
export interface BenefitPaymentRow {
  socialInsuranceCode: string;
  kind: BenefitKind;
  /** 'YYYY-MM' */
  period: string;
  amountVnd: number;
  paidOn: string;
}

/**
 * synth.truth: what was injected into one participant record, and the clean value. MATCHED is
 * the truth of an injected change that must not be reported (invisible characters).
 */
export interface TruthRow {
  socialInsuranceCode: string;
  /** The outcome a correct reconciliation must reach for the record. */
  outcome: ReconciliationOutcome;
  /** The registry citizen this record really belongs to; null when there is none. */
  citizenId: string | null;
  fields: IdentityField[];
  detail: Record<string, unknown>;
}

/** Everything generated for one registry citizen: the citizen and the insurance records derived from it. */
export interface PersonRecords {
  citizen: CitizenRow;
  participants: ParticipantRow[];
  cards: HiCardRow[];
  benefits: BenefitRow[];
  payments: BenefitPaymentRow[];
  truth: TruthRow[];
  /** Registry citizens with no insurance record that a discrepancy needs: a namesake, the owner of a mistyped ID. */
  alsoInRegistry?: CitizenRow[];
}
