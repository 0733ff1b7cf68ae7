import { benefitStopDate } from './benefits';
import type { Gender } from './citizen-id';
import { formatPartialDate, type IsoDate, type PartialDate, precisionOf } from './dates';
import {
  citizenProvinces,
  type FieldEvidence,
  formatEvidence,
  type MatchModel,
  probabilityOf,
  scorePair,
} from './match-model';
import { compareParticipantToCitizen, type FieldDifference, type MatchField } from './matching';
import { nameMatchKey, type NameKeyOf } from './names';

/**
 * Reconciliation of one insurance record against the population registry: which outcome it
 * reaches, with the evidence a person needs to act on it. Pure: the engine gathers a registry
 * citizen and every insurance record that points at them (by citizen ID or by legacy CMND),
 * and this file decides.
 */

/** Every outcome a record can reach, MATCHED (no finding) first, in the order reports list them. */
export const RECONCILIATION_OUTCOMES = [
  'MATCHED',
  'MATCHED_AFTER_NORMALIZATION',
  'FIELD_MISMATCH',
  'LEGACY_ID_RESOLVED',
  'NOT_IN_REGISTRY',
  'DECEASED_BUT_ACTIVE',
  'DUPLICATE_PARTICIPANT',
  'MISSING_ID_CANDIDATE',
] as const;

export type ReconciliationOutcome = (typeof RECONCILIATION_OUTCOMES)[number];

/** The outcomes that are findings: every outcome but MATCHED. */
export const FINDING_OUTCOMES = RECONCILIATION_OUTCOMES.filter(
  (o): o is Exclude<ReconciliationOutcome, 'MATCHED'> => o !== 'MATCHED',
);

/** An insurance record as reconciliation sees it (vss.participants). */
export type InsuranceRecord = {
  socialInsuranceCode: string;
  citizenId: string | null;
  legacyId: string | null;
  fullName: string;
  /** As stored: 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'. */
  dateOfBirth: string;
  gender: Gender;
  provinceCode: string;
  /** The death VSS has recorded; null while VSS believes the person alive. */
  deceasedOn: IsoDate | null;
};

/** What of a record keeps paying or covering: read only for people the registry says are dead. */
export type RecordActivity = {
  card: { validTo: IsoDate | null; endedOn: IsoDate | null } | null;
  benefits: { kind: string; stoppedFrom: IsoDate | null }[];
};

/** A registry citizen (npd.registry.v1.Citizen) in domain terms. */
export type RegistryPerson = {
  citizenId: string;
  legacyId: string | null;
  fullName: string;
  dateOfBirth: IsoDate;
  gender: Gender;
  dateOfDeath: IsoDate | null;
  birthProvinceCode: string;
  residenceProvinceCode: string | null;
};

/** How a record was tied to the citizen: by the citizen ID it holds, or by its legacy CMND. */
export type RecordLink = 'CITIZEN_ID' | 'LEGACY_ID';

export type GroupMember = { record: InsuranceRecord; link: RecordLink; activity?: RecordActivity };

export type ActiveAfterDeath = { cardValidTo: IsoDate | 'OPEN' | null; benefitKinds: string[] };

export type RecordClassification = {
  socialInsuranceCode: string;
  outcome: ReconciliationOutcome;
  /** Fields that contradict the registry, both values; present whatever the outcome. */
  differences: FieldDifference[];
  /** Fields that agree only after normalisation (or at a coarser precision). */
  normalizedFields: Exclude<MatchField, 'gender'>[];
  /**
   * Every field the registry writes otherwise, both values: the differences and the normalised
   * fields. Applying a finding rewrites these to the registry's values (and so completes a
   * year-only birth date).
   */
  corrections: FieldDifference[];
  /** LEGACY_ID_RESOLVED (and any record tied by legacy ID): the citizen the CMND belongs to. */
  resolvedCitizenId: string | null;
  /** The other codes held by the same citizen. */
  duplicateSocialInsuranceCodes: string[];
  /** The registry's date of death, when the citizen is dead. */
  dateOfDeath: IsoDate | null;
  activeAfterDeath: ActiveAfterDeath | null;
  /**
   * FIELD_MISMATCH: how the model weighs the record against the citizen, field by field, and
   * the probability that they are the same person at all (a low one points at a mistyped ID).
   */
  evidence: FieldEvidence[];
  matchProbability: number | null;
  /** A sentence for a person. */
  detail: string;
};

/**
 * The prior that a record and the citizen its citizen ID names are the same person: IDs are
 * mistyped onto another real person rarely (the twelve digits carry a province, a century and
 * a year, so most typos name nobody). The blocking prior of the model is for strangers.
 */
export const LINKED_PRIOR = 0.99;

const GENDER_OF_ROW: Readonly<Record<string, Gender>> = { M: 'MALE', F: 'FEMALE' };

/** 'M'/'F' as the tables store it, to the domain's gender. */
export function genderOfRow(value: string): Gender {
  const gender = GENDER_OF_ROW[value];
  if (!gender) throw new RangeError(`gender ${JSON.stringify(value)} must be M or F`);
  return gender;
}

/** Parses a stored partial birth date that the table's CHECK constraint has already validated. */
export function storedPartialDate(value: string): PartialDate {
  // The column holds YYYY, YYYY-MM or YYYY-MM-DD, where old records write an unknown month or
  // day as 00 (YYYY-00, YYYY-00-00, YYYY-MM-00): vss.is_recorded_date checks it at load.
  const year = Number(value.slice(0, 4));
  if (value.length === 4) return { year };
  const month = Number(value.slice(5, 7));
  if (month === 0) return { year };
  if (value.length === 7) return { year, month };
  const day = Number(value.slice(8, 10));
  return day === 0 ? { year, month } : { year, month, day };
}

/**
 * Coverage or benefits still running after the registry's date of death: a card neither ended
 * nor expired before the death, or a pension/allowance not stopped from the month after it.
 * Null when nothing runs on.
 */
export function activeAfterDeath(activity: RecordActivity, dateOfDeath: IsoDate): ActiveAfterDeath | null {
  const card = activity.card;
  const cardRuns =
    card !== null && card.endedOn === null && (card.validTo === null || card.validTo > dateOfDeath);
  const stop = benefitStopDate(dateOfDeath);
  const benefitKinds = activity.benefits
    .filter((b) => b.stoppedFrom === null || b.stoppedFrom > stop)
    .map((b) => b.kind)
    .sort();
  if (!cardRuns && benefitKinds.length === 0) return null;
  return { cardValidTo: cardRuns ? (card.validTo ?? 'OPEN') : null, benefitKinds };
}

/** True when the engine must read the record's card and benefits to classify it. */
export function needsActivity(citizen: RegistryPerson | null, record: InsuranceRecord): boolean {
  return citizen !== null && citizen.dateOfDeath !== null && record.deceasedOn === null;
}

type Comparison = Pick<RecordClassification, 'differences' | 'normalizedFields'> & {
  outcome: 'MATCHED' | 'MATCHED_AFTER_NORMALIZATION' | 'FIELD_MISMATCH';
};

/**
 * Identical text is a clean match by definition, and ~93 % of records are one: answering
 * those without the Unicode work of the full comparison keeps the scan close to read speed.
 */
function compare(record: InsuranceRecord, citizen: RegistryPerson, keyOf: NameKeyOf): Comparison {
  if (
    record.fullName === citizen.fullName &&
    record.dateOfBirth === citizen.dateOfBirth &&
    record.gender === citizen.gender
  ) {
    return { outcome: 'MATCHED', differences: [], normalizedFields: [] };
  }
  return compareParticipantToCitizen(
    { fullName: record.fullName, dateOfBirth: storedPartialDate(record.dateOfBirth), gender: record.gender },
    citizen,
    keyOf,
  );
}

function correctionsOf(
  record: InsuranceRecord,
  citizen: RegistryPerson,
  comparison: Comparison,
): FieldDifference[] {
  const normalized = comparison.normalizedFields.map((field): FieldDifference =>
    field === 'full_name'
      ? { field, insuranceValue: record.fullName, registryValue: citizen.fullName }
      : { field, insuranceValue: record.dateOfBirth, registryValue: citizen.dateOfBirth },
  );
  const order: MatchField[] = ['full_name', 'date_of_birth', 'gender'];
  return [...comparison.differences, ...normalized].sort(
    (a, b) => order.indexOf(a.field) - order.indexOf(b.field),
  );
}

function fieldList(fields: readonly string[]): string {
  return fields.map((f) => f.replace(/_/g, ' ')).join(', ');
}

function describe(
  c: Omit<RecordClassification, 'detail'>,
  record: InsuranceRecord,
  citizen: RegistryPerson | null,
) {
  switch (c.outcome) {
    case 'NOT_IN_REGISTRY':
      return `citizen ID ${record.citizenId} is not in the population registry`;
    case 'DECEASED_BUT_ACTIVE': {
      const running = [
        ...(c.activeAfterDeath?.cardValidTo ? [`HI card valid to ${c.activeAfterDeath.cardValidTo}`] : []),
        ...(c.activeAfterDeath?.benefitKinds ?? []).map(
          (k) => `${k.toLowerCase().replace(/_/g, ' ')} not stopped`,
        ),
      ];
      return `died ${c.dateOfDeath} per the registry, not recorded at VSS: ${running.join('; ')}`;
    }
    case 'DUPLICATE_PARTICIPANT':
      return `citizen ${citizen?.citizenId} also holds social insurance code(s) ${c.duplicateSocialInsuranceCodes.join(', ')}`;
    case 'LEGACY_ID_RESOLVED':
      return `legacy ID ${record.legacyId} belongs to citizen ${c.resolvedCitizenId}${
        c.differences.length > 0 ? `; differs in ${fieldList(c.differences.map((d) => d.field))}` : ''
      }`;
    case 'FIELD_MISMATCH': {
      const differs = `differs from the registry in ${fieldList(c.differences.map((d) => d.field))}`;
      if (c.evidence.length === 0) return differs;
      const unlikely =
        c.matchProbability !== null && c.matchProbability < 0.5
          ? '; the model says these are probably different people: check the citizen ID on the record'
          : '';
      return `${differs} (${formatEvidence(c.evidence)})${unlikely}`;
    }
    case 'MATCHED_AFTER_NORMALIZATION': {
      const partial = precisionOf(storedPartialDate(record.dateOfBirth)) !== 'DAY';
      const parts = [
        ...(c.normalizedFields.includes('full_name')
          ? ['name written differently (case, diacritics or spacing)']
          : []),
        ...(partial
          ? [`birth date known only as ${formatPartialDate(storedPartialDate(record.dateOfBirth))}`]
          : []),
      ];
      return `agrees with the registry after normalisation: ${parts.join('; ')}`;
    }
    case 'MATCHED':
    case 'MISSING_ID_CANDIDATE':
      return '';
  }
}

/**
 * Classifies every record tied to one registry citizen (or to none: a citizen ID the registry
 * does not know). One outcome per record, by priority:
 * NOT_IN_REGISTRY > DECEASED_BUT_ACTIVE > DUPLICATE_PARTICIPANT > LEGACY_ID_RESOLVED >
 * FIELD_MISMATCH > MATCHED_AFTER_NORMALIZATION > MATCHED.
 * Money paid to the dead outranks everything the registry knows; a duplicate must be merged
 * before any of its fields are worth correcting. Field differences are reported whatever wins.
 */
export function classifyCitizenGroup(
  citizen: RegistryPerson | null,
  members: readonly GroupMember[],
  model?: MatchModel,
  /** Match keys of names: a caller classifying millions of records passes a cache of them. */
  keyOf: NameKeyOf = nameMatchKey,
): RecordClassification[] {
  // Written for the common case (one record, a clean match) to allocate little: the scan
  // classifies every insurance record in the country.
  return members.map((member) => {
    const { record } = member;
    const others =
      members.length === 1
        ? []
        : members
            .filter((m) => m.record.socialInsuranceCode !== record.socialInsuranceCode)
            .map((m) => m.record.socialInsuranceCode)
            .sort();
    let c: RecordClassification;
    if (citizen === null) {
      c = {
        socialInsuranceCode: record.socialInsuranceCode,
        outcome: 'NOT_IN_REGISTRY',
        differences: [],
        normalizedFields: [],
        corrections: [],
        resolvedCitizenId: null,
        duplicateSocialInsuranceCodes: others,
        dateOfDeath: null,
        activeAfterDeath: null,
        evidence: [],
        matchProbability: null,
        detail: '',
      };
    } else {
      const comparison = compare(record, citizen, keyOf);
      const active =
        needsActivity(citizen, record) && member.activity
          ? activeAfterDeath(member.activity, citizen.dateOfDeath as IsoDate)
          : null;
      const outcome: ReconciliationOutcome =
        active !== null
          ? 'DECEASED_BUT_ACTIVE'
          : others.length > 0
            ? 'DUPLICATE_PARTICIPANT'
            : member.link === 'LEGACY_ID'
              ? 'LEGACY_ID_RESOLVED'
              : comparison.outcome;
      c = {
        socialInsuranceCode: record.socialInsuranceCode,
        outcome,
        differences: comparison.differences,
        normalizedFields: comparison.normalizedFields,
        corrections: comparison.outcome === 'MATCHED' ? [] : correctionsOf(record, citizen, comparison),
        resolvedCitizenId: member.link === 'LEGACY_ID' ? citizen.citizenId : null,
        duplicateSocialInsuranceCodes: others,
        dateOfDeath: citizen.dateOfDeath,
        activeAfterDeath: active,
        evidence: [],
        matchProbability: null,
        detail: '',
      };
      if (outcome === 'FIELD_MISMATCH' && model) {
        const score = scorePair(
          model,
          {
            fullName: record.fullName,
            nameKey: keyOf(record.fullName),
            dateOfBirth: storedPartialDate(record.dateOfBirth),
            gender: record.gender,
            provinceCode: record.provinceCode,
          },
          {
            fullName: citizen.fullName,
            nameKey: keyOf(citizen.fullName),
            dateOfBirth: citizen.dateOfBirth,
            gender: citizen.gender,
            provinceCodes: citizenProvinces(citizen.residenceProvinceCode, citizen.birthProvinceCode),
          },
        );
        c.evidence = score.evidence;
        c.matchProbability = probabilityOf({ priorMatchProbability: LINKED_PRIOR }, score.matchWeight);
      }
    }
    if (c.outcome !== 'MATCHED') c.detail = describe(c, record, citizen);
    return c;
  });
}

/** True when the outcome is written down as a finding (everything but a clean match). */
export function isFinding(outcome: ReconciliationOutcome): boolean {
  return outcome !== 'MATCHED';
}
