import { Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { type Gender, makeSocialInsuranceCode, type RateRow, shortProvinceCode } from '@vss/domain';
import { genderFromStored, storedGender } from '@vss/platform';

/**
 * The insurance records — participants, HI cards, benefits, benefit payments, funeral
 * dated rates — and the only SQL that writes them (funeral payouts: funeral-payouts.repository.ts). Every method runs on the
 * caller's transaction, so that a procedure step or an applied finding commits its effect
 * with its own bookkeeping and its audit entry. Deaths are recorded through `DeathRecorder`,
 * which orchestrates the changes below under the person's lock.
 */

/** A person as a caller knows them: by citizen ID, or by one record's social insurance code. */
export type PersonKey = { citizenId: string } | { socialInsuranceCode: string };

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

export interface ParticipantFacts {
  socialInsuranceCode: string;
  fullName: string;
  dateOfBirth: string;
  gender: Gender;
  compulsoryContributionMonths: number;
  socialAssistanceBeneficiary: boolean;
}

export interface NewChildCard {
  citizenId: string;
  fullName: string;
  dateOfBirth: string;
  gender: Gender;
  provinceCode: string;
  address: string;
  objectGroup: string;
  benefitLevelPercent: number;
  validFrom: string;
  validTo: string;
  facilityCode: string;
  procedureId: string;
}

/** Codes tried before giving up; a collision needs a code issued elsewhere on the same serial. */
const CODE_ATTEMPTS = 20;

@Injectable()
export class InsuranceRecordsRepository {
  /**
   * Serialises every change to one person's insurance records for the rest of the transaction,
   * whoever makes it — a birth or death procedure, an applied reconciliation finding — and
   * whichever tables it touches. Keyed by citizen ID; a record without one (a legacy CMND only)
   * is keyed by its social insurance code.
   */
  async lockPerson(client: PoolClient, person: PersonKey): Promise<void> {
    await client.query({
      name: 'vss-person-lock',
      text: `SELECT pg_advisory_xact_lock(hashtext('vss-person:' || $1))`,
      values: ['citizenId' in person ? person.citizenId : `sic:${person.socialInsuranceCode}`],
    });
  }

  /** The participant, row-locked until the transaction ends; undefined when there is none. */
  async lockParticipant(
    client: PoolClient,
    socialInsuranceCode: string,
  ): Promise<CurrentParticipant | undefined> {
    const { rows } = await client.query<CurrentParticipant>(
      `SELECT citizen_id, legacy_id, full_name, date_of_birth, gender, deceased_on::text
         FROM vss.participants WHERE social_insurance_code = $1 FOR UPDATE`,
      [socialInsuranceCode],
    );
    return rows[0];
  }

  /** Corrects a participant's demographic fields to the registry's and marks the record verified now. */
  async correctParticipant(
    client: PoolClient,
    socialInsuranceCode: string,
    c: ParticipantCorrection,
  ): Promise<void> {
    await client.query(
      `UPDATE vss.participants SET
          full_name = COALESCE($2, full_name), date_of_birth = COALESCE($3, date_of_birth),
          gender = COALESCE($4, gender), citizen_id = COALESCE($5, citizen_id),
          verified_at = now(), updated_at = now()
        WHERE social_insurance_code = $1`,
      [socialInsuranceCode, c.fullName ?? null, c.dateOfBirth ?? null, c.gender ?? null, c.citizenId ?? null],
    );
  }

  /** Marks every record of the person deceased on the date; answers each record and whether it changed. */
  async markDeceased(
    client: PoolClient,
    person: PersonKey,
    dateOfDeath: string,
  ): Promise<{ code: string; changed: boolean }[]> {
    const [column, value] =
      'citizenId' in person
        ? ['citizen_id', person.citizenId]
        : ['social_insurance_code', person.socialInsuranceCode];
    const { rows } = await client.query<{ code: string; changed: boolean }>(
      `WITH target AS (
         SELECT social_insurance_code, deceased_on IS DISTINCT FROM $2::date AS changed
           FROM vss.participants WHERE ${column} = $1 FOR UPDATE),
       upd AS (
         UPDATE vss.participants p SET deceased_on = $2, updated_at = now()
           FROM target t WHERE p.social_insurance_code = t.social_insurance_code AND t.changed)
       SELECT social_insurance_code AS code, changed FROM target ORDER BY social_insurance_code`,
      [value, dateOfDeath],
    );
    return rows;
  }

  /** Ends the records' cards on the date (a later end is brought forward); answers the codes whose card ended. */
  async endCards(client: PoolClient, codes: readonly string[], endedOn: string): Promise<string[]> {
    const { rows } = await client.query<{ code: string }>(
      `UPDATE vss.hi_cards SET ended_on = $2, end_reason = 'DECEASED', updated_at = now()
        WHERE social_insurance_code = ANY($1::text[]) AND (ended_on IS NULL OR ended_on > $2::date)
        RETURNING social_insurance_code AS code`,
      [codes, endedOn],
    );
    return rows.map((r) => r.code);
  }

  /** Stops the records' monthly benefits from the date (a later stop is brought forward); answers their kinds. */
  async stopBenefits(
    client: PoolClient,
    codes: readonly string[],
    from: string,
    reason: string,
  ): Promise<string[]> {
    const { rows } = await client.query<{ kind: string }>(
      `UPDATE vss.benefits SET stopped_from = $2, stop_reason = $3
        WHERE social_insurance_code = ANY($1::text[]) AND (stopped_from IS NULL OR stopped_from > $2::date)
        RETURNING kind`,
      [codes, from, reason],
    );
    return rows.map((r) => r.kind);
  }

  /** The records' payments not flagged for recovery. */
  async unflaggedPayments(
    client: PoolClient,
    codes: readonly string[],
  ): Promise<{ id: string; period: string; amountVnd: number }[]> {
    const { rows } = await client.query<{ id: string; period: string; amount_vnd: string }>(
      `SELECT payment_id::text AS id, period, amount_vnd::text FROM vss.benefit_payments
        WHERE social_insurance_code = ANY($1::text[]) AND recovery_flagged_at IS NULL`,
      [codes],
    );
    return rows.map((p) => ({ id: p.id, period: p.period, amountVnd: Number(p.amount_vnd) }));
  }

  /** Flags payments for recovery after the death on `deathOn`, with the reason a person will read. */
  async flagForRecovery(
    client: PoolClient,
    paymentIds: readonly string[],
    deathOn: string,
    reason: string,
  ): Promise<void> {
    await client.query(
      `UPDATE vss.benefit_payments SET recovery_flagged_at = now(), recovery_reason = $2, recovery_death_on = $3
        WHERE payment_id = ANY($1::bigint[])`,
      [paymentIds, reason, deathOn],
    );
  }

  /** Whether VSS holds a record under this social insurance code. */
  async recordExists(db: Pool | PoolClient, socialInsuranceCode: string): Promise<boolean> {
    const { rowCount } = await db.query('SELECT 1 FROM vss.participants WHERE social_insurance_code = $1', [
      socialInsuranceCode,
    ]);
    return (rowCount ?? 0) > 0;
  }

  async participants(client: PoolClient, citizenId: string): Promise<ParticipantFacts[]> {
    const result = await client.query<{
      social_insurance_code: string;
      full_name: string;
      date_of_birth: string;
      gender: 'M' | 'F';
      compulsory_contribution_months: number;
      social_assistance_beneficiary: boolean;
    }>(
      `SELECT social_insurance_code, full_name, date_of_birth, gender, compulsory_contribution_months,
              social_assistance_beneficiary
       FROM vss.participants WHERE citizen_id = $1 ORDER BY social_insurance_code`,
      [citizenId],
    );
    return result.rows.map((r) => ({
      socialInsuranceCode: r.social_insurance_code,
      fullName: r.full_name,
      dateOfBirth: r.date_of_birth,
      gender: genderFromStored(r.gender),
      compulsoryContributionMonths: r.compulsory_contribution_months,
      socialAssistanceBeneficiary: r.social_assistance_beneficiary,
    }));
  }

  /** A card held by the citizen under any of their codes, with the procedure that issued it. */
  async cardOf(
    client: PoolClient,
    citizenId: string,
  ): Promise<{ code: string; validTo: string | null; procedureId: string | null } | undefined> {
    const result = await client.query<{ code: string; valid_to: string | null; procedure_id: string | null }>(
      `SELECT c.social_insurance_code AS code, c.valid_to::text, c.issued_by_procedure AS procedure_id
       FROM vss.participants p JOIN vss.hi_cards c USING (social_insurance_code)
       WHERE p.citizen_id = $1 ORDER BY c.valid_from DESC LIMIT 1`,
      [citizenId],
    );
    const row = result.rows[0];
    return row ? { code: row.code, validTo: row.valid_to, procedureId: row.procedure_id } : undefined;
  }

  /** A new participant with a new social insurance code (mã số BHXH) and their child card. */
  async issueChildCard(client: PoolClient, card: NewChildCard): Promise<string> {
    const prefix = shortProvinceCode(card.provinceCode);
    for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt += 1) {
      const serial = await client.query<{ serial: string }>(
        `SELECT nextval('vss.child_insurance_serial_seq')::text AS serial`,
      );
      const code = makeSocialInsuranceCode(prefix, Number(serial.rows[0].serial));
      const inserted = await client.query(
        `INSERT INTO vss.participants (social_insurance_code, citizen_id, full_name, date_of_birth, gender,
           province_code, address, verified_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, now())
         ON CONFLICT (social_insurance_code) DO NOTHING`,
        [
          code,
          card.citizenId,
          card.fullName,
          card.dateOfBirth,
          storedGender(card.gender),
          card.provinceCode,
          card.address,
        ],
      );
      if (inserted.rowCount === 0) continue;
      await client.query(
        `INSERT INTO vss.hi_cards (social_insurance_code, object_group, benefit_level_percent, valid_from, valid_to,
           primary_care_facility_code, issued_by_procedure)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          code,
          card.objectGroup,
          card.benefitLevelPercent,
          card.validFrom,
          card.validTo,
          card.facilityCode,
          card.procedureId,
        ],
      );
      return code;
    }
    throw new Error(`no free social insurance code with prefix ${prefix} after ${CODE_ATTEMPTS} tries`);
  }

  /** True when a pension or monthly benefit was being paid on the day. */
  async hadMonthlyBenefitOn(client: PoolClient, citizenId: string, day: string): Promise<boolean> {
    const result = await client.query(
      `SELECT 1 FROM vss.benefits b JOIN vss.participants p USING (social_insurance_code)
       WHERE p.citizen_id = $1 AND b.started_on <= $2::date AND (b.stopped_from IS NULL OR b.stopped_from > $2::date)
       LIMIT 1`,
      [citizenId, day],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async rates(client: PoolClient): Promise<RateRow[]> {
    const result = await client.query<{
      code: RateRow['code'];
      effective_from: string;
      amount_vnd: string;
      legal_basis: string;
    }>(
      `SELECT code, effective_from::text, amount_vnd::text, legal_basis FROM vss.rates ORDER BY code, effective_from`,
    );
    return result.rows.map((r) => ({
      code: r.code,
      effectiveFrom: r.effective_from,
      amountVnd: Number(r.amount_vnd),
      legalBasis: r.legal_basis,
    }));
  }
}
