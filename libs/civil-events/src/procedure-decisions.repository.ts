import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import {
  type LinkedProcedureState,
  type ProcedureHold,
  PROCEDURE_TRANSITIONS,
  type ProcedureTransition,
} from '@vss/domain/linked-procedures';
import { JOB_QUEUE, PG_POOL, type PgBoss, withTransaction } from '@vss/platform';
import { sendStepJob } from './procedure.queue';
import { ProcedureReadsRepository } from './procedure-reads.repository';
import type { AuditWithin } from './procedures.repository';

const from = (t: ProcedureTransition): readonly string[] => PROCEDURE_TRANSITIONS[t].from;
const to = (t: ProcedureTransition): LinkedProcedureState => PROCEDURE_TRANSITIONS[t].to[0];

/**
 * What people decide about a procedure from outside its steps: an approver's `release` and
 * `reject` of a held one (in the approval's transaction), an administrator's `resolve`. The
 * other writer of `vss.procedures`, beside ProceduresRepository (the steps, retries, sweeps),
 * by the same rule: each change a named transition, guarded by the states it may leave.
 */
@Injectable()
export class ProcedureDecisionsRepository {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(JOB_QUEUE) private readonly jobs: PgBoss,
    private readonly reads: ProcedureReadsRepository,
  ) {}

  /**
   * `release`: an approver released the hold of a procedure awaiting approval (in the
   * decision's transaction): the hold is kept as released and the held step runs again with a
   * job of a new generation. False when the procedure was not awaiting approval.
   */
  async release(
    client: PoolClient,
    procedureId: string,
    released: ProcedureHold,
    jobExpireSeconds: number,
  ): Promise<boolean> {
    const updated = await client.query<{ job_seq: number }>(
      `WITH p AS (
         UPDATE vss.procedures SET state = $4, review_reason = NULL, job_seq = job_seq + 1,
           released_holds = array_append(array_remove(released_holds, $2), $2),
           version = version + 1, updated_at = now()
         WHERE procedure_id = $1 AND current_step IS NOT NULL AND state = ANY($3::text[])
         RETURNING procedure_id, current_step, job_seq),
       s AS (
         UPDATE vss.procedure_steps s SET state = 'PENDING', outcome = NULL FROM p
         WHERE s.procedure_id = p.procedure_id AND s.name = p.current_step)
       SELECT job_seq FROM p`,
      [procedureId, released, from('release'), to('release')],
    );
    if (updated.rowCount === 0) return false;
    await sendStepJob(this.jobs, client, { procedureId, jobSeq: updated.rows[0].job_seq }, jobExpireSeconds);
    return true;
  }

  /** `reject`: an approver refused what a procedure awaited; it ends, with the approver's note. */
  async reject(client: PoolClient, procedureId: string, note: string): Promise<boolean> {
    const updated = await client.query<{ rejected: number }>(
      `WITH p AS (
         UPDATE vss.procedures SET state = $4, resolution_note = $2, current_step = NULL,
           version = version + 1, updated_at = now()
         WHERE procedure_id = $1 AND state = ANY($3::text[])
         RETURNING procedure_id, current_step),
       s AS (
         UPDATE vss.procedure_steps s SET state = 'FAILED', last_error = $2, finished_at = now()
         FROM vss.procedures q WHERE q.procedure_id = $1 AND s.procedure_id = q.procedure_id
           AND s.name = q.current_step AND EXISTS (SELECT 1 FROM p))
       SELECT count(*)::int AS rejected FROM p`,
      [procedureId, note, from('reject'), to('reject')],
    );
    return updated.rows[0].rejected === 1;
  }

  /** `resolve`: closes a procedure in review with the administrator's note. Answers the state it found. */
  async resolve(
    procedureId: string,
    note: string,
    audit: AuditWithin,
  ): Promise<LinkedProcedureState | undefined> {
    return withTransaction(this.pool, async (client) => {
      const found = await this.reads.lockState(client, procedureId);
      if (found) await audit(client, found, from('resolve').includes(found));
      if (!found || !from('resolve').includes(found)) return found;
      await client.query(
        `UPDATE vss.procedures SET state = $3, resolution_note = $2, current_step = NULL,
           version = version + 1, updated_at = now()
         WHERE procedure_id = $1 AND state = ANY($4::text[])`,
        [procedureId, note, to('resolve'), from('resolve')],
      );
      return found;
    });
  }
}
