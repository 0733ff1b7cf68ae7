import type { PoolClient } from 'pg';
import {
  FINDINGS_APPLY_QUEUE,
  FINDINGS_APPLY_QUEUE_RETRY,
  RECONCILIATION_QUEUE,
} from '@vss/domain/reconciliation-runs';
import { ensureQueue, type PgBoss, sendOnTransaction } from '@vss/platform';

/**
 * The hand-off between the two halves: the gateway (api/) queues a run's first slice of each
 * partition in the transaction that creates the run, the worker (engine/) runs slices and
 * queues the next ones. Both name the queue, create it and send to it only through this file.
 */
export { RECONCILIATION_QUEUE };

/** One slice of one partition of a run: what a job of the queue carries. */
export interface PartitionJob {
  runId: string;
  partitionNo: number;
}

/** Creates the queue if missing: pg-boss drops jobs sent to a queue that does not exist. */
export async function ensureReconciliationQueue(jobs: PgBoss): Promise<void> {
  await ensureQueue(jobs, RECONCILIATION_QUEUE);
}

/** Queues a slice in the caller's transaction: it exists if and only if the transaction commits. */
export async function sendSliceJob(
  jobs: PgBoss,
  client: PoolClient,
  job: PartitionJob,
  options: { expireInSeconds?: number; priority?: number } = {},
): Promise<void> {
  await sendOnTransaction(jobs, client, RECONCILIATION_QUEUE, job, options);
}

/** Applications of findings: the gateway queues one, a worker applies it. */
export { FINDINGS_APPLY_QUEUE };

/** One application of findings (vss.finding_applications): what a job of the queue carries. */
export interface ApplicationJob {
  applicationId: string;
}

export async function ensureApplyQueue(jobs: PgBoss): Promise<void> {
  await ensureQueue(jobs, FINDINGS_APPLY_QUEUE, { ...FINDINGS_APPLY_QUEUE_RETRY });
}

/** Queues an application in the caller's transaction: it exists if and only if the transaction commits. */
export async function sendApplicationJob(
  jobs: PgBoss,
  client: PoolClient,
  job: ApplicationJob,
  options: { expireInSeconds?: number } = {},
): Promise<void> {
  await sendOnTransaction(jobs, client, FINDINGS_APPLY_QUEUE, job, options);
}
