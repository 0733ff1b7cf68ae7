import type { PoolClient } from 'pg';
import {
  PROCEDURE_STEP_QUEUE,
  PROCEDURE_STEP_QUEUE_RETRY,
  type ProcedureStepJob,
} from '@vss/domain/linked-procedures';
import { ensureQueue, liveJobExists, type PgBoss, sendOnTransaction } from '@vss/platform';

/**
 * The hand-off between the two halves: the gateway (api/) queues a procedure's first step in
 * the transaction that accepts its event, the worker (engine/) takes the steps and queues the
 * next ones. Both name the queue, create it and send to it only through this file.
 */
export { PROCEDURE_STEP_QUEUE, type ProcedureStepJob };

/**
 * Creates the queue if missing (pg-boss drops jobs sent to a queue that does not exist); the
 * worker, which runs the steps, also sets how often a failed job is handed out again.
 */
export async function ensureProcedureQueue(jobs: PgBoss, retryLimit?: number): Promise<void> {
  await ensureQueue(jobs, PROCEDURE_STEP_QUEUE, { ...PROCEDURE_STEP_QUEUE_RETRY });
  if (retryLimit !== undefined) {
    await jobs.updateQueue(PROCEDURE_STEP_QUEUE, {
      name: PROCEDURE_STEP_QUEUE,
      ...PROCEDURE_STEP_QUEUE_RETRY,
      retryLimit,
    });
  }
}

/** Queues a step's job in the caller's transaction: it exists if and only if the transaction commits. */
export async function sendStepJob(
  jobs: PgBoss,
  client: PoolClient,
  job: ProcedureStepJob,
  expireInSeconds: number,
  startAfterSeconds?: number,
): Promise<void> {
  await sendOnTransaction(jobs, client, PROCEDURE_STEP_QUEUE, job, {
    expireInSeconds,
    ...(startAfterSeconds ? { startAfter: startAfterSeconds } : {}),
  });
}

/** True (SQL, on procedure row `p`) while a job of the procedure's current generation waits, retries or runs. */
export const LIVE_JOB_OF_PROCEDURE = (queueParameter: string) =>
  liveJobExists(
    queueParameter,
    "j.data->>'procedureId' = p.procedure_id::text AND (j.data->>'jobSeq')::int = p.job_seq",
  );
