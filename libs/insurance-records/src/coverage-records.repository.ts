import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { LOOKUP_POOL } from '@vss/platform';

/** One insurance record of a citizen as a coverage answer needs it: the participant and their card. */
export interface CoverageRecord {
  socialInsuranceCode: string;
  fullName: string;
  /** YYYY, YYYY-MM or YYYY-MM-DD: old records may hold a partial date. */
  dateOfBirth: string;
  gender: 'M' | 'F';
  deceasedOn: string | null;
  /** An approved revocation of the death is reinstating the record. */
  reinstating: boolean;
  card: CardRecord | null;
}

export interface CardRecord {
  objectGroup: string;
  benefitLevelPercent: number;
  validFrom: string;
  validTo: string | null;
  primaryCareFacilityCode: string;
  primaryCareFacilityName: string;
  fiveYearsContinuousFrom: string | null;
  suspended: boolean;
  /** Set when a death ended the card. */
  endedOn: string | null;
}

interface Row {
  citizen_id: string;
  social_insurance_code: string;
  full_name: string;
  date_of_birth: string;
  gender: 'M' | 'F';
  deceased_on: string | null;
  reinstating: boolean;
  object_group: string | null;
  benefit_level_percent: number | null;
  valid_from: string | null;
  valid_to: string | null;
  primary_care_facility_code: string | null;
  facility_name: string | null;
  five_years_continuous_from: string | null;
  suspended: boolean | null;
  ended_on: string | null;
}

/**
 * The coverage lookup's SQL, hand-written because it is the hottest query of the system: one
 * named prepared statement (parsed and planned once per connection), dates as text so that no
 * time zone can move them, and `= ANY($1)` so that concurrent lookups share one round trip
 * (see CoverageRecords). It walks participants_citizen_idx, then two primary keys.
 */
const BY_CITIZEN_IDS = `
  SELECT p.citizen_id, p.social_insurance_code, p.full_name, p.date_of_birth, p.gender,
         p.deceased_on::text AS deceased_on, p.death_revocation_procedure IS NOT NULL AS reinstating,
         c.object_group, c.benefit_level_percent, c.valid_from::text AS valid_from, c.valid_to::text AS valid_to,
         c.primary_care_facility_code, f.name AS facility_name,
         c.five_years_continuous_from::text AS five_years_continuous_from, c.suspended, c.ended_on::text AS ended_on
    FROM vss.participants p
    LEFT JOIN vss.hi_cards c ON c.social_insurance_code = p.social_insurance_code
    LEFT JOIN vss.facilities f ON f.facility_code = c.primary_care_facility_code
   WHERE p.citizen_id = ANY($1::text[])`;

@Injectable()
export class CoverageRecordsRepository {
  constructor(@Inject(LOOKUP_POOL) private readonly pool: Pool) {}

  /** The insurance records of each citizen asked for; a citizen VSS does not know is absent. */
  async recordsOf(citizenIds: readonly string[]): Promise<Map<string, CoverageRecord[]>> {
    const result = await this.pool.query<Row>({
      name: 'vss-coverage-by-citizen-ids',
      text: BY_CITIZEN_IDS,
      values: [citizenIds],
    });
    const byCitizen = new Map<string, CoverageRecord[]>();
    for (const row of result.rows) {
      const records = byCitizen.get(row.citizen_id);
      if (records) records.push(toRecord(row));
      else byCitizen.set(row.citizen_id, [toRecord(row)]);
    }
    return byCitizen;
  }
}

function toRecord(row: Row): CoverageRecord {
  return {
    socialInsuranceCode: row.social_insurance_code,
    fullName: row.full_name,
    dateOfBirth: row.date_of_birth,
    gender: row.gender,
    deceasedOn: row.deceased_on,
    reinstating: row.reinstating,
    card:
      row.valid_from === null
        ? null
        : {
            objectGroup: row.object_group ?? '',
            benefitLevelPercent: row.benefit_level_percent ?? 0,
            validFrom: row.valid_from,
            validTo: row.valid_to,
            primaryCareFacilityCode: row.primary_care_facility_code ?? '',
            primaryCareFacilityName: row.facility_name ?? '',
            fiveYearsContinuousFrom: row.five_years_continuous_from,
            suspended: row.suspended === true,
            endedOn: row.ended_on,
          },
  };
}
