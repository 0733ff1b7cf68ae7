import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import type { Candidate } from '@vss/domain/reconciliation-candidates';
import type { PartitionKind, RunScope, RunState } from '@vss/domain/reconciliation-runs';
import { scopeOf } from './runs.codecs';
import { PG_POOL, rollback, withTransaction } from '@vss/platform';
import type { NewFinding, OutcomeCounts } from './chunk-classifier';
import { findingsDocument, insertFindingsSql } from './findings.repository';
import type { InsuranceRecord } from '@vss/domain/reconciliation';
import { RECORD_COLUMNS, recordOfValues } from '@vss/insurance-records';

/**
 * Where the finisher keeps the candidates of records whose legacy ID the registry lacks: beside
 * the partitions' lists (partition numbers start at 0), merged with them into the findings.
 */
export const LEGACY_SEARCH_PARTITION = -1;

/** Candidate lists as one JSON document (no quote escaped twice). */
function listsDocument(
  lists: readonly { socialInsuranceCode: string; candidates: readonly Candidate[] }[],
): string {
  return JSON.stringify(lists.map((l) => ({ sic: l.socialInsuranceCode, candidates: l.candidates })));
}

/** The upsert of a lists document for a run's partition (SQL parameters), writing nothing unless `guard` holds. */
function saveCandidatesSql(run: string, partitionNo: string, doc: string, guard = 'true'): string {
  return `INSERT INTO vss.reconciliation_candidates (run_id, partition_no, social_insurance_code, candidates)
           SELECT ${run}, ${partitionNo}, c.sic, c.candidates
             FROM jsonb_to_recordset(${doc}::jsonb) AS c(sic text, candidates jsonb)
            WHERE ${guard}
           ON CONFLICT (run_id, partition_no, social_insurance_code) DO UPDATE SET candidates = EXCLUDED.candidates`;
}

/** Upserts candidate lists of one partition. */
async function saveCandidates(
  client: PoolClient,
  runId: string,
  partitionNo: number,
  lists: readonly { socialInsuranceCode: string; candidates: readonly Candidate[] }[],
): Promise<void> {
  await client.query({
    name: 'recon-save-candidates-jsonb',
    text: saveCandidatesSql('$1', '$2', '$3'),
    values: [runId, partitionNo, listsDocument(lists)],
  });
}

/**
 * A chunk's commit as one statement: the partition's checkpoint moves only from the one this
 * worker started from and while the run runs, and the chunk's findings, candidate lists and
 * added total are written only when it moved. One statement is one transaction: a chunk is one
 * round trip instead of five (BEGIN, three writes, COMMIT), which at 200 chunks a million
 * citizens was the worker's largest cost in writing to its socket.
 */
const COMMIT_CHUNK = `
  WITH moved AS (
    UPDATE vss.reconciliation_partitions SET
        checkpoint = $3, done = $4, processed = processed + $5, chunks = chunks + 1, updated_at = now(),
        counts = (SELECT COALESCE(jsonb_object_agg(key, total), '{}') FROM (
                   SELECT key, sum(value::bigint) AS total
                     FROM (SELECT * FROM jsonb_each_text(counts) UNION ALL SELECT * FROM jsonb_each_text($6::jsonb)) u
                    GROUP BY key) s)
      WHERE run_id = $1 AND partition_no = $2 AND NOT done AND checkpoint IS NOT DISTINCT FROM $7
        AND EXISTS (SELECT 1 FROM vss.reconciliation_runs r WHERE r.run_id = $1 AND r.state = 'RUNNING')
      RETURNING 1),
  total AS (
    UPDATE vss.reconciliation_runs SET records_total = COALESCE(records_total, 0) + $8
      WHERE run_id = $1 AND $8 > 0 AND EXISTS (SELECT 1 FROM moved)),
  findings AS (${insertFindingsSql('$1', '$9', 'EXISTS (SELECT 1 FROM moved)')}),
  lists AS (${saveCandidatesSql('$1', '$2', '$10', 'EXISTS (SELECT 1 FROM moved)')})
  SELECT count(*)::int AS moved FROM moved`;

export interface RunRecord {
  runId: string;
  scope: RunScope;
  state: RunState;
  dryRun: boolean;
  findCandidates: boolean;
  /** The model the run started with; null for runs from before models were versioned. */
  model: { version: string; digest: string } | null;
}

export interface PartitionRecord {
  runId: string;
  partitionNo: number;
  kind: PartitionKind;
  lowerBound: string;
  upperBound: string;
  /** The last key whose chunk is committed; null before the first. */
  checkpoint: string | null;
  done: boolean;
}

export interface ChunkCommit {
  partition: PartitionRecord;
  /** The key this chunk runs through: the partition's next checkpoint. */
  through: string;
  done: boolean;
  processed: number;
  counts: OutcomeCounts;
  /** Records discovered by this chunk that the run's total did not count yet. */
  addTotal: number;
  findings: readonly NewFinding[];
  candidates: readonly { socialInsuranceCode: string; candidates: readonly Candidate[] }[];
}

/**
 * Runs and partitions as the worker moves them on. A chunk's findings, candidate lists,
 * counts and checkpoint are committed in one transaction, and only if the checkpoint is still
 * the one this worker started from and the run still runs: a worker that lost the race (a
 * retried job, a cancelled run) writes nothing.
 */
@Injectable()
export class RunProgressRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

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

  async partition(runId: string, partitionNo: number): Promise<PartitionRecord | undefined> {
    const { rows } = await this.pool.query(
      `SELECT partition_no, kind, lower_bound, upper_bound, checkpoint, done
         FROM vss.reconciliation_partitions WHERE run_id = $1 AND partition_no = $2`,
      [runId, partitionNo],
    );
    const p = rows[0];
    if (!p) return undefined;
    return {
      runId,
      partitionNo: p.partition_no,
      kind: p.kind,
      lowerBound: p.lower_bound,
      upperBound: p.upper_bound,
      checkpoint: p.checkpoint,
      done: p.done,
    };
  }

  /**
   * QUEUED → RUNNING with the scope's record count; false when another worker did it first. The
   * run's row is held while counting, so the partitions' loops that find the run queued at once
   * count it once (a count of a million records is ~0.15 s of PostgreSQL at the run's start).
   */
  async start(runId: string, count: () => Promise<number>): Promise<boolean> {
    return withTransaction<boolean>(this.pool, async (client) => {
      const { rows } = await client.query(
        `SELECT 1 FROM vss.reconciliation_runs WHERE run_id = $1 AND state = 'QUEUED' FOR UPDATE`,
        [runId],
      );
      if (rows.length === 0) return false;
      await client.query(
        `UPDATE vss.reconciliation_runs SET state = 'RUNNING', started_at = now(), records_total = $2
          WHERE run_id = $1`,
        [runId, await count()],
      );
      return true;
    });
  }

  async fail(runId: string, error: string): Promise<void> {
    await this.pool.query(
      `UPDATE vss.reconciliation_runs SET state = 'FAILED', finished_at = now(), error = $2
        WHERE run_id = $1 AND state IN ('QUEUED', 'RUNNING')`,
      [runId, error.slice(0, 2000)],
    );
  }

  /** Saved candidate lists of a partition, to resume candidate search where it stopped. */
  async candidateState(runId: string, partitionNo: number): Promise<Map<string, Candidate[]>> {
    const { rows } = await this.pool.query<{ sic: string; candidates: Candidate[] }>(
      `SELECT social_insurance_code AS sic, candidates FROM vss.reconciliation_candidates
        WHERE run_id = $1 AND partition_no = $2`,
      [runId, partitionNo],
    );
    return new Map(rows.map((r) => [r.sic, r.candidates]));
  }

  /**
   * Commits a chunk; 'SUPERSEDED' (and nothing written) when the partition moved on without
   * us or the run no longer runs. `within` adds work to the same transaction (the next job).
   */
  async commit(
    c: ChunkCommit,
    within?: (client: PoolClient) => Promise<void>,
  ): Promise<'COMMITTED' | 'SUPERSEDED'> {
    const statement = {
      name: 'recon-commit-chunk',
      text: COMMIT_CHUNK,
      values: [
        c.partition.runId,
        c.partition.partitionNo,
        c.through,
        c.done,
        c.processed,
        JSON.stringify(c.counts),
        c.partition.checkpoint,
        c.addTotal,
        findingsDocument(c.findings),
        listsDocument(c.candidates),
      ],
    };
    const moved = (rows: { moved: number }[]) => rows[0]?.moved === 1;
    if (!within) {
      const { rows } = await this.pool.query<{ moved: number }>(statement);
      return moved(rows) ? 'COMMITTED' : 'SUPERSEDED';
    }
    return withTransaction<'COMMITTED' | 'SUPERSEDED'>(this.pool, async (client) => {
      const { rows } = await client.query<{ moved: number }>(statement);
      if (!moved(rows)) return rollback('SUPERSEDED');
      await within(client);
      return 'COMMITTED';
    });
  }

  async allPartitionsDone(runId: string): Promise<boolean> {
    const { rows } = await this.pool.query(
      `SELECT 1 FROM vss.reconciliation_partitions WHERE run_id = $1 AND NOT done LIMIT 1`,
      [runId],
    );
    return rows.length === 0;
  }

  /**
   * The next records, after `after`, without a citizen ID whose legacy CMND nothing in the run
   * resolved (no finding) and that the finisher has not searched yet.
   */
  async unresolvedLegacy(runId: string, after: string, limit: number): Promise<InsuranceRecord[]> {
    const { rows } = await this.pool.query<unknown[]>({
      text: `SELECT ${RECORD_COLUMNS} FROM vss.participants p
        WHERE p.citizen_id IS NULL AND p.legacy_id IS NOT NULL AND p.social_insurance_code > $2
          -- Probes of the two keys per record, not joins with every finding and list of the run.
          AND (SELECT 1 FROM vss.reconciliation_findings f
                WHERE f.run_id = $1 AND f.social_insurance_code = p.social_insurance_code LIMIT 1) IS NULL
          AND (SELECT 1 FROM vss.reconciliation_candidates c
                WHERE c.run_id = $1 AND c.social_insurance_code = p.social_insurance_code
                  AND c.partition_no = $3) IS NULL
        ORDER BY p.social_insurance_code LIMIT $4`,
      values: [runId, after, LEGACY_SEARCH_PARTITION, limit],
      rowMode: 'array',
    });
    return rows.map(recordOfValues);
  }

  /**
   * Saves the finisher's search of one page, an empty list included (searched, nobody found).
   * `within` adds work to the same transaction (the next job).
   */
  async saveSearched(
    runId: string,
    searched: readonly { socialInsuranceCode: string; candidates: readonly Candidate[] }[],
    within?: (client: PoolClient) => Promise<void>,
  ): Promise<void> {
    await withTransaction(this.pool, async (client) => {
      await saveCandidates(client, runId, LEGACY_SEARCH_PARTITION, searched);
      await within?.(client);
    });
  }

  /** Runs `work` in a transaction holding the run's row, if every partition is done and it still runs. */
  async whenAllDone(runId: string, work: (client: PoolClient) => Promise<void>): Promise<boolean> {
    return withTransaction<boolean>(this.pool, async (client) => {
      const { rows } = await client.query(
        `SELECT state, (SELECT count(*) FROM vss.reconciliation_partitions p WHERE p.run_id = r.run_id AND NOT p.done)::int AS open
           FROM vss.reconciliation_runs r WHERE run_id = $1 FOR UPDATE`,
        [runId],
      );
      if (rows[0]?.state !== 'RUNNING' || rows[0].open > 0) return rollback(false);
      await work(client);
      return true;
    });
  }
}
