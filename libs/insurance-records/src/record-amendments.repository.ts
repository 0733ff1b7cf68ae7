import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { MonthOwed, PaymentOnRecord } from '@vss/domain';

/** A record of the person, under its row lock. */
export interface PersonRecord {
  code: string;
  deceasedOn: string | null;
}

/** A card of the person's records, under its row lock. */
export interface PersonCard {
  code: string;
  validFrom: string;
  validTo: string | null;
  endedOn: string | null;
  endReason: 'DECEASED' | 'REGISTRATION_REVOKED' | null;
  issuedByProcedure: string | null;
}

/** A monthly benefit a death stopped, under its row lock. */
export interface StoppedBenefit {
  code: string;
  kind: string;
  monthlyAmountVnd: number;
  stoppedFrom: string;
}

/**
 * The SQL of undoing and redoing what a registration changed in the insurance records: a death
 * revoked or moved, a child's card cancelled or reissued. Every method runs on the caller's
 * transaction, under the person's lock (`InsuranceRecordsRepository.lockPerson`).
 */
@Injectable()
export class RecordAmendmentsRepository {
  async records(client: PoolClient, citizenId: string): Promise<PersonRecord[]> {
    const { rows } = await client.query<{ code: string; deceased_on: string | null }>(
      `SELECT social_insurance_code AS code, deceased_on::text FROM vss.participants
        WHERE citizen_id = $1 ORDER BY social_insurance_code FOR UPDATE`,
      [citizenId],
    );
    return rows.map((r) => ({ code: r.code, deceasedOn: r.deceased_on }));
  }

  async cards(client: PoolClient, codes: readonly string[]): Promise<PersonCard[]> {
    const { rows } = await client.query<{
      code: string;
      valid_from: string;
      valid_to: string | null;
      ended_on: string | null;
      end_reason: PersonCard['endReason'];
      issued_by_procedure: string | null;
    }>(
      `SELECT social_insurance_code AS code, valid_from::text, valid_to::text, ended_on::text, end_reason,
              issued_by_procedure
         FROM vss.hi_cards WHERE social_insurance_code = ANY($1::text[]) ORDER BY social_insurance_code FOR UPDATE`,
      [codes],
    );
    return rows.map((r) => ({
      code: r.code,
      validFrom: r.valid_from,
      validTo: r.valid_to,
      endedOn: r.ended_on,
      endReason: r.end_reason,
      issuedByProcedure: r.issued_by_procedure,
    }));
  }

  /** An approved revocation of the person's death is under way: the lookup says so until it is done. */
  async markRevocationApproved(client: PoolClient, citizenId: string, procedureId: string): Promise<number> {
    const { rowCount } = await client.query(
      `UPDATE vss.participants SET death_revocation_procedure = $2, updated_at = now()
        WHERE citizen_id = $1 AND deceased_on IS NOT NULL AND death_revocation_procedure IS DISTINCT FROM $2`,
      [citizenId, procedureId],
    );
    return rowCount ?? 0;
  }

  /** The revocation no longer under way (closed by a person): its mark leaves the records. */
  async clearRevocation(client: PoolClient, procedureId: string): Promise<void> {
    await client.query(
      `UPDATE vss.participants SET death_revocation_procedure = NULL, updated_at = now()
        WHERE citizen_id = (SELECT subject_citizen_id FROM vss.procedures
                             WHERE procedure_id = $1 AND kind = 'DEATH_REVOCATION')
          AND death_revocation_procedure = $1`,
      [procedureId],
    );
  }

  /** The records' date of death: cleared (a revoked death) or moved (a corrected one). */
  async setDeceasedOn(
    client: PoolClient,
    codes: readonly string[],
    deceasedOn: string | null,
  ): Promise<void> {
    await client.query(
      `UPDATE vss.participants SET deceased_on = $2, death_revocation_procedure = NULL, updated_at = now()
        WHERE social_insurance_code = ANY($1::text[])`,
      [codes, deceasedOn],
    );
  }

  /** Cards a death ended on `endedOn`: valid again (null), or ended on the corrected date. */
  async moveCardEnds(
    client: PoolClient,
    codes: readonly string[],
    endedOn: string,
    to: string | null,
  ): Promise<string[]> {
    const { rows } = await client.query<{ code: string }>(
      `UPDATE vss.hi_cards SET ended_on = $3, end_reason = CASE WHEN $3::date IS NULL THEN NULL ELSE end_reason END,
              updated_at = now()
        WHERE social_insurance_code = ANY($1::text[]) AND end_reason = 'DECEASED' AND ended_on = $2
        RETURNING social_insurance_code AS code`,
      [codes, endedOn, to],
    );
    return rows.map((r) => r.code);
  }

  /** The records' benefits a death stopped from `stoppedFrom`. */
  async stoppedBenefits(
    client: PoolClient,
    codes: readonly string[],
    stoppedFrom: string,
  ): Promise<StoppedBenefit[]> {
    const { rows } = await client.query<{
      code: string;
      kind: string;
      monthly_amount_vnd: string;
      stopped_from: string;
    }>(
      `SELECT social_insurance_code AS code, kind, monthly_amount_vnd::text, stopped_from::text FROM vss.benefits
        WHERE social_insurance_code = ANY($1::text[]) AND stop_reason = 'DECEASED' AND stopped_from = $2
        ORDER BY social_insurance_code, kind FOR UPDATE`,
      [codes, stoppedFrom],
    );
    return rows.map((r) => ({
      code: r.code,
      kind: r.kind,
      monthlyAmountVnd: Number(r.monthly_amount_vnd),
      stoppedFrom: r.stopped_from,
    }));
  }

  /** The benefit's payments, flagged or not. */
  async payments(
    client: PoolClient,
    benefit: Pick<StoppedBenefit, 'code' | 'kind'>,
  ): Promise<PaymentOnRecord[]> {
    const { rows } = await client.query<{ id: string; period: string; amount_vnd: string; flagged: boolean }>(
      `SELECT payment_id::text AS id, period, amount_vnd::text, recovery_flagged_at IS NOT NULL AS flagged
         FROM vss.benefit_payments WHERE social_insurance_code = $1 AND kind = $2 ORDER BY period FOR UPDATE`,
      [benefit.code, benefit.kind],
    );
    return rows.map((r) => ({
      id: r.id,
      period: r.period,
      amountVnd: Number(r.amount_vnd),
      flagged: r.flagged,
    }));
  }

  /** The benefit runs again (stopped_from null) at the amount in force now, or stops from another day. */
  async restartBenefit(
    client: PoolClient,
    benefit: Pick<StoppedBenefit, 'code' | 'kind'>,
    change: { stoppedFrom: string } | { monthlyAmountVnd: number },
  ): Promise<void> {
    if ('stoppedFrom' in change) {
      await client.query(
        `UPDATE vss.benefits SET stopped_from = $3 WHERE social_insurance_code = $1 AND kind = $2`,
        [benefit.code, benefit.kind, change.stoppedFrom],
      );
      return;
    }
    await client.query(
      `UPDATE vss.benefits SET stopped_from = NULL, stop_reason = NULL, monthly_amount_vnd = $3
        WHERE social_insurance_code = $1 AND kind = $2`,
      [benefit.code, benefit.kind, change.monthlyAmountVnd],
    );
  }

  /** Payments flagged for recovery after the death on `deathOn`. */
  async paymentsFlaggedFor(client: PoolClient, codes: readonly string[], deathOn: string): Promise<string[]> {
    const { rows } = await client.query<{ id: string }>(
      `SELECT payment_id::text AS id FROM vss.benefit_payments
        WHERE social_insurance_code = ANY($1::text[]) AND recovery_death_on = $2 ORDER BY payment_id`,
      [codes, deathOn],
    );
    return rows.map((r) => r.id);
  }

  /** Payments no longer to recover: they were due after all. Answers their total. */
  async unflag(client: PoolClient, paymentIds: readonly string[]): Promise<number> {
    if (paymentIds.length === 0) return 0;
    const { rows } = await client.query<{ total: string }>(
      `WITH u AS (
         UPDATE vss.benefit_payments SET recovery_flagged_at = NULL, recovery_reason = NULL, recovery_death_on = NULL
          WHERE payment_id = ANY($1::bigint[]) AND recovery_flagged_at IS NOT NULL RETURNING amount_vnd)
       SELECT coalesce(sum(amount_vnd), 0)::text AS total FROM u`,
      [paymentIds],
    );
    return Number(rows[0].total);
  }

  /** Flags still standing after a corrected death: now after the corrected date. */
  async relabelFlags(
    client: PoolClient,
    codes: readonly string[],
    before: string,
    after: string,
    reason: string,
  ) {
    await client.query(
      `UPDATE vss.benefit_payments SET recovery_death_on = $3, recovery_reason = $4
        WHERE social_insurance_code = ANY($1::text[]) AND recovery_death_on = $2`,
      [codes, before, after, reason],
    );
  }

  /** The months owed, each once: a month already recorded (by an earlier run) stays as it was. */
  async recordArrears(
    client: PoolClient,
    benefit: Pick<StoppedBenefit, 'code' | 'kind'>,
    months: readonly MonthOwed[],
    procedureId: string,
  ): Promise<void> {
    if (months.length === 0) return;
    await client.query(
      `INSERT INTO vss.benefit_arrears (social_insurance_code, kind, period, amount_vnd, basis, procedure_id)
       SELECT $1, $2, m.period, m.amount, m.basis, $6
         FROM unnest($3::text[], $4::bigint[], $5::text[]) AS m(period, amount, basis)
       ON CONFLICT DO NOTHING`,
      [
        benefit.code,
        benefit.kind,
        months.map((m) => m.period),
        months.map((m) => m.amountVnd),
        months.map((m) => m.basis),
        procedureId,
      ],
    );
  }

  /** A child's card cancelled: it ends on the day (the birth it was issued for was revoked). */
  async cancelCard(client: PoolClient, code: string, on: string): Promise<void> {
    await client.query(
      `UPDATE vss.hi_cards SET ended_on = $2, end_reason = 'REGISTRATION_REVOKED', updated_at = now()
        WHERE social_insurance_code = $1`,
      [code, on],
    );
  }

  /** A child's record and card reissued with corrected facts and validity. */
  async reissueCard(
    client: PoolClient,
    code: string,
    facts: { fullName: string; dateOfBirth: string; gender: 'M' | 'F'; validFrom: string; validTo: string },
  ): Promise<void> {
    await client.query(
      `UPDATE vss.participants SET full_name = $2, date_of_birth = $3, gender = $4, updated_at = now()
        WHERE social_insurance_code = $1`,
      [code, facts.fullName, facts.dateOfBirth, facts.gender],
    );
    await client.query(
      `UPDATE vss.hi_cards SET valid_from = $2, valid_to = $3, reissued_at = now(), updated_at = now()
        WHERE social_insurance_code = $1`,
      [code, facts.validFrom, facts.validTo],
    );
  }
}
