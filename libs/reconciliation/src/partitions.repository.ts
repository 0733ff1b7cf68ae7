import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import type { Candidate } from '@vss/domain/reconciliation-candidates';
import { ACTIVE_RUN_STATES, type PartitionKind } from '@vss/domain/reconciliation-runs';
import { liveJobExists, PG_POOL, rollback, withTransaction } from '@vss/platform';
import {
  findingsDocument,
  insertFindingsSql,
  listsDocument,
  type NewFinding,
  type OutcomeCounts,
  saveCandidatesSql,
} from './findings.repository';

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
 * A run's partitions as the worker moves them on: read, their chunks committed, and swept. A
 * chunk's findings, candidate lists, counts and checkpoint are committed in one statement, and
 * only if the checkpoint is still the one this worker started from and the run still runs: a
 * worker that lost the race (a retried job, a cancelled run) writes nothing. That statement is
 * the one that writes beyond the partitions (the findings' and lists' SQL is findings.repository.ts's).
 */
@Injectable()
export class PartitionsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

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
   * The sweeper's pass: partitions of queued or running runs that are not done and have no job
   * left (its last job expired with its worker, or the queue spent its retries) — or, when every
   * partition is done and the run never finished (its finishing job was lost likewise), the last
   * one — unchanged for `graceSeconds`. Each gets `requeue` (its sweeps counted, in the
   * transaction that queues its job), or `giveUp` once swept `maxSweeps` times. One
   * transaction; rows another sweeper holds are skipped.
   */
  async sweep(options: {
    graceSeconds: number;
    maxSweeps: number;
    queue: string;
    requeue: (client: PoolClient, job: { runId: string; partitionNo: number }) => Promise<void>;
    giveUp: (
      client: PoolClient,
      stuck: { runId: string; partitionNo: number; sweeps: number },
    ) => Promise<void>;
  }): Promise<{ requeued: { runId: string; partitionNo: number }[]; failed: string[] }> {
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ run_id: string; partition_no: number; sweeps: number }>(
        `SELECT pa.run_id, pa.partition_no, pa.sweeps
         FROM vss.reconciliation_partitions pa JOIN vss.reconciliation_runs r USING (run_id)
         WHERE r.state = ANY($3::text[])
           AND (NOT pa.done
                -- Every partition done and the run not finished: its last partition's job again.
                OR (pa.partition_no = (SELECT max(o.partition_no) FROM vss.reconciliation_partitions o
                                        WHERE o.run_id = pa.run_id)
                    AND NOT EXISTS (SELECT 1 FROM vss.reconciliation_partitions o
                                     WHERE o.run_id = pa.run_id AND NOT o.done)))
           AND pa.updated_at < now() - make_interval(secs => $1)
           AND NOT ${liveJobExists('$2', "j.data->>'runId' = pa.run_id::text AND (pa.done OR (j.data->>'partitionNo')::int = pa.partition_no)")}
         ORDER BY pa.updated_at LIMIT 100
         FOR UPDATE OF pa SKIP LOCKED`,
        [options.graceSeconds, options.queue, ACTIVE_RUN_STATES],
      );
      const requeued: { runId: string; partitionNo: number }[] = [];
      const failed = new Set<string>();
      for (const row of rows) {
        if (failed.has(row.run_id)) continue;
        if (row.sweeps >= options.maxSweeps) {
          await options.giveUp(client, {
            runId: row.run_id,
            partitionNo: row.partition_no,
            sweeps: row.sweeps,
          });
          failed.add(row.run_id);
          continue;
        }
        await client.query(
          `UPDATE vss.reconciliation_partitions SET sweeps = sweeps + 1, updated_at = now()
           WHERE run_id = $1 AND partition_no = $2`,
          [row.run_id, row.partition_no],
        );
        const job = { runId: row.run_id, partitionNo: row.partition_no };
        await options.requeue(client, job);
        requeued.push(job);
      }
      return { requeued, failed: [...failed] };
    });
  }
}
