import { genderFromGateway } from '@vss/platform';
import {
  type BirthRegistration,
  type Claimant,
  type DeathRegistration,
  Gender as WireGender,
  type RegistrationHeader,
  type SubmitBirthRegistrationRequest,
  type SubmitDeathRegistrationRequest,
} from '@vss/contracts';
import {
  checkCitizenIdConsistency,
  type CitizenIdInfo,
  type Gender,
  type IsoDate,
  isProvinceCode,
  parseCitizenId,
  parseIsoDate,
  tidyName,
} from '@vss/domain';
import type {
  BirthRegistrationFacts,
  DeathRegistrationFacts,
  RegistrationRef,
} from '@vss/domain/linked-procedures';
import { invalidField } from '../civil-events.errors';

/**
 * Turns a registration as received into the facts a procedure runs on, or refuses it with
 * INVALID_ARGUMENT naming the field. Everything checkable without the registry is checked here,
 * so that a procedure stops for review only on what a person at VSS must really look at.
 */

const OFFICE_CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const EVENT_ID = /^[\x21-\x7E]{1,128}$/;
const FACILITY_CODE = /^[0-9]{5}$/;
const BANK_CODE = /^[A-Z0-9]{2,11}$/;
const ACCOUNT_NUMBER = /^[0-9]{6,19}$/;
// Letters of any script with their marks, and the punctuation found inside names (H'Hen, Y-Moan).
const PERSON_NAME = /^[\p{L}\p{M}][\p{L}\p{M} '’.-]*$/u;
const MAX_NAME = 100;
const MAX_TEXT = 500;

function text(value: string | undefined, field: string, max = MAX_TEXT): string {
  const tidy = (value ?? '').normalize('NFC').replace(/\s+/gu, ' ').trim();
  if (tidy === '') throw invalidField(field, 'is required');
  if (tidy.length > max) throw invalidField(field, `is ${tidy.length} characters long; at most ${max}`);
  return tidy;
}

export function personName(value: string | undefined, field: string): string {
  const name = tidyName(value ?? '');
  if (name === '') throw invalidField(field, 'is required');
  if (name.length > MAX_NAME)
    throw invalidField(field, `is ${name.length} characters long; at most ${MAX_NAME}`);
  if (!PERSON_NAME.test(name)) {
    throw invalidField(field, `${JSON.stringify(name)} contains characters that do not occur in names`);
  }
  return name;
}

function pastDate(value: string | undefined, field: string, today: IsoDate): IsoDate {
  const parsed = parseIsoDate(value ?? '');
  if (!parsed.ok) throw invalidField(field, parsed.error.message);
  if (parsed.value > today) throw invalidField(field, `${parsed.value} is in the future (today is ${today})`);
  return parsed.value;
}

function citizenId(value: string | undefined, field: string, today: IsoDate): CitizenIdInfo {
  const parsed = parseCitizenId(value ?? '', { today });
  if (!parsed.ok) throw invalidField(field, parsed.error.message);
  return parsed.value;
}

function gender(value: WireGender | undefined, field: string): Gender {
  const known = genderFromGateway(value);
  if (known) return known;
  throw invalidField(field, 'must be GENDER_MALE or GENDER_FEMALE');
}

/** An office's code and its own ID of an event, as `<parent>.office_code` and `<parent>.event_id`. */
export function validateEventKey(
  key: { officeCode?: string; eventId?: string },
  parent: string,
): { officeCode: string; eventId: string } {
  const officeCode = (key.officeCode ?? '').trim();
  if (!OFFICE_CODE.test(officeCode)) {
    throw invalidField(`${parent}.office_code`, "must be 1–64 letters, digits, '.', '_' or '-'");
  }
  const eventId = key.eventId ?? '';
  if (!EVENT_ID.test(eventId)) {
    throw invalidField(`${parent}.event_id`, 'must be 1–128 printable ASCII characters without spaces');
  }
  return { officeCode, eventId };
}

/** The header; the office code is checked against the caller separately. */
export function validateHeader(header: RegistrationHeader | undefined, today: IsoDate): RegistrationRef {
  if (!header) throw invalidField('header', 'is required');
  const { officeCode, eventId } = validateEventKey(header, 'header');
  return {
    officeCode,
    eventId,
    registrationNumber: text(header.registrationNumber, 'header.registration_number', 64),
    registrationDate: pastDate(header.registrationDate, 'header.registration_date', today),
  };
}

function parent(
  value: string | undefined,
  field: string,
  expected: Gender,
  child: CitizenIdInfo,
  today: IsoDate,
): string | undefined {
  if (!value || value.trim() === '') return undefined;
  const info = citizenId(value, field, today);
  if (info.value === child.value) throw invalidField(field, "is the child's own citizen ID");
  if (info.gender !== expected) {
    throw invalidField(field, `${info.value} encodes a ${info.gender.toLowerCase()} holder`);
  }
  if (info.birthYear >= child.birthYear) {
    throw invalidField(field, `${info.value} encodes birth year ${info.birthYear}, not before the child's`);
  }
  return info.value;
}

export function validateBirth(
  birth: BirthRegistration | undefined,
  header: RegistrationRef,
  today: IsoDate,
): BirthRegistrationFacts {
  if (!birth) throw invalidField('birth', 'is required');
  const child = citizenId(birth.childCitizenId, 'birth.child_citizen_id', today);
  const childFullName = personName(birth.childFullName, 'birth.child_full_name');
  const childDateOfBirth = pastDate(birth.childDateOfBirth, 'birth.child_date_of_birth', today);
  if (childDateOfBirth > header.registrationDate) {
    throw invalidField(
      'birth.child_date_of_birth',
      `${childDateOfBirth} is after the registration date ${header.registrationDate}`,
    );
  }
  const childGender = gender(birth.childGender, 'birth.child_gender');
  const consistent = checkCitizenIdConsistency(child, { dateOfBirth: childDateOfBirth, gender: childGender });
  if (!consistent.ok) throw invalidField('birth.child_citizen_id', consistent.error.message);
  const residence = birth.permanentResidence;
  if (!residence) throw invalidField('birth.permanent_residence', 'is required');
  const residenceProvinceCode = (residence.provinceCode ?? '').trim();
  if (!isProvinceCode(residenceProvinceCode)) {
    throw invalidField(
      'birth.permanent_residence.province_code',
      `${JSON.stringify(residence.provinceCode)} is not one of the 63 province codes (001 … 096)`,
    );
  }
  const facility = (birth.primaryCareFacilityCode ?? '').trim();
  if (facility !== '' && !FACILITY_CODE.test(facility)) {
    throw invalidField('birth.primary_care_facility_code', 'must be a 5-digit facility code, or empty');
  }
  const facts: BirthRegistrationFacts = {
    childCitizenId: child.value,
    childFullName,
    childDateOfBirth,
    childGender,
    residenceAddress: text(residence.address, 'birth.permanent_residence.address'),
    residenceProvinceCode,
  };
  const father = parent(birth.fatherCitizenId, 'birth.father_citizen_id', 'MALE', child, today);
  const mother = parent(birth.motherCitizenId, 'birth.mother_citizen_id', 'FEMALE', child, today);
  if (father) facts.fatherCitizenId = father;
  if (mother) facts.motherCitizenId = mother;
  if (facility) facts.primaryCareFacilityCode = facility;
  return facts;
}

function claimantOf(
  claimant: Claimant | undefined,
  deceased: CitizenIdInfo,
  today: IsoDate,
): DeathRegistrationFacts['claimant'] {
  if (!claimant) throw invalidField('death.claimant', 'is required: the relative who receives the allowance');
  const id = citizenId(claimant.citizenId, 'death.claimant.citizen_id', today);
  if (id.value === deceased.value) {
    throw invalidField('death.claimant.citizen_id', 'is the citizen ID of the deceased');
  }
  const account = claimant.account;
  if (!account) throw invalidField('death.claimant.account', 'is required: where the allowance is paid');
  const bankCode = (account.bankCode ?? '').trim().toUpperCase();
  if (!BANK_CODE.test(bankCode)) {
    throw invalidField('death.claimant.account.bank_code', 'must be the 2–11 letter or digit code of a bank');
  }
  const accountNumber = (account.accountNumber ?? '').trim();
  if (!ACCOUNT_NUMBER.test(accountNumber)) {
    throw invalidField('death.claimant.account.account_number', 'must be 6–19 digits');
  }
  return {
    citizenId: id.value,
    fullName: personName(claimant.fullName, 'death.claimant.full_name'),
    relationship: text(claimant.relationship, 'death.claimant.relationship', 50),
    bankCode,
    accountNumber,
    accountHolder: personName(account.accountHolder, 'death.claimant.account.account_holder'),
  };
}

export function validateDeath(
  death: DeathRegistration | undefined,
  header: RegistrationRef,
  today: IsoDate,
): DeathRegistrationFacts {
  if (!death) throw invalidField('death', 'is required');
  const deceased = citizenId(death.deceasedCitizenId, 'death.deceased_citizen_id', today);
  const dateOfDeath = pastDate(death.dateOfDeath, 'death.date_of_death', today);
  if (dateOfDeath > header.registrationDate) {
    throw invalidField(
      'death.date_of_death',
      `${dateOfDeath} is after the registration date ${header.registrationDate}`,
    );
  }
  const deathYear = Number(dateOfDeath.slice(0, 4));
  if (deathYear < deceased.birthYear) {
    throw invalidField(
      'death.date_of_death',
      `${dateOfDeath} is before birth year ${deceased.birthYear} encoded in the citizen ID`,
    );
  }
  const facts: DeathRegistrationFacts = {
    deceasedCitizenId: deceased.value,
    dateOfDeath,
    workRelated: death.workRelated === true,
    claimant: claimantOf(death.claimant, deceased, today),
  };
  const place = death.placeOfDeath;
  if (place && (place.provinceCode ?? '').trim() !== '') {
    const provinceCode = place.provinceCode.trim();
    if (!isProvinceCode(provinceCode)) {
      throw invalidField(
        'death.place_of_death.province_code',
        `${JSON.stringify(place.provinceCode)} is not one of the 63 province codes (001 … 096)`,
      );
    }
    facts.placeOfDeathProvinceCode = provinceCode;
  }
  return facts;
}

/** SubmitBirthRegistration's checks that need no database. */
export function checkBirthRequest(request: Partial<SubmitBirthRegistrationRequest>, today: IsoDate): void {
  validateBirth(request.birth, validateHeader(request.header, today), today);
}

/** SubmitDeathRegistration's checks that need no database. */
export function checkDeathRequest(request: Partial<SubmitDeathRegistrationRequest>, today: IsoDate): void {
  validateDeath(request.death, validateHeader(request.header, today), today);
}
