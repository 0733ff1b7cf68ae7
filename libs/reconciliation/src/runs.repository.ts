import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import type { ReconciliationOutcome } from '@vss/domain/reconciliation';
import {
  ACTIVE_RUN_STATES,
  type PartitionPlan,
  RUN_TRANSITIONS,
  type RunScope,
  type RunState,
  type RunTransition,
} from '@vss/domain/reconciliation-runs';
import { PG_POOL, rollback, WATCH_POOL, withTransaction } from '@vss/platform';
import { scopeColumns, scopeOf } from './runs.codecs';

/** A run with its progress summed over its partitions. */
export interface RunView {
  runId: string;
  scope: RunScope;
  state: RunState;
  dryRun: boolean;
  findMissingIdCandidates: boolean;
  recordsTotal: number | null;
  recordsProcessed: number;
  counts: Partial<Record<ReconciliationOutcome, number>>;
  startedBy: string;
  createdAt: Date;
  /** created_at to the microsecond, for page tokens (a Date keeps milliseconds). */
  createdKey: string;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: string | null;
  modelVersion: string | null;
  modelDigest: string | null;
}

export interface NewRun {
  runId: string;
  scope: RunScope;
  dryRun: boolean;
  findMissingIdCandidates: boolean;
  startedBy: string;
  startedByLabel: string;
  partitions: readonly PartitionPlan[];
  model: { version: string; digest: string };
}

/** A run as the worker reads it to run it. */
export interface RunRecord {
  runId: string;
  scope: RunScope;
  state: RunState;
  dryRun: boolean;
  findCandidates: boolean;
  /** The model the run started with; null for runs from before models were versioned. */
  model: { version: string; digest: string } | null;
}

const UNIQUE_VIOLATION = '23505';

/** The states a named transition may leave: the `state = ANY($n)` of its statement. */
const from = (t: RunTransition): readonly string[] => RUN_TRANSITIONS[t].from;
/** The state a named transition leads to (each leads to one). */
const to = (t: RunTransition): RunState => RUN_TRANSITIONS[t].to[0];

// Progress is the sum of the partitions' counters plus what finishing the run added.
const RUN_VIEW = `
  SELECT r.run_id, r.scope_kind, r.scope_value, r.state, r.dry_run, r.find_missing_id_candidates,
         r.records_total, r.final_processed, r.final_counts, r.started_by_label, r.created_at,
         r.created_at::text AS created_key,
         r.started_at, r.finished_at, r.error, r.model_version, r.model_digest,
         COALESCE((SELECT sum(p.processed) FROM vss.reconciliation_partitions p WHERE p.run_id = r.run_id), 0)
           AS processed,
         (SELECT COALESCE(jsonb_object_agg(key, total), '{}') FROM (
            SELECT c.key, sum(c.value::bigint) AS total
              FROM vss.reconciliation_partitions p, jsonb_each_text(p.counts) c
             WHERE p.run_id = r.run_id GROUP BY c.key) s) AS counts
    FROM vss.reconciliation_runs r`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function toView(row: any): RunView {
  const counts: Partial<Record<ReconciliationOutcome, number>> = {};
  for (const source of [row.counts ?? {}, row.final_counts ?? {}]) {
    for (const [outcome, n] of Object.entries(source)) {
      const key = outcome as ReconciliationOutcome;
      counts[key] = (counts[key] ?? 0) + Number(n);
    }
  }
  return {
    runId: row.run_id,
    scope: scopeOf(row.scope_kind, row.scope_value),
    state: row.state,
    dryRun: row.dry_run,
    findMissingIdCandidates: row.find_missing_id_candidates,
    recordsTotal: row.records_total === null ? null : Number(row.records_total),
    recordsProcessed: Number(row.processed) + Number(row.final_processed),
    counts,
    startedBy: row.started_by_label,
    createdAt: row.created_at,
    createdKey: row.created_key,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: row.error,
    modelVersion: row.model_version,
    modelDigest: row.model_digest,
  };
}

/**
 * Runs: created with their partitions and first jobs, read, and every change of a run's state,
 * by either half — each a named transition of RUN_TRANSITIONS (libs/domain), an UPDATE guarded
 * by the states its transition may leave.
 */
@Injectable()
export class RunsRepository {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(WATCH_POOL) private readonly watchPool: Pool,
  ) {}

  /**
   * A completed run of the same scope started after this one (dry runs aside): its findings
   * supersede this run's. Undefined when there is none.
   */
  async newerCompleted(runId: string): Promise<{ runId: string; finishedAt: Date } | undefined> {
    const { rows } = await this.pool.query<{ run_id: string; finished_at: Date }>(
      `SELECT n.run_id, n.finished_at FROM vss.reconciliation_runs r JOIN vss.reconciliation_runs n
         ON n.scope_kind = r.scope_kind AND n.scope_value IS NOT DISTINCT FROM r.scope_value
       WHERE r.run_id = $1 AND n.run_id <> r.run_id AND n.state = 'COMPLETED' AND NOT n.dry_run
         AND n.created_at > r.created_at
       ORDER BY n.created_at DESC LIMIT 1`,
      [runId],
    );
    return rows[0] ? { runId: rows[0].run_id, finishedAt: rows[0].finished_at } : undefined;
  }

  /**
   * Creates the run, its partitions and their first jobs in one transaction, so a run is never
   * left without work. Answers the active run of the same scope instead when there is one.
   */
  async create(
    run: NewRun,
    queue: (client: PoolClient) => Promise<void>,
  ): Promise<{ busy: RunView } | { created: true }> {
    try {
      await withTransaction(this.pool, async (client) => {
        const [kind, value] = scopeColumns(run.scope);
        await client.query(
          `INSERT INTO vss.reconciliation_runs (run_id, scope_kind, scope_value, dry_run, find_missing_id_candidates,
           started_by, started_by_label, model_version, model_digest) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [
            run.runId,
            kind,
            value,
            run.dryRun,
            run.findMissingIdCandidates,
            run.startedBy,
            run.startedByLabel,
            run.model.version,
            run.model.digest,
          ],
        );
        await client.query(
          `INSERT INTO vss.reconciliation_partitions (run_id, partition_no, kind, lower_bound, upper_bound)
         SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::text[])`,
          [
            run.runId,
            run.partitions.map((p) => p.partitionNo),
            run.partitions.map((p) => p.kind),
            run.partitions.map((p) => p.lowerBound),
            run.partitions.map((p) => p.upperBound),
          ],
        );
        await queue(client);
      });
      return { created: true };
    } catch (error) {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      const busy = await this.activeOfScope(run.scope);
      if (!busy) throw error;
      return { busy };
    }
  }

  private async activeOfScope(scope: RunScope): Promise<RunView | undefined> {
    const [kind, value] = scopeColumns(scope);
    const { rows } = await this.pool.query(
      `${RUN_VIEW} WHERE r.scope_kind = $1 AND r.scope_value = $2 AND r.state = ANY($3::text[])`,
      [kind, value, ACTIVE_RUN_STATES],
    );
    return rows[0] ? toView(rows[0]) : undefined;
  }

  /** The run; `watch` reads on the watches' pool. */
  async find(runId: string, via: 'calls' | 'watch' = 'calls'): Promise<RunView | undefined> {
    const pool = via === 'watch' ? this.watchPool : this.pool;
    const { rows } = await pool.query(`${RUN_VIEW} WHERE r.run_id = $1`, [runId]);
    return rows[0] ? toView(rows[0]) : undefined;
  }

  /** Newest first, after the (created_at, run_id) of the previous page. */
  async list(
    state: RunState | undefined,
    after: { createdAt: string; runId: string } | undefined,
    limit: number,
  ) {
    const { rows } = await this.pool.query(
      `${RUN_VIEW}
        WHERE ($1::text IS NULL OR r.state = $1)
          AND ($2::timestamptz IS NULL OR (r.created_at, r.run_id) < ($2::timestamptz, $3::uuid))
        ORDER BY r.created_at DESC, r.run_id DESC LIMIT $4`,
      [state ?? null, after?.createdAt ?? null, after?.runId ?? null, limit],
    );
    return rows.map(toView);
  }

  /** The run as the worker reads it. */
  async run(runId: string): Promise<RunRecord | undefined> {
    const { rows } = await this.pool.query(
      `SELECT run_id, scope_kind, scope_value, state, dry_run, find_missing_id_candidates, model_version, model_digest
         FROM vss.reconciliation_runs WHERE run_id = $1`,
      [runId],
    );
    const r = rows[0];
    if (!r) return undefined;
    return {
      runId: r.run_id,
      scope: scopeOf(r.scope_kind, r.scope_value),
      state: r.state,
      dryRun: r.dry_run,
      findCandidates: r.find_missing_id_candidates,
      model: r.model_version === null ? null : { version: r.model_version, digest: r.model_digest },
    };
  }

  /**
   * `start` with the scope's record count; false when another worker did it first. The run's
   * row is held while counting, so the partitions' loops that find the run queued at once count
   * it once (a count of a million records is ~0.15 s of PostgreSQL at the run's start).
   */
  async start(runId: string, count: () => Promise<number>): Promise<boolean> {
    return withTransaction<boolean>(this.pool, async (client) => {
      const { rows } = await client.query(
        `SELECT 1 FROM vss.reconciliation_runs WHERE run_id = $1 AND state = ANY($2::text[]) FOR UPDATE`,
        [runId, from('start')],
      );
      if (rows.length === 0) return false;
      await client.query(
        `UPDATE vss.reconciliation_runs SET state = $3, started_at = now(), records_total = $2
          WHERE run_id = $1 AND state = ANY($4::text[])`,
        [runId, await count(), to('start'), from('start')],
      );
      return true;
    });
  }

  /**
   * Runs `work` in a transaction holding the run's row, if every partition is done and it still
   * runs: the finish, which ends with `complete`.
   */
  async whenAllDone(runId: string, work: (client: PoolClient) => Promise<void>): Promise<boolean> {
    return withTransaction<boolean>(this.pool, async (client) => {
      const { rows } = await client.query(
        `SELECT state, (SELECT count(*) FROM vss.reconciliation_partitions p WHERE p.run_id = r.run_id AND NOT p.done)::int AS open
           FROM vss.reconciliation_runs r WHERE run_id = $1 FOR UPDATE`,
        [runId],
      );
      if (!from('complete').includes(rows[0]?.state) || rows[0].open > 0) return rollback(false);
      await work(client);
      return true;
    });
  }

  /**
   * `complete`, on the finish's transaction, with what finishing added (the MISSING_ID findings).
   * The clock's time, not the transaction's (now()): the findings were written after it began.
   */
  async complete(
    client: PoolClient,
    runId: string,
    added: { processed: number; counts: Partial<Record<ReconciliationOutcome, number>> },
  ): Promise<void> {
    await client.query(
      `UPDATE vss.reconciliation_runs
          SET state = $4, finished_at = clock_timestamp(), final_processed = $2, final_counts = $3
        WHERE run_id = $1 AND state = ANY($5::text[])`,
      [runId, added.processed, JSON.stringify(added.counts), to('complete'), from('complete')],
    );
  }

  /**
   * `cancel`, its audit entry in the same transaction; false when the run was neither queued nor
   * running. The worker sees it at its next chunk and commits nothing more.
   */
  async cancel(runId: string, audit: (client: PoolClient) => Promise<unknown>): Promise<boolean> {
    return withTransaction(this.pool, async (client) => {
      const result = await client.query(
        `UPDATE vss.reconciliation_runs SET state = $2, finished_at = now()
          WHERE run_id = $1 AND state = ANY($3::text[])`,
        [runId, to('cancel'), from('cancel')],
      );
      if (result.rowCount !== 1) return rollback(false);
      await audit(client);
      return true;
    });
  }

  /** `fail` with the reason an administrator will read; on the caller's transaction when one is given. */
  async fail(runId: string, error: string, client?: PoolClient): Promise<void> {
    await (client ?? this.pool).query(
      `UPDATE vss.reconciliation_runs SET state = $3, finished_at = now(), error = $2
        WHERE run_id = $1 AND state = ANY($4::text[])`,
      [runId, error.slice(0, 2000), to('fail'), from('fail')],
    );
  }
}
