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
 * Funeral payouts (`vss.funeral_payouts`): the instruction to pay a claimant, at most one per
 * deceased, and what a new one is checked against. Runs on the caller's transaction.
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
      `SELECT payout_id, procedure_id FROM vss.funeral_payouts WHERE deceased_citizen_id = $1 OR procedure_id = $2`,
      [payout.deceasedCitizenId, payout.procedureId],
    );
    return { payoutId: existing.rows[0].payout_id, procedureId: existing.rows[0].procedure_id };
  }
}
