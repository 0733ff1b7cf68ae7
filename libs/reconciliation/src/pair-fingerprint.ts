import { createHash } from 'node:crypto';
import type { InsuranceRecord, RecordActivity, RegistryPerson } from '@vss/domain/reconciliation';

/**
 * What a finding is about, as a digest of the contents of its two sides: our record (with its
 * card and benefits when they decided the outcome) and the registry's citizen, or for a record
 * without a citizen ID the candidates proposed. A reviewer's rejection is kept against it, and a
 * later run proposes the finding again only when the digest differs — when either side changed.
 */
export function pairFingerprint(
  record: InsuranceRecord,
  other: RegistryPerson | null | { candidates: readonly string[] },
  activity?: RecordActivity,
): string {
  const ours = [
    record.socialInsuranceCode,
    record.citizenId ?? '',
    record.legacyId ?? '',
    record.fullName,
    record.dateOfBirth,
    record.gender,
    record.provinceCode,
    record.deceasedOn ?? '',
  ];
  const theirs =
    other === null
      ? ['-']
      : 'candidates' in other
        ? ['candidates', ...other.candidates]
        : [
            other.citizenId,
            other.legacyId ?? '',
            other.fullName,
            other.dateOfBirth,
            other.gender,
            other.dateOfDeath ?? '',
            other.birthProvinceCode,
            other.residenceProvinceCode ?? '',
          ];
  const hash = createHash('sha256').update(JSON.stringify([ours, theirs]));
  if (activity) hash.update(JSON.stringify(activity));
  return hash.digest('base64url');
}
