import { genderFromStored, registryGender } from '@vss/platform';
import { registry } from '@vss/contracts';

/** A row of npd.citizens as the repository reads it. */
export interface CitizenRow {
  citizen_id: string;
  legacy_id: string | null;
  full_name: string;
  date_of_birth: string;
  gender: 'M' | 'F';
  birth_province_code: string;
  residence_address: string;
  residence_province_code: string | null;
  residence_status: 'NONE' | 'REGISTERED' | 'CANCELLED';
  vital_status: 'ALIVE' | 'DECEASED';
  date_of_death: string | null;
  updated_at: string;
}

const RESIDENCE: Record<CitizenRow['residence_status'], registry.ResidenceStatus> = {
  NONE: registry.ResidenceStatus.RESIDENCE_STATUS_NONE,
  REGISTERED: registry.ResidenceStatus.RESIDENCE_STATUS_REGISTERED,
  CANCELLED: registry.ResidenceStatus.RESIDENCE_STATUS_CANCELLED,
};

export function toCitizen(row: CitizenRow): registry.Citizen {
  return {
    citizenId: row.citizen_id,
    legacyId: row.legacy_id ?? '',
    fullName: row.full_name,
    dateOfBirth: row.date_of_birth,
    gender: registryGender(genderFromStored(row.gender)),
    birthProvinceCode: row.birth_province_code,
    permanentResidence: {
      address: row.residence_address,
      provinceCode: row.residence_province_code ?? '',
      status: RESIDENCE[row.residence_status],
    },
    vitalStatus:
      row.vital_status === 'ALIVE'
        ? registry.VitalStatus.VITAL_STATUS_ALIVE
        : registry.VitalStatus.VITAL_STATUS_DECEASED,
    dateOfDeath: row.date_of_death ?? '',
    updatedAt: row.updated_at,
  };
}

/**
 * Dates and timestamps are read as text in SQL (to_char) so that no time-zone conversion
 * can shift a date of birth by a day.
 */
export const CITIZEN_COLUMNS = `citizen_id, legacy_id, full_name, to_char(date_of_birth, 'YYYY-MM-DD') AS date_of_birth,
  gender, birth_province_code, residence_address, residence_province_code, residence_status, vital_status,
  to_char(date_of_death, 'YYYY-MM-DD') AS date_of_death,
  to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS updated_at`;
