import type {
  BenefitPaymentRow,
  BenefitRow,
  CitizenRow,
  FacilityRow,
  HiCardRow,
  ParticipantRow,
  TruthRow,
} from './rows';

/**
 * Rows as lines of PostgreSQL's COPY text format (tab-separated, \N for NULL, backslash
 * escapes), the fastest way into the server: no per-row statement, no parameter binding.
 */

export interface CopyTable<Row> {
  /** Schema-qualified table name. */
  table: string;
  columns: readonly string[];
  line(row: Row): string;
}

const NULL = '\\N';
const NEEDS_ESCAPE = /[\\\t\n\r]/;

function text(value: string | null): string {
  if (value === null) return NULL;
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

function bool(value: boolean): string {
  return value ? 't' : 'f';
}

/** A text[] literal; the elements are field names, which never need quoting. */
function textArray(values: readonly string[]): string {
  return `{${values.join(',')}}`;
}

export const CITIZENS: CopyTable<CitizenRow> = {
  table: 'npd.citizens',
  columns: [
    'citizen_id',
    'legacy_id',
    'full_name',
    'date_of_birth',
    'gender',
    'birth_province_code',
    'residence_address',
    'residence_province_code',
    'residence_status',
    'vital_status',
    'date_of_death',
    'updated_at',
  ],
  line: (r) =>
    `${r.citizenId}\t${text(r.legacyId)}\t${text(r.fullName)}\t${r.dateOfBirth}\t${r.gender}\t${r.birthProvinceCode}\t` +
    `${text(r.residenceAddress)}\t${text(r.residenceProvinceCode)}\t${r.residenceStatus}\t${r.vitalStatus}\t` +
    `${text(r.dateOfDeath)}\t${r.updatedAt}\n`,
};

export const FACILITIES: CopyTable<FacilityRow> = {
  table: 'vss.facilities',
  columns: ['facility_code', 'name', 'province_code', 'address', 'level'],
  line: (r) => `${r.facilityCode}\t${text(r.name)}\t${r.provinceCode}\t${text(r.address)}\t${r.level}\n`,
};

export const PARTICIPANTS: CopyTable<ParticipantRow> = {
  table: 'vss.participants',
  columns: [
    'social_insurance_code',
    'citizen_id',
    'legacy_id',
    'full_name',
    'date_of_birth',
    'gender',
    'province_code',
    'address',
    'compulsory_contribution_months',
    'social_assistance_beneficiary',
    'deceased_on',
    'created_at',
    'updated_at',
  ],
  line: (r) =>
    `${r.socialInsuranceCode}\t${text(r.citizenId)}\t${text(r.legacyId)}\t${text(r.fullName)}\t${r.dateOfBirth}\t` +
    `${r.gender}\t${r.provinceCode}\t${text(r.address)}\t${r.compulsoryContributionMonths}\t` +
    `${bool(r.socialAssistanceBeneficiary)}\t${text(r.deceasedOn)}\t${r.createdAt}\t${r.updatedAt}\n`,
};

export const HI_CARDS: CopyTable<HiCardRow> = {
  table: 'vss.hi_cards',
  columns: [
    'social_insurance_code',
    'object_group',
    'benefit_level_percent',
    'valid_from',
    'valid_to',
    'primary_care_facility_code',
    'five_years_continuous_from',
    'suspended',
    'ended_on',
    'updated_at',
  ],
  line: (r) =>
    `${r.socialInsuranceCode}\t${r.objectGroup}\t${r.benefitLevelPercent}\t${r.validFrom}\t${text(r.validTo)}\t` +
    `${r.primaryCareFacilityCode}\t${text(r.fiveYearsContinuousFrom)}\t${bool(r.suspended)}\t${text(r.endedOn)}\t` +
    `${r.updatedAt}\n`,
};

export const BENEFITS: CopyTable<BenefitRow> = {
  table: 'vss.benefits',
  columns: [
    'social_insurance_code',
    'kind',
    'monthly_amount_vnd',
    'started_on',
    'stopped_from',
    'stop_reason',
  ],
  line: (r) =>
    `${r.socialInsuranceCode}\t${r.kind}\t${r.monthlyAmountVnd}\t${r.startedOn}\t${text(r.stoppedFrom)}\t` +
    `${text(r.stopReason)}\n`,
};

export const BENEFIT_PAYMENTS: CopyTable<BenefitPaymentRow> = {
  table: 'vss.benefit_payments',
  columns: ['social_insurance_code', 'kind', 'period', 'amount_vnd', 'paid_on'],
  line: (r) => `${r.socialInsuranceCode}\t${r.kind}\t${r.period}\t${r.amountVnd}\t${r.paidOn}\n`,
};

export const TRUTH: CopyTable<TruthRow> = {
  table: 'synth.truth',
  columns: ['social_insurance_code', 'outcome', 'citizen_id', 'fields', 'detail'],
  line: (r) =>
    `${r.socialInsuranceCode}\t${r.outcome}\t${text(r.citizenId)}\t${textArray(r.fields)}\t` +
    `${text(JSON.stringify(r.detail))}\n`,
};

/** The loading order: every table after the tables its foreign keys point to. */
export const TABLES_IN_LOAD_ORDER = [
  FACILITIES.table,
  CITIZENS.table,
  PARTICIPANTS.table,
  HI_CARDS.table,
  BENEFITS.table,
  BENEFIT_PAYMENTS.table,
  TRUTH.table,
] as const;

export type LoadedTable = (typeof TABLES_IN_LOAD_ORDER)[number];
