import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { RECONCILIATION_QUEUE } from '@vss/domain/reconciliation-runs';
import {
  APP_CONFIG,
  JOB_QUEUE,
  liveJobExists,
  LOGGER,
  Periodic,
  PG_POOL,
  type PgBoss,
  sendOnTransaction,
  withTransaction,
  type WorkerConfig,
} from '@vss/platform';
import type { PartitionJob } from './partition-runner';

/**
 * Nothing stuck for ever: every SWEEP_SECONDS a worker looks for runs that are queued or
 * running with a partition that is not done and has no job left (its last job expired with its
 * worker, or the queue spent its retries) and gives that partition a new job — it resumes from
 * its checkpoint. A run whose partitions are all done but that never finished (its finishing
 * job was lost likewise) and has no job left gets one for its last partition: a job that finds
 * its partition done finishes the run. After SWEEP_MAX_REQUEUES such jobs the run fails with the
 * reason, so that its scope is free again. Workers sweep side by side safely (SKIP LOCKED; a partition's checkpoint
 * decides which of two jobs writes).
 */
@Injectable()
export class RunSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly periodic: Periodic;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(JOB_QUEUE) private readonly jobs: PgBoss,
    @Inject(APP_CONFIG) private readonly config: WorkerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.periodic = new Periodic('run sweep', config.SWEEP_SECONDS, () => this.sweep(), logger);
  }

  onApplicationBootstrap(): void {
    this.periodic.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.periodic.stop();
  }

  async sweep(): Promise<void> {
    const { requeued, failed } = await withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ run_id: string; partition_no: number; sweeps: number }>(
        `SELECT pa.run_id, pa.partition_no, pa.sweeps
         FROM vss.reconciliation_partitions pa JOIN vss.reconciliation_runs r USING (run_id)
         WHERE r.state IN ('QUEUED', 'RUNNING')
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
        [this.config.SWEEP_GRACE_SECONDS, RECONCILIATION_QUEUE],
      );
      const requeued: PartitionJob[] = [];
      const failed = new Set<string>();
      for (const row of rows) {
        if (failed.has(row.run_id)) continue;
        if (row.sweeps >= this.config.SWEEP_MAX_REQUEUES) {
          await client.query(
            `UPDATE vss.reconciliation_runs SET state = 'FAILED', finished_at = now(), error = $2
             WHERE run_id = $1 AND state IN ('QUEUED', 'RUNNING')`,
            [
              row.run_id,
              `partition ${row.partition_no} lost its job ${row.sweeps + 1} time(s) (its worker died or the ` +
                "database was away through every retry); see the workers' logs, then start the run again: it covers the same scope",
            ],
          );
          failed.add(row.run_id);
          continue;
        }
        await client.query(
          `UPDATE vss.reconciliation_partitions SET sweeps = sweeps + 1, updated_at = now()
           WHERE run_id = $1 AND partition_no = $2`,
          [row.run_id, row.partition_no],
        );
        const job: PartitionJob = { runId: row.run_id, partitionNo: row.partition_no };
        await sendOnTransaction(this.jobs, client, RECONCILIATION_QUEUE, job, {
          expireInSeconds: this.config.JOB_EXPIRE_SECONDS,
        });
        requeued.push(job);
      }
      return { requeued, failed: [...failed] };
    });
    for (const job of requeued) {
      this.logger.warn(job, 'run partition had no job left; queued again from its checkpoint');
    }
    for (const runId of failed) this.logger.warn({ runId }, 'run lost its jobs too often; failed');
  }
}
