import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';

/** A participant as a correction finds it, under its row lock. */
export interface CurrentParticipant {
  citizen_id: string | null;
  legacy_id: string | null;
  full_name: string;
  date_of_birth: string;
  /** 'M' or 'F', as stored. */
  gender: string;
  deceased_on: string | null;
}

/** New values for a participant's demographic fields; absent fields stay as they are. */
export interface ParticipantCorrection {
  fullName?: string;
  dateOfBirth?: string;
  /** 'M' or 'F', as stored. */
  gender?: string;
  citizenId?: string;
}

/**
 * Corrections of participants' demographic fields to what the population registry holds
 * (reconciliation's applied findings), on the caller's transaction.
 */
@Injectable()
export class ParticipantCorrections {
  /** The participant, row-locked until the transaction ends; undefined when there is none. */
  async lock(client: PoolClient, socialInsuranceCode: string): Promise<CurrentParticipant | undefined> {
    const { rows } = await client.query<CurrentParticipant>(
      `SELECT citizen_id, legacy_id, full_name, date_of_birth, gender, deceased_on::text
         FROM vss.participants WHERE social_insurance_code = $1 FOR UPDATE`,
      [socialInsuranceCode],
    );
    return rows[0];
  }

  /** Applies the correction and marks the record verified against the registry now. */
  async correct(client: PoolClient, socialInsuranceCode: string, c: ParticipantCorrection): Promise<void> {
    await client.query(
      `UPDATE vss.participants SET
          full_name = COALESCE($2, full_name), date_of_birth = COALESCE($3, date_of_birth),
          gender = COALESCE($4, gender), citizen_id = COALESCE($5, citizen_id),
          verified_at = now(), updated_at = now()
        WHERE social_insurance_code = $1`,
      [socialInsuranceCode, c.fullName ?? null, c.dateOfBirth ?? null, c.gender ?? null, c.citizenId ?? null],
    );
  }
}
