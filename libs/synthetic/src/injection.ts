import { birthYearOf, sampleBirthDay, sampleGender } from './demography';
import { ageOn, isoOf } from './dates';
import {
  alterNameForm,
  coarsenBirthDate,
  type DiscrepancyKind,
  misspellName,
  OUTCOME_OF,
  swapDayAndMonth,
} from './discrepancies';
import {
  abbreviateMiddleName,
  addInvisibleCharacters,
  confuseName,
  ETHNIC_MINORITY_NAMES,
  lookalikeName,
  placeholderBirthDate,
  respellEthnicName,
  toneVariant,
} from './real-record-errors';
import { buildInsurance, type InsuranceContext, type InsuredPerson } from './insurance';
import { sampleFullName } from './names';
import { BIRTH_PROVINCES, sampleAddress, sampleResidenceProvince } from './places';
import { Random } from './random';
import type { IdentityField } from '@vss/domain';
import type { CitizenRow, ParticipantRow, PersonRecords, TruthRow } from './rows';

/**
 * Applies one discrepancy to a person's clean insurance records and writes down the truth:
 * which record, which outcome reconciliation should reach, the clean and the recorded values.
 */

export function injectDiscrepancy(
  ctx: InsuranceContext,
  rng: Random,
  kind: DiscrepancyKind,
  records: PersonRecords,
  insured: InsuredPerson,
): void {
  const primary = records.participants[0];
  const citizen = records.citizen;
  const truth = (
    record: ParticipantRow,
    fields: IdentityField[],
    detail: Record<string, unknown>,
  ): TruthRow => ({
    socialInsuranceCode: record.socialInsuranceCode,
    outcome: OUTCOME_OF[kind],
    citizenId: kind === 'UNKNOWN_CITIZEN_ID' ? null : citizen.citizenId,
    fields,
    detail: { kind, ...detail },
  });

  switch (kind) {
    case 'NAME_FORM': {
      const { value, variant, extraSpaces } = alterNameForm(rng, primary.fullName);
      records.truth.push(
        truth(primary, ['full_name'], { variant, extraSpaces, clean: primary.fullName, recorded: value }),
      );
      primary.fullName = value;
      return;
    }
    case 'NAME_TYPO': {
      const { value, typo } = misspellName(rng, primary.fullName);
      records.truth.push(truth(primary, ['full_name'], { typo, clean: primary.fullName, recorded: value }));
      primary.fullName = value;
      return;
    }
    case 'DOB_DAY_MONTH_SWAPPED': {
      const value = swapDayAndMonth(primary.dateOfBirth);
      records.truth.push(truth(primary, ['date_of_birth'], { clean: primary.dateOfBirth, recorded: value }));
      primary.dateOfBirth = value;
      return;
    }
    case 'GENDER_WRONG': {
      const value = primary.gender === 'M' ? 'F' : 'M';
      records.truth.push(truth(primary, ['gender'], { clean: primary.gender, recorded: value }));
      primary.gender = value;
      return;
    }
    case 'DOB_PRECISION_LOST': {
      const { value, precision } = coarsenBirthDate(rng, primary.dateOfBirth);
      records.truth.push(
        truth(primary, ['date_of_birth'], { precision, clean: primary.dateOfBirth, recorded: value }),
      );
      primary.dateOfBirth = value;
      return;
    }
    case 'LEGACY_ID_ONLY':
      primary.citizenId = null;
      primary.legacyId = citizen.legacyId;
      records.truth.push(truth(primary, [], { legacyId: citizen.legacyId }));
      return;
    case 'CITIZEN_ID_MISSING':
      primary.citizenId = null;
      primary.legacyId = null;
      records.truth.push(truth(primary, [], {}));
      return;
    case 'DUPLICATE_RECORD':
      addDuplicate(ctx, rng, records, insured, truth);
      return;
    case 'DEATH_NOT_RECORDED': {
      const deathMonth = citizen.dateOfDeath!.slice(0, 7);
      const after = records.payments.filter((p) => p.period > deathMonth);
      records.truth.push(
        truth(primary, [], {
          dateOfDeath: citizen.dateOfDeath,
          cardValidTo: records.cards[0]?.validTo ?? null,
          benefits: records.benefits.map((b) => b.kind),
          paymentsAfterDeath: after.length,
          amountPaidAfterDeathVnd: after.reduce((sum, p) => sum + p.amountVnd, 0),
        }),
      );
      return;
    }
    case 'UNKNOWN_CITIZEN_ID':
      addUnknownPerson(ctx, rng, records, truth);
      return;
    case 'NAME_CONFUSION': {
      const { value, confusion } = confuseName(rng, primary.fullName);
      records.truth.push(
        truth(primary, ['full_name'], { confusion, clean: primary.fullName, recorded: value }),
      );
      primary.fullName = value;
      return;
    }
    case 'NAME_INVISIBLE': {
      const { value, variant } = addInvisibleCharacters(rng, primary.fullName);
      records.truth.push(truth(primary, [], { variant, clean: primary.fullName, recorded: value }));
      primary.fullName = value;
      return;
    }
    case 'NAME_LOOKALIKE': {
      const { value, variant } = lookalikeName(rng, primary.fullName);
      records.truth.push(
        truth(primary, ['full_name'], { variant, clean: primary.fullName, recorded: value }),
      );
      primary.fullName = value;
      return;
    }
    case 'NAME_ETHNIC_SPELLING': {
      // The person is given an ethnic-minority name in the registry, spelt otherwise by VSS.
      const registered = rng.pick(ETHNIC_MINORITY_NAMES[primary.gender]);
      const { value, variant } = respellEthnicName(rng, registered);
      citizen.fullName = registered;
      records.truth.push(truth(primary, ['full_name'], { variant, clean: registered, recorded: value }));
      primary.fullName = value;
      return;
    }
    case 'NAME_MIDDLE_ABBREVIATED': {
      const { value, variant } = abbreviateMiddleName(rng, primary.fullName);
      records.truth.push(
        truth(primary, ['full_name'], { variant, clean: primary.fullName, recorded: value }),
      );
      primary.fullName = value;
      return;
    }
    case 'DOB_PLACEHOLDER': {
      const { value, form } = placeholderBirthDate(rng, primary.dateOfBirth);
      records.truth.push(
        truth(primary, ['date_of_birth'], { form, clean: primary.dateOfBirth, recorded: value }),
      );
      primary.dateOfBirth = value;
      return;
    }
    case 'MISSING_ID_THIRD_PROVINCE': {
      const own = [citizen.birthProvinceCode, citizen.residenceProvinceCode];
      let province = BIRTH_PROVINCES.sample(rng);
      while (own.includes(province)) province = BIRTH_PROVINCES.sample(rng);
      primary.citizenId = null;
      primary.legacyId = null;
      records.truth.push(truth(primary, [], { keptIn: province, bornIn: own[0], livesIn: own[1] }));
      primary.provinceCode = province;
      return;
    }
    case 'MISSING_ID_DIRTY': {
      primary.citizenId = null;
      primary.legacyId = null;
      const dirt = rng.pick([
        'NAME_FORM',
        'NAME_TYPO',
        'DOB_PRECISION_LOST',
        'DOB_PLACEHOLDER',
        'NAME_MIDDLE_ABBREVIATED',
      ] as const);
      const before = { name: primary.fullName, date: primary.dateOfBirth };
      if (dirt === 'NAME_FORM') primary.fullName = alterNameForm(rng, primary.fullName).value;
      else if (dirt === 'NAME_TYPO') primary.fullName = misspellName(rng, primary.fullName).value;
      else if (dirt === 'NAME_MIDDLE_ABBREVIATED')
        primary.fullName = abbreviateMiddleName(rng, primary.fullName).value;
      else if (dirt === 'DOB_PRECISION_LOST')
        primary.dateOfBirth = coarsenBirthDate(rng, primary.dateOfBirth).value;
      else primary.dateOfBirth = placeholderBirthDate(rng, primary.dateOfBirth).value;
      records.truth.push(
        truth(primary, [], {
          dirt,
          clean: before,
          recorded: { name: primary.fullName, date: primary.dateOfBirth },
        }),
      );
      return;
    }
    case 'MISSING_ID_TONE_NAMESAKE': {
      primary.citizenId = null;
      primary.legacyId = null;
      const namesake: CitizenRow = {
        ...citizen,
        citizenId: ctx.ids.citizenId(citizen.birthProvinceCode, insured.gender, birthYearOf(insured.birth)),
        legacyId: null,
        fullName: toneVariant(rng, citizen.fullName),
        vitalStatus: 'ALIVE',
        dateOfDeath: null,
        residenceStatus: citizen.residenceStatus === 'CANCELLED' ? 'REGISTERED' : citizen.residenceStatus,
      };
      records.alsoInRegistry = [...(records.alsoInRegistry ?? []), namesake];
      records.truth.push(
        truth(primary, [], { namesake: namesake.citizenId, namesakeName: namesake.fullName }),
      );
      return;
    }
    case 'CITIZEN_ID_OTHER_PERSON': {
      // Another real person of the same province, sex and birth year: their IDs share six digits.
      const year = birthYearOf(insured.birth);
      let day = sampleBirthDay(rng, ctx.asOf);
      while (birthYearOf(day) !== year) day = sampleBirthDay(rng, ctx.asOf);
      const other: CitizenRow = {
        ...citizen,
        citizenId: ctx.ids.citizenId(citizen.birthProvinceCode, insured.gender, year),
        legacyId: null,
        fullName: sampleFullName(rng, insured.gender, year, citizen.birthProvinceCode),
        dateOfBirth: isoOf(day),
        vitalStatus: 'ALIVE',
        dateOfDeath: null,
        residenceStatus: citizen.residenceStatus === 'CANCELLED' ? 'REGISTERED' : citizen.residenceStatus,
      };
      records.alsoInRegistry = [...(records.alsoInRegistry ?? []), other];
      const fields: IdentityField[] = [];
      if (other.fullName !== primary.fullName) fields.push('full_name');
      if (other.dateOfBirth !== primary.dateOfBirth) fields.push('date_of_birth');
      records.truth.push(truth(primary, fields, { recordCitizenId: other.citizenId, owner: other.fullName }));
      primary.citizenId = other.citizenId;
      primary.legacyId = null;
      return;
    }
  }
}

type TruthOf = (record: ParticipantRow, fields: IdentityField[], detail: Record<string, unknown>) => TruthRow;

/**
 * A second record for the same citizen, as when a new employer registers someone without
 * finding the existing code: often in another province, with a stale card or none.
 */
function addDuplicate(
  ctx: InsuranceContext,
  rng: Random,
  records: PersonRecords,
  insured: InsuredPerson,
  truth: TruthOf,
): void {
  const primary = records.participants[0];
  const provinceCode = rng.chance(0.3)
    ? sampleResidenceProvince(rng, insured.provinceCode)
    : insured.provinceCode;
  const address = provinceCode === insured.provinceCode ? insured.address : sampleAddress(rng, provinceCode);
  const copy = buildInsurance(
    ctx,
    rng,
    { ...insured, provinceCode, address },
    {
      cardStatus: rng.chance(0.5) ? 'EXPIRED' : 'NONE',
      benefits: false,
    },
  );
  records.participants.push(copy.participant);
  if (copy.card) records.cards.push(copy.card);
  const duplicate = copy.participant.socialInsuranceCode;
  records.truth.push(truth(primary, [], { role: 'ORIGINAL', otherSocialInsuranceCodes: [duplicate] }));
  records.truth.push(
    truth(copy.participant, [], {
      role: 'DUPLICATE',
      otherSocialInsuranceCodes: [primary.socialInsuranceCode],
    }),
  );
}

/** A participant whose well-formed citizen ID the registry has never issued (a typo'd or invented number). */
function addUnknownPerson(ctx: InsuranceContext, rng: Random, records: PersonRecords, truth: TruthOf): void {
  const birth = sampleBirthDay(rng, ctx.asOf);
  const gender = sampleGender(rng, ageOn(birth, ctx.asOf));
  const province = BIRTH_PROVINCES.sample(rng);
  const birthYear = birthYearOf(birth);
  const citizenId = ctx.ids.unknownCitizenId(province, gender, birthYear);
  const built = buildInsurance(ctx, rng, {
    citizenId,
    legacyId: null,
    fullName: sampleFullName(rng, gender, birthYear, province),
    birth,
    gender,
    provinceCode: province,
    address: sampleAddress(rng, province),
    knownDeath: null,
  });
  records.participants.push(built.participant);
  if (built.card) records.cards.push(built.card);
  records.benefits.push(...built.benefits);
  records.payments.push(...built.payments);
  records.truth.push(truth(built.participant, [], { recordCitizenId: citizenId, dateOfBirth: isoOf(birth) }));
}
