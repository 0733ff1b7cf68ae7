import type { PoolClient } from 'pg';
import { PROCEDURE_STEP_QUEUE } from '@vss/domain/linked-procedures';
import { liveJobExists, type PgBoss, sendOnTransaction } from '@vss/platform';

/** True (SQL, on procedure row `p`) while a job of the procedure's current generation waits, retries or runs. */
export const LIVE_JOB_OF_PROCEDURE = (queueParameter: string) =>
  liveJobExists(
    queueParameter,
    "j.data->>'procedureId' = p.procedure_id::text AND (j.data->>'jobSeq')::int = p.job_seq",
  );

/**
 * A new generation of jobs for a procedure (locked by the caller): its current step back to
 * PENDING and one job enqueued, in the caller's transaction, so any older job finds itself
 * stale. The sweeper counts it as a sweep; an administrator's retry starts the count again.
 */
export async function requeueProcedure(
  jobs: PgBoss,
  client: PoolClient,
  procedureId: string,
  jobExpireSeconds: number,
  by: 'sweep' | 'retry',
): Promise<boolean> {
  const updated = await client.query<{ job_seq: number }>(
    `UPDATE vss.procedures SET state = 'RUNNING', review_reason = NULL, job_seq = job_seq + 1,
       sweeps = CASE WHEN $2 THEN sweeps + 1 ELSE 0 END, version = version + 1, updated_at = now()
     WHERE procedure_id = $1 AND current_step IS NOT NULL RETURNING job_seq`,
    [procedureId, by === 'sweep'],
  );
  if (updated.rowCount === 0) return false;
  await client.query(
    `UPDATE vss.procedure_steps s SET state = 'PENDING'
     FROM vss.procedures p
     WHERE p.procedure_id = $1 AND s.procedure_id = p.procedure_id AND s.name = p.current_step`,
    [procedureId],
  );
  await sendOnTransaction(
    jobs,
    client,
    PROCEDURE_STEP_QUEUE,
    { procedureId, jobSeq: updated.rows[0].job_seq },
    { expireInSeconds: jobExpireSeconds },
  );
  return true;
}

/** Whether the procedure has a live job now (see LIVE_JOB_OF_PROCEDURE). */
export async function procedureHasLiveJob(client: PoolClient, procedureId: string): Promise<boolean> {
  const { rows } = await client.query<{ live: boolean }>(
    `SELECT ${LIVE_JOB_OF_PROCEDURE('$2')} AS live FROM vss.procedures p WHERE p.procedure_id = $1`,
    [procedureId, PROCEDURE_STEP_QUEUE],
  );
  return rows[0]?.live ?? false;
}
