import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { DeathRegistrationFacts } from '@vss/domain/linked-procedures';

export interface NewPayout {
  procedureId: string;
  /** The office whose registration ordered it: its payouts of a day are counted. */
  officeCode: string;
  deceasedCitizenId: string;
  dateOfDeath: string;
  claimant: DeathRegistrationFacts['claimant'];
  allowanceVnd: number;
  costSupportVnd: number;
}

/** What the checks before a payout found: payouts that make this one unusual. */
export interface PayoutHistory {
  /** Payouts into the same account for another death, within the period. */
  sameAccount: number;
  /** Payouts to the same claimant for another death, within the period. */
  sameClaimant: number;
  /** Payouts ordered on registrations of the same office since the start of today (Vietnam, by the database's clock). */
  officeToday: number;
}

/**
 * Funeral payouts (`vss.funeral_payouts`): the instruction to pay a claimant, at most one that
 * stands per deceased, what a new one is checked against, its payment or cancellation, and
 * re-decisions after a corrected death (`funeral_adjustments`). Runs on the caller's transaction.
 */
@Injectable()
export class FuneralPayoutsRepository {
  /**
   * The payouts a new one is compared with, under a lock of its account for the rest of the
   * transaction: two procedures paying into one account cannot both find it unused.
   */
  async history(
    client: PoolClient,
    payout: Pick<NewPayout, 'officeCode' | 'deceasedCitizenId' | 'claimant'>,
    months: number,
  ): Promise<PayoutHistory> {
    const { bankCode, accountNumber, citizenId } = payout.claimant;
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7))', [
      `payout-account:${bankCode}:${accountNumber}`,
    ]);
    const { rows } = await client.query<PayoutHistory>({
      name: 'vss-payout-history',
      text: `SELECT
               (SELECT count(*)::int FROM vss.funeral_payouts WHERE bank_code = $1 AND account_number = $2
                  AND deceased_citizen_id <> $4 AND created_at > now() - make_interval(months => $5)) AS "sameAccount",
               (SELECT count(*)::int FROM vss.funeral_payouts WHERE claimant_citizen_id = $3
                  AND deceased_citizen_id <> $4 AND created_at > now() - make_interval(months => $5)) AS "sameClaimant",
               (SELECT count(*)::int FROM vss.funeral_payouts WHERE office_code = $6
                  AND created_at >= date_trunc('day', now() AT TIME ZONE 'Asia/Ho_Chi_Minh') AT TIME ZONE 'Asia/Ho_Chi_Minh'
                  AND deceased_citizen_id <> $4) AS "officeToday"`,
      values: [bankCode, accountNumber, citizenId, payout.deceasedCitizenId, months, payout.officeCode],
    });
    return rows[0];
  }

  /**
   * The payout instruction, unless the deceased already has one: the unique constraint on the
   * deceased decides between two procedures racing for the same death. Answers the payout that
   * exists afterwards and the procedure it belongs to.
   */
  async create(client: PoolClient, payout: NewPayout): Promise<{ payoutId: string; procedureId: string }> {
    const c = payout.claimant;
    const inserted = await client.query<{ payout_id: string }>(
      `INSERT INTO vss.funeral_payouts (payout_id, procedure_id, deceased_citizen_id, date_of_death,
         claimant_citizen_id, claimant_name, claimant_relationship, bank_code, account_number, account_holder,
         funeral_allowance_vnd, funeral_cost_support_vnd, total_vnd, office_code)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $11::bigint + $12::bigint, $13)
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
        payout.officeCode,
      ],
    );
    if (inserted.rows[0]) return { payoutId: inserted.rows[0].payout_id, procedureId: payout.procedureId };
    const existing = await client.query<{ payout_id: string; procedure_id: string }>(
      `SELECT payout_id, procedure_id FROM vss.funeral_payouts
        WHERE (deceased_citizen_id = $1 AND status <> 'CANCELLED') OR procedure_id = $2`,
      [payout.deceasedCitizenId, payout.procedureId],
    );
    return { payoutId: existing.rows[0].payout_id, procedureId: existing.rows[0].procedure_id };
  }

  /** The deceased's payout that stands (not cancelled), locked for the rest of the transaction. */
  async standing(client: PoolClient, deceasedCitizenId: string): Promise<StandingPayout | undefined> {
    const { rows } = await client.query<{
      payout_id: string;
      procedure_id: string;
      status: 'INSTRUCTED' | 'PAID';
      total_vnd: string;
      paid_on: string | null;
      payment_reference: string | null;
      created_at: Date;
    }>(
      `SELECT payout_id, procedure_id, status, total_vnd::text, paid_on::text, payment_reference, created_at
         FROM vss.funeral_payouts WHERE deceased_citizen_id = $1 AND status <> 'CANCELLED' FOR UPDATE`,
      [deceasedCitizenId],
    );
    const row = rows[0];
    return row
      ? {
          payoutId: row.payout_id,
          procedureId: row.procedure_id,
          status: row.status,
          totalVnd: Number(row.total_vnd),
          paidOn: row.paid_on,
          paymentReference: row.payment_reference,
          instructedAt: row.created_at.toISOString(),
        }
      : undefined;
  }

  /** An instruction not yet paid is cancelled; false when it was paid (or cancelled) meanwhile. */
  async cancel(client: PoolClient, payoutId: string, reason: string): Promise<boolean> {
    const { rowCount } = await client.query(
      `UPDATE vss.funeral_payouts SET status = 'CANCELLED', cancelled_at = now(), cancel_reason = $2
        WHERE payout_id = $1 AND status = 'INSTRUCTED'`,
      [payoutId, reason],
    );
    return (rowCount ?? 0) > 0;
  }

  /**
   * The paying office confirms the payout was paid, with its reference. Answers the payout as it
   * stands afterwards: unchanged when it was cancelled or already paid.
   */
  async markPaid(
    client: PoolClient,
    payoutId: string,
    paidOn: string,
    reference: string,
  ): Promise<{ status: string; deceasedCitizenId: string; changed: boolean } | undefined> {
    const { rows } = await client.query<{ status: string; deceased_citizen_id: string; changed: boolean }>(
      `WITH u AS (
         UPDATE vss.funeral_payouts SET status = 'PAID', paid_on = $2, payment_reference = $3
          WHERE payout_id = $1 AND status = 'INSTRUCTED' RETURNING status, deceased_citizen_id)
       SELECT status, deceased_citizen_id, true AS changed FROM u
       UNION ALL
       SELECT status, deceased_citizen_id, false FROM vss.funeral_payouts
        WHERE payout_id = $1 AND NOT EXISTS (SELECT 1 FROM u)`,
      [payoutId, paidOn, reference],
    );
    const row = rows[0];
    return row
      ? { status: row.status, deceasedCitizenId: row.deceased_citizen_id, changed: row.changed }
      : undefined;
  }

  /** A funeral benefit re-decided: the difference, recorded once per procedure. */
  async recordAdjustment(client: PoolClient, adjustment: FuneralAdjustment): Promise<void> {
    await client.query(
      `INSERT INTO vss.funeral_adjustments (procedure_id, payout_id, deceased_citizen_id, decided_vnd, due_vnd,
         difference_vnd, direction, basis)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (procedure_id) DO NOTHING`,
      [
        adjustment.procedureId,
        adjustment.payoutId ?? null,
        adjustment.deceasedCitizenId,
        adjustment.decidedVnd,
        adjustment.dueVnd,
        adjustment.differenceVnd,
        adjustment.direction,
        adjustment.basis,
      ],
    );
  }
}

/** A payout that stands for a death. */
export interface StandingPayout {
  payoutId: string;
  procedureId: string;
  status: 'INSTRUCTED' | 'PAID';
  totalVnd: number;
  paidOn: string | null;
  paymentReference: string | null;
  instructedAt: string;
}

export interface FuneralAdjustment {
  procedureId: string;
  payoutId?: string;
  deceasedCitizenId: string;
  decidedVnd: number;
  dueVnd: number;
  differenceVnd: number;
  direction: 'OWED_TO_CLAIMANT' | 'TO_RECOVER' | 'NONE';
  basis: string;
}
