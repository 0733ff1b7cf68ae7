import { checkCitizenIdConsistency, parseCitizenId, parseIsoDate, parseLegacyId } from '@vss/domain';
import { RegistryErrorCode, registryError } from './citizens.errors';

/** A valid citizen ID or an INVALID_ARGUMENT naming the field and the reason. */
export function requireCitizenId(value: string, field: string, today: string): string {
  const parsed = parseCitizenId(value ?? '', { today });
  if (!parsed.ok) {
    throw registryError(RegistryErrorCode.InvalidCitizenId, `${field}: ${parsed.error.message}`, field);
  }
  return parsed.value.value;
}

export function requireLegacyId(value: string, field: string): string {
  const parsed = parseLegacyId(value ?? '');
  if (!parsed.ok) {
    throw registryError(RegistryErrorCode.InvalidLegacyId, `${field}: ${parsed.error.message}`, field);
  }
  return parsed.value;
}

/** A real calendar date, not after today. */
export function requirePastDate(value: string, field: string, today: string): string {
  const parsed = parseIsoDate(value ?? '');
  if (!parsed.ok) {
    throw registryError(
      RegistryErrorCode.InvalidField,
      `${field}: ${parsed.error.message} (expected YYYY-MM-DD)`,
      field,
    );
  }
  if (parsed.value > today) {
    throw registryError(RegistryErrorCode.InvalidField, `${field}: ${parsed.value} is in the future`, field);
  }
  return parsed.value;
}

export function requireText(value: string, field: string, maxLength = 200): string {
  const text = (value ?? '').trim();
  if (!text) throw registryError(RegistryErrorCode.InvalidField, `${field} is required`, field);
  if (text.length > maxLength) {
    throw registryError(
      RegistryErrorCode.InvalidField,
      `${field} is longer than ${maxLength} characters`,
      field,
    );
  }
  return text;
}

/** The century/gender digit and the year digits of the ID must agree with what is claimed. */
export function requireConsistentId(
  citizenId: string,
  dateOfBirth: string,
  gender: 'MALE' | 'FEMALE',
  today: string,
): void {
  const parsed = parseCitizenId(citizenId, { today });
  if (!parsed.ok) return;
  const consistent = checkCitizenIdConsistency(parsed.value, { dateOfBirth, gender });
  if (!consistent.ok) {
    throw registryError(
      RegistryErrorCode.InvalidCitizenId,
      `citizen_id: ${consistent.error.message}`,
      'citizen_id',
    );
  }
}
