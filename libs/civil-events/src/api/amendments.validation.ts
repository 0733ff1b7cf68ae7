import type {
  CorrectRegistrationRequest,
  OriginalRegistration,
  RevokeRegistrationRequest,
} from '@vss/contracts';
import { checkCitizenIdConsistency, type IsoDate, parseCitizenId, parseIsoDate, tidyName } from '@vss/domain';
import type {
  BirthCorrection,
  BirthRegistrationFacts,
  DeathCorrection,
  RegistrationRef,
} from '@vss/domain/linked-procedures';
import { genderFromGateway } from '@vss/platform';
import { invalidField } from '../civil-events.errors';
import { personName, validateEventKey, validateHeader } from './civil-events.validation';

/**
 * RevokeRegistration's and CorrectRegistration's checks that need no database: the filing, the
 * original it refers to, the reason, and the corrected facts as far as they can be judged alone.
 */

export type OriginalKey = { officeCode: string; eventId: string };

export function validateOriginal(original: OriginalRegistration | undefined): OriginalKey {
  if (!original)
    throw invalidField('original', 'is required: the office code and event ID of the registration');
  return validateEventKey(original, 'original');
}

export function validateReason(reason: string | undefined): string {
  const tidy = (reason ?? '').normalize('NFC').replace(/\s+/gu, ' ').trim();
  if (tidy === '') throw invalidField('reason', 'is required: why the registration is revoked or corrected');
  if (tidy.length > 500) throw invalidField('reason', `is ${tidy.length} characters long; at most 500`);
  return tidy;
}

export function validateRevocation(request: Partial<RevokeRegistrationRequest>, today: IsoDate) {
  const header = validateHeader(request.header, today);
  const original = validateOriginal(request.original);
  sameEvent(header, original);
  return { header, original, reason: validateReason(request.reason) };
}

export type ValidCorrection = { death: DeathCorrection } | { birth: BirthCorrection };

export function validateCorrection(request: Partial<CorrectRegistrationRequest>, today: IsoDate) {
  const header = validateHeader(request.header, today);
  const original = validateOriginal(request.original);
  sameEvent(header, original);
  const reason = validateReason(request.reason);
  if (request.death && request.birth) throw invalidField('correction', 'give death or birth, not both');
  if (request.death) {
    const parsed = parseIsoDate(request.death.dateOfDeath ?? '');
    if (!parsed.ok) throw invalidField('death.date_of_death', parsed.error.message);
    if (parsed.value > today) {
      throw invalidField('death.date_of_death', `${parsed.value} is in the future (today is ${today})`);
    }
    return {
      header,
      original,
      reason,
      correction: { death: { dateOfDeath: parsed.value } } as ValidCorrection,
    };
  }
  if (request.birth) {
    const birth: BirthCorrection = {};
    if (tidyName(request.birth.childFullName ?? '') !== '') {
      birth.childFullName = personName(request.birth.childFullName, 'birth.child_full_name');
    }
    if ((request.birth.childDateOfBirth ?? '').trim() !== '') {
      const parsed = parseIsoDate(request.birth.childDateOfBirth);
      if (!parsed.ok) throw invalidField('birth.child_date_of_birth', parsed.error.message);
      if (parsed.value > today) {
        throw invalidField(
          'birth.child_date_of_birth',
          `${parsed.value} is in the future (today is ${today})`,
        );
      }
      birth.childDateOfBirth = parsed.value;
    }
    const gender = genderFromGateway(request.birth.childGender);
    if (gender) birth.childGender = gender;
    if (Object.keys(birth).length === 0) {
      throw invalidField('birth', 'corrects nothing: give the child’s full name, date of birth or gender');
    }
    return { header, original, reason, correction: { birth } as ValidCorrection };
  }
  throw invalidField('correction', 'is required: death.date_of_death, or the birth’s corrected fields');
}

/** The filing of an amendment is an event of its own: it cannot reuse the original's ID. */
function sameEvent(header: RegistrationRef, original: OriginalKey): void {
  if (header.officeCode === original.officeCode && header.eventId === original.eventId) {
    throw invalidField(
      'header.event_id',
      'is the original’s event ID: a revocation or correction needs one of its own',
    );
  }
}

/**
 * A corrected birth must still be one the child's citizen ID encodes (century and gender, year of
 * birth): a child whose ID is wrong is not corrected but revoked and registered anew.
 */
export function checkBirthCorrection(
  facts: BirthRegistrationFacts,
  correction: BirthCorrection,
  today: IsoDate,
): void {
  const id = parseCitizenId(facts.childCitizenId, { today });
  if (!id.ok) return;
  const dateOfBirth = correction.childDateOfBirth ?? facts.childDateOfBirth;
  const gender = correction.childGender ?? facts.childGender;
  const consistent = checkCitizenIdConsistency(id.value, { dateOfBirth, gender });
  if (!consistent.ok) {
    const field = correction.childDateOfBirth ? 'birth.child_date_of_birth' : 'birth.child_gender';
    throw invalidField(
      field,
      `does not agree with the child's citizen ID ${facts.childCitizenId} (${consistent.error.message}); ` +
        'a child registered under a wrong citizen ID is not corrected: revoke the birth and register it anew',
    );
  }
}

/** RevokeRegistration's checks that need no database. */
export function checkRevokeRequest(request: Partial<RevokeRegistrationRequest>, today: IsoDate): void {
  validateRevocation(request, today);
}

/** CorrectRegistration's checks that need no database. */
export function checkCorrectRequest(request: Partial<CorrectRegistrationRequest>, today: IsoDate): void {
  validateCorrection(request, today);
}
