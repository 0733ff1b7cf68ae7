import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { type Gender, makeSocialInsuranceCode, type RateRow, shortProvinceCode } from '@vss/domain';

/**
 * The insurance records the procedures change, in SQL, always on the caller's transaction:
 * every method runs inside the transaction that records its step as done.
 */

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

export interface NewPayout {
  procedureId: string;
  deceasedCitizenId: string;
  dateOfDeath: string;
  claimant: {
    citizenId: string;
    fullName: string;
    relationship: string;
    bankCode: string;
    accountNumber: string;
    accountHolder: string;
  };
  allowanceVnd: number;
  costSupportVnd: number;
}

/** Codes tried before giving up; a collision needs a code issued elsewhere on the same serial. */
const CODE_ATTEMPTS = 20;

@Injectable()
export class InsuranceRepository {
  /** Serialises the procedures of one person, whatever table they touch. */
  async lockPerson(client: PoolClient, citizenId: string): Promise<void> {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('vss-person:' || $1))`, [citizenId]);
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
      gender: r.gender === 'M' ? 'MALE' : 'FEMALE',
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

  async facilityExists(client: PoolClient, facilityCode: string): Promise<boolean> {
    const result = await client.query('SELECT 1 FROM vss.facilities WHERE facility_code = $1', [
      facilityCode,
    ]);
    return (result.rowCount ?? 0) > 0;
  }

  /**
   * The default primary-care facility of a newborn: a commune health station of the residence
   * province (any facility there when it has none), spread over them by the child's ID so that
   * one station does not receive every birth of the province.
   */
  async defaultFacility(
    client: PoolClient,
    provinceCode: string,
    spreadKey: number,
  ): Promise<string | undefined> {
    const result = await client.query<{ facility_code: string }>(
      `WITH f AS (
         SELECT facility_code, row_number() OVER (ORDER BY (level = 'commune') DESC, facility_code) - 1 AS i,
                count(*) FILTER (WHERE level = 'commune') OVER () AS communes, count(*) OVER () AS total
         FROM vss.facilities WHERE province_code = $1)
       SELECT facility_code FROM f
       WHERE i = $2::bigint % (CASE WHEN communes > 0 THEN communes ELSE total END)`,
      [provinceCode, spreadKey],
    );
    return result.rows[0]?.facility_code;
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
          card.gender === 'MALE' ? 'M' : 'F',
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

  /** Marks the participant deceased and ends their cards on the date of death; answers the cards ended. */
  async endCoverage(client: PoolClient, citizenId: string, dateOfDeath: string): Promise<string[]> {
    await client.query(
      `UPDATE vss.participants SET deceased_on = $2, updated_at = now()
       WHERE citizen_id = $1 AND deceased_on IS DISTINCT FROM $2::date`,
      [citizenId, dateOfDeath],
    );
    const cards = await client.query<{ code: string }>(
      `UPDATE vss.hi_cards c SET ended_on = $2, updated_at = now()
       FROM vss.participants p
       WHERE p.citizen_id = $1 AND c.social_insurance_code = p.social_insurance_code
         AND (c.ended_on IS NULL OR c.ended_on > $2::date)
       RETURNING c.social_insurance_code AS code`,
      [citizenId, dateOfDeath],
    );
    return cards.rows.map((r) => r.code);
  }

  /** Stops monthly benefits from `stopFrom`; answers the kinds stopped. */
  async stopBenefits(
    client: PoolClient,
    citizenId: string,
    stopFrom: string,
    reason: string,
  ): Promise<string[]> {
    const stopped = await client.query<{ kind: string }>(
      `UPDATE vss.benefits b SET stopped_from = $2, stop_reason = $3
       FROM vss.participants p
       WHERE p.citizen_id = $1 AND b.social_insurance_code = p.social_insurance_code
         AND (b.stopped_from IS NULL OR b.stopped_from > $2::date)
       RETURNING b.kind`,
      [citizenId, stopFrom, reason],
    );
    return stopped.rows.map((r) => r.kind);
  }

  async unflaggedPayments(
    client: PoolClient,
    citizenId: string,
  ): Promise<{ id: string; period: string; amountVnd: number }[]> {
    const result = await client.query<{ payment_id: string; period: string; amount_vnd: string }>(
      `SELECT bp.payment_id::text, bp.period, bp.amount_vnd::text
       FROM vss.benefit_payments bp JOIN vss.participants p USING (social_insurance_code)
       WHERE p.citizen_id = $1 AND bp.recovery_flagged_at IS NULL`,
      [citizenId],
    );
    return result.rows.map((r) => ({ id: r.payment_id, period: r.period, amountVnd: Number(r.amount_vnd) }));
  }

  async flagForRecovery(client: PoolClient, paymentIds: string[], reason: string): Promise<void> {
    if (paymentIds.length === 0) return;
    await client.query(
      `UPDATE vss.benefit_payments SET recovery_flagged_at = now(), recovery_reason = $2
       WHERE payment_id = ANY($1::bigint[])`,
      [paymentIds, reason],
    );
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

  /**
   * The payout instruction, unless the deceased already has one: the unique constraint on the
   * deceased decides between two procedures racing for the same death. Answers the payout that
   * exists afterwards and the procedure it belongs to.
   */
  async createPayout(
    client: PoolClient,
    payout: NewPayout,
  ): Promise<{ payoutId: string; procedureId: string }> {
    const c = payout.claimant;
    const inserted = await client.query<{ payout_id: string }>(
      `INSERT INTO vss.funeral_payouts (payout_id, procedure_id, deceased_citizen_id, date_of_death,
         claimant_citizen_id, claimant_name, claimant_relationship, bank_code, account_number, account_holder,
         funeral_allowance_vnd, funeral_cost_support_vnd, total_vnd)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $11::bigint + $12::bigint)
       ON CONFLICT DO NOTHING RETURNING payout_id`,
      [
        randomUUID(),
        payout.procedureId,
        payout.deceasedCitizenId,
        payout.dateOfDeath,
        c.citizenId,
        c.fullName,
        c.relationship,
        c.bankCode,
        c.accountNumber,
        c.accountHolder,
        payout.allowanceVnd,
        payout.costSupportVnd,
      ],
    );
    if (inserted.rows[0]) return { payoutId: inserted.rows[0].payout_id, procedureId: payout.procedureId };
    const existing = await client.query<{ payout_id: string; procedure_id: string }>(
      `SELECT payout_id, procedure_id FROM vss.funeral_payouts WHERE deceased_citizen_id = $1 OR procedure_id = $2`,
      [payout.deceasedCitizenId, payout.procedureId],
    );
    return { payoutId: existing.rows[0].payout_id, procedureId: existing.rows[0].procedure_id };
  }

  /** Another procedure of this kind for the same person, accepted before this one and not closed. */
  async earlierProcedure(
    client: PoolClient,
    kind: 'BIRTH' | 'DEATH',
    citizenId: string,
    seq: string,
  ): Promise<{ procedureId: string; officeCode: string; eventId: string; state: string } | undefined> {
    const result = await client.query<{
      procedure_id: string;
      office_code: string;
      event_id: string;
      state: string;
    }>(
      `SELECT procedure_id, office_code, event_id, state FROM vss.procedures
       WHERE subject_citizen_id = $1 AND kind = $2 AND seq < $3::bigint AND state <> 'RESOLVED'
       ORDER BY seq LIMIT 1`,
      [citizenId, kind, seq],
    );
    const row = result.rows[0];
    return row
      ? {
          procedureId: row.procedure_id,
          officeCode: row.office_code,
          eventId: row.event_id,
          state: row.state,
        }
      : undefined;
  }
}
