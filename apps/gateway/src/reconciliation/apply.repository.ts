import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { benefitStopDate, paymentsToRecover } from '@vss/domain';
import type { ReconciliationOutcome } from '@vss/domain/reconciliation';
import type { Caller } from '@vss/security';
import { PG_POOL } from '../core/tokens';
import {
  FINDING_COLUMNS,
  type FindingFilter,
  findingConditions,
  type FindingRow,
} from './findings.repository';

export interface BatchResult {
  applied: Partial<Record<ReconciliationOutcome, number>>;
  /** Findings no longer true of the record (it changed since the run). */
  stale: number;
  /** The last finding looked at; the next batch starts after it. */
  lastFindingId: string | null;
}

interface CurrentRecord {
  citizen_id: string | null;
  legacy_id: string | null;
  full_name: string;
  date_of_birth: string;
  gender: string;
  deceased_on: string | null;
}

type Changes = Record<string, unknown>;

const STORED_GENDER: Readonly<Record<string, string>> = { MALE: 'M', FEMALE: 'F' };
const COLUMN_OF_FIELD: Readonly<Record<string, keyof CurrentRecord>> = {
  full_name: 'full_name',
  date_of_birth: 'date_of_birth',
  gender: 'gender',
};

/**
 * Applies findings to the insurance records, a batch per transaction: each finding's change,
 * its applied_at and its audit event commit together, so a finding is applied once and never
 * without its evidence. Each change is made only if the record still says what the run saw;
 * otherwise the finding is stale and left as it is.
 */
@Injectable()
export class ApplyRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async applyBatch(filter: FindingFilter, after: string, size: number, caller: Caller): Promise<BatchResult> {
    const client = await this.pool.connect();
    const result: BatchResult = { applied: {}, stale: 0, lastFindingId: null };
    try {
      await client.query('BEGIN');
      const cond = findingConditions(filter);
      // Locked, so that two administrators applying the same run cannot both apply a finding.
      const { rows } = await client.query<FindingRow>(
        `SELECT ${FINDING_COLUMNS} FROM vss.reconciliation_findings
          WHERE ${cond.sql} AND applied_at IS NULL AND finding_id > $5::bigint
          ORDER BY finding_id LIMIT $6 FOR UPDATE`,
        [...cond.values, after, size],
      );
      for (const finding of rows) {
        result.lastFindingId = finding.finding_id;
        const changes = await this.applyOne(client, finding);
        if (changes === null) {
          result.stale += 1;
          continue;
        }
        await client.query(
          `UPDATE vss.reconciliation_findings SET applied_at = now() WHERE finding_id = $1`,
          [finding.finding_id],
        );
        await audit(client, caller, finding, changes);
        result.applied[finding.outcome] = (result.applied[finding.outcome] ?? 0) + 1;
      }
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** The change a finding makes, or null when the record no longer matches what the run saw. */
  private async applyOne(client: PoolClient, f: FindingRow): Promise<Changes | null> {
    const { rows } = await client.query<CurrentRecord>(
      `SELECT citizen_id, legacy_id, full_name, date_of_birth, gender, deceased_on::text
         FROM vss.participants WHERE social_insurance_code = $1 FOR UPDATE`,
      [f.social_insurance_code],
    );
    const current = rows[0];
    if (!current) return null;
    if (f.outcome === 'DECEASED_BUT_ACTIVE') return this.recordDeath(client, f, current);
    return this.correct(client, f, current);
  }

  /** Fields to the registry's values, a resolved legacy ID linked, the record marked verified. */
  private async correct(client: PoolClient, f: FindingRow, current: CurrentRecord): Promise<Changes | null> {
    const changes: Changes = {};
    const set: Record<string, string> = {};
    for (const d of f.differences) {
      const column = COLUMN_OF_FIELD[d.field];
      if (!column) continue;
      const stored = (v: string) => (column === 'gender' ? STORED_GENDER[v] : v);
      if (current[column] !== stored(d.insuranceValue)) return null;
      set[column] = stored(d.registryValue);
      changes[d.field] = { from: d.insuranceValue, to: d.registryValue };
    }
    if (f.outcome === 'LEGACY_ID_RESOLVED') {
      if (current.citizen_id !== null || !f.resolved_citizen_id) return null;
      set.citizen_id = f.resolved_citizen_id;
      changes.citizen_id = { from: null, to: f.resolved_citizen_id, legacyId: current.legacy_id };
    }
    await client.query(
      `UPDATE vss.participants SET
          full_name = COALESCE($2, full_name), date_of_birth = COALESCE($3, date_of_birth),
          gender = COALESCE($4, gender), citizen_id = COALESCE($5, citizen_id),
          verified_at = now(), updated_at = now()
        WHERE social_insurance_code = $1`,
      [
        f.social_insurance_code,
        set.full_name ?? null,
        set.date_of_birth ?? null,
        set.gender ?? null,
        set.citizen_id ?? null,
      ],
    );
    changes.verified = true;
    return changes;
  }

  /** The death recorded: benefits stopped from the next month, later payments flagged, the card ended. */
  private async recordDeath(
    client: PoolClient,
    f: FindingRow,
    current: CurrentRecord,
  ): Promise<Changes | null> {
    const dateOfDeath = f.date_of_death;
    if (!dateOfDeath || current.deceased_on !== null) return null;
    const stop = benefitStopDate(dateOfDeath);
    await client.query(
      `UPDATE vss.participants SET deceased_on = $2, updated_at = now() WHERE social_insurance_code = $1`,
      [f.social_insurance_code, dateOfDeath],
    );
    const cards = await client.query(
      `UPDATE vss.hi_cards SET ended_on = $2, updated_at = now()
        WHERE social_insurance_code = $1 AND ended_on IS NULL RETURNING valid_to::text`,
      [f.social_insurance_code, dateOfDeath],
    );
    const benefits = await client.query<{ kind: string }>(
      `UPDATE vss.benefits SET stopped_from = $2, stop_reason = 'DECEASED'
        WHERE social_insurance_code = $1 AND (stopped_from IS NULL OR stopped_from > $2) RETURNING kind`,
      [f.social_insurance_code, stop],
    );
    const payments = await client.query<{ id: string; period: string; amount_vnd: string }>(
      `SELECT payment_id::text AS id, period, amount_vnd::text FROM vss.benefit_payments
        WHERE social_insurance_code = $1 AND recovery_flagged_at IS NULL`,
      [f.social_insurance_code],
    );
    const recover = paymentsToRecover(
      payments.rows.map((p) => ({ id: p.id, period: p.period, amountVnd: Number(p.amount_vnd) })),
      dateOfDeath,
    );
    if (recover.length > 0) {
      await client.query(
        `UPDATE vss.benefit_payments SET recovery_flagged_at = now(), recovery_reason = $2
          WHERE payment_id = ANY($1::bigint[])`,
        [
          recover.map((p) => p.id),
          `paid after death on ${dateOfDeath} (reconciliation run ${f.run_id}, finding ${f.finding_id})`,
        ],
      );
    }
    return {
      deceasedOn: dateOfDeath,
      cardEnded: cards.rowCount ?? 0,
      benefitsStopped: benefits.rows.map((b) => b.kind),
      stoppedFrom: stop,
      paymentsFlagged: recover.map((p) => p.period),
      amountToRecoverVnd: recover.reduce((sum, p) => sum + p.amountVnd, 0),
    };
  }
}

/** The audit event of an applied finding, in the same transaction as the change it records. */
async function audit(client: PoolClient, caller: Caller, f: FindingRow, changes: Changes): Promise<void> {
  await client.query(
    `INSERT INTO vss.audit_events (event_id, occurred_at, caller, caller_role, facility_code, office_code, action,
       subject_citizen_id, purpose, outcome, detail)
     VALUES ($1, now(), $2, $3, $4, $5, 'reconciliation.finding.apply', $6, 'reconciliation', $7, $8)`,
    [
      randomUUID(),
      `${caller.label} (${caller.id})`,
      caller.role,
      caller.facilityCode ?? null,
      caller.officeCode ?? null,
      f.citizen_id ?? f.resolved_citizen_id,
      f.outcome,
      JSON.stringify({
        runId: f.run_id,
        findingId: f.finding_id,
        socialInsuranceCode: f.social_insurance_code,
        changes,
      }),
    ],
  );
}
