import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { ReconciliationOutcome } from '@vss/domain/reconciliation';
import type { PartitionKind, RunState } from '@vss/domain/reconciliation-runs';

/**
 * Runs, partitions and findings for medium tests, written by their owner's test code: a test of
 * another feature that needs a finding to apply asks for one here.
 */
type Queryable = Pool | PoolClient;

export interface NewRun {
  /** A province run by default: scopes are busy one run at a time, and each run gets its own. */
  scope?: 'ALL' | { provinceCode: string };
  state?: RunState;
  findMissingIdCandidates?: boolean;
}

/** A run (vss.reconciliation_runs) as an administrator would have started it; answers its ID. */
export async function newRun(db: Queryable, run: NewRun = {}): Promise<string> {
  const runId = randomUUID();
  const scope = run.scope ?? { provinceCode: runId };
  await db.query(
    `INSERT INTO vss.reconciliation_runs (run_id, scope_kind, scope_value, dry_run, find_missing_id_candidates,
       started_by, started_by_label, state) VALUES ($1, $2, $3, false, $4, 'k1', 'test admin', $5)`,
    [
      runId,
      scope === 'ALL' ? 'ALL' : 'PROVINCE',
      scope === 'ALL' ? '' : scope.provinceCode,
      run.findMissingIdCandidates ?? false,
      run.state ?? 'COMPLETED',
    ],
  );
  return runId;
}

export async function newPartition(
  db: Queryable,
  p: { runId: string; partitionNo?: number; kind: PartitionKind; lowerBound?: string; upperBound?: string },
): Promise<void> {
  await db.query(
    `INSERT INTO vss.reconciliation_partitions (run_id, partition_no, kind, lower_bound, upper_bound)
     VALUES ($1, $2, $3, $4, $5)`,
    [p.runId, p.partitionNo ?? 0, p.kind, p.lowerBound ?? '', p.upperBound ?? ''],
  );
}

export interface NewFinding {
  outcome: Exclude<ReconciliationOutcome, 'MATCHED'>;
  socialInsuranceCode: string;
  citizenId?: string | null;
  provinceCode?: string;
  dateOfDeath?: string | null;
  /** FIELD_MISMATCH's fields, both values. */
  differences?: readonly { field: string; insuranceValue: string; registryValue: string }[];
  detail?: string;
}

/** Findings of a run, in one statement however many; answers their IDs in order. */
export async function newFindings(
  db: Queryable,
  runId: string,
  findings: readonly NewFinding[],
): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO vss.reconciliation_findings (run_id, outcome, social_insurance_code, citizen_id, province_code,
       date_of_death, differences, detail)
     SELECT $1, f.outcome, f.sic, f.citizen_id, f.province_code, f.date_of_death::date, f.differences::jsonb, f.detail
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
            WITH ORDINALITY AS f(outcome, sic, citizen_id, province_code, date_of_death, differences, detail, n)
      ORDER BY f.n
     RETURNING finding_id::text AS id`,
    [
      runId,
      findings.map((f) => f.outcome),
      findings.map((f) => f.socialInsuranceCode),
      findings.map((f) => f.citizenId ?? null),
      findings.map((f) => f.provinceCode ?? '001'),
      findings.map((f) => f.dateOfDeath ?? null),
      findings.map((f) => JSON.stringify(f.differences ?? [])),
      findings.map((f) => f.detail ?? f.outcome.toLowerCase()),
    ],
  );
  return rows.map((r) => r.id);
}
