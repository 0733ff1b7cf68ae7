import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import {
  type CivilEventPayload,
  type LinkedProcedureKind,
  nextStep,
  PROCEDURE_STEP_QUEUE,
  type ProcedureStepJob,
  type ProcedureStepName,
} from '@vss/domain/linked-procedures';
import { JOB_QUEUE, PG_POOL, type PgBoss, rollback, sendOnTransaction, withTransaction } from '@vss/platform';
import { LIVE_JOB_OF_PROCEDURE, requeueProcedure } from './procedure-jobs';
import type { ProcedurePatch, StepResult, Verdict } from './step';

/** A step taken up by a job: what the step needs to run, and the job's generation. */
export interface Claim {
  procedureId: string;
  seq: string;
  kind: LinkedProcedureKind;
  step: ProcedureStepName;
  jobSeq: number;
  attempts: number;
  payload: CivilEventPayload;
  assessed?: ProcedurePatch['funeral'];
}

interface ClaimRow {
  procedure_id: string;
  seq: string;
  kind: LinkedProcedureKind;
  current_step: ProcedureStepName;
  job_seq: number;
  attempts: number;
  payload: CivilEventPayload;
  funeral_allowance_vnd: string | null;
  funeral_allowance_basis: string | null;
  funeral_cost_support_vnd: string | null;
  funeral_cost_support_basis: string | null;
}

/**
 * The worker's side of the procedures' SQL. Only a job of the procedure's current generation
 * (`job_seq`) may move it: every change below checks the generation and the step under a row
 * lock, and every change that queues a further job does so in the same transaction (pg-boss's
 * `db` option) with the next generation. A job that ran twice, or late, finds itself stale.
 */
@Injectable()
export class ProcedureStepsRepository {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(JOB_QUEUE) private readonly jobs: PgBoss,
  ) {}

  /** Marks the current step running and counts the attempt; undefined when the job is stale. */
  async claim(job: ProcedureStepJob): Promise<Claim | undefined> {
    const result = await this.pool.query<ClaimRow>({
      name: 'vss-procedure-claim',
      text: `WITH p AS (
               UPDATE vss.procedures SET state = 'RUNNING', version = version + 1, updated_at = now()
               WHERE procedure_id = $1 AND job_seq = $2 AND state IN ('ACCEPTED', 'RUNNING', 'WAITING_RETRY')
                 AND current_step IS NOT NULL
               RETURNING procedure_id, seq, kind, current_step, job_seq, office_code, event_id,
                 funeral_allowance_vnd, funeral_allowance_basis, funeral_cost_support_vnd, funeral_cost_support_basis),
             s AS (
               UPDATE vss.procedure_steps st SET state = 'RUNNING', attempts = st.attempts + 1, started_at = now()
               FROM p WHERE st.procedure_id = p.procedure_id AND st.name = p.current_step
               RETURNING st.attempts)
             SELECT p.procedure_id, p.seq::text, p.kind, p.current_step, p.job_seq, s.attempts, e.payload,
               p.funeral_allowance_vnd::text, p.funeral_allowance_basis, p.funeral_cost_support_vnd::text,
               p.funeral_cost_support_basis
             FROM p CROSS JOIN s JOIN vss.civil_events e ON e.office_code = p.office_code AND e.event_id = p.event_id`,
      values: [job.procedureId, job.jobSeq],
    });
    const row = result.rows[0];
    if (!row) return undefined;
    return {
      procedureId: row.procedure_id,
      seq: row.seq,
      kind: row.kind,
      step: row.current_step,
      jobSeq: row.job_seq,
      attempts: row.attempts,
      payload: row.payload,
      assessed:
        row.funeral_allowance_vnd === null
          ? undefined
          : {
              allowanceVnd: Number(row.funeral_allowance_vnd),
              allowanceBasis: row.funeral_allowance_basis ?? '',
              costSupportVnd: Number(row.funeral_cost_support_vnd ?? 0),
              costSupportBasis: row.funeral_cost_support_basis ?? '',
            },
    };
  }

  /**
   * Records how the step ended: a local effect runs here, in the same transaction; then the
   * procedure moves to the next step (queuing its job), completes, or stops for review.
   * Answers the verdict, or undefined when the job turned out to be stale.
   */
  async finish(claim: Claim, result: StepResult, jobExpireSeconds: number): Promise<Verdict | undefined> {
    return this.ifCurrent(claim, async (client) => {
      const verdict = 'local' in result ? await result.local(client) : result;
      if (verdict.status === 'REVIEW') {
        await this.stopForReview(client, claim, verdict.reason);
        return verdict;
      }
      const next = nextStep(claim.kind, claim.step);
      const patch = verdict.patch ?? {};
      await client.query({
        name: 'vss-procedure-step-done',
        text: `WITH step AS (
                 UPDATE vss.procedure_steps SET state = $3, outcome = $4, finished_at = now()
                 WHERE procedure_id = $1 AND name = $2)
               UPDATE vss.procedures SET
                 current_step = $5, state = $6, job_seq = job_seq + $7, version = version + 1, updated_at = now(),
                 issued_social_insurance_code = COALESCE($8, issued_social_insurance_code),
                 funeral_allowance_vnd = COALESCE($9, funeral_allowance_vnd),
                 funeral_allowance_basis = COALESCE($10, funeral_allowance_basis),
                 funeral_cost_support_vnd = COALESCE($11, funeral_cost_support_vnd),
                 funeral_cost_support_basis = COALESCE($12, funeral_cost_support_basis),
                 payout_id = COALESCE($13, payout_id)
               WHERE procedure_id = $1`,
        values: [
          claim.procedureId,
          claim.step,
          verdict.status,
          verdict.outcome,
          next ?? null,
          next ? 'RUNNING' : 'COMPLETED',
          next ? 1 : 0,
          patch.issuedSocialInsuranceCode ?? null,
          patch.funeral?.allowanceVnd ?? null,
          patch.funeral?.allowanceBasis ?? null,
          patch.funeral?.costSupportVnd ?? null,
          patch.funeral?.costSupportBasis ?? null,
          patch.payoutId ?? null,
        ],
      });
      if (next)
        await this.enqueue(
          client,
          { procedureId: claim.procedureId, jobSeq: claim.jobSeq + 1 },
          jobExpireSeconds,
        );
      return verdict;
    });
  }

  /** Puts the step back to wait, visible as WAITING_RETRY, with a job of the next generation due later. */
  async retryLater(claim: Claim, error: string, delayMs: number, jobExpireSeconds: number): Promise<boolean> {
    const done = await this.ifCurrent(claim, async (client) => {
      await client.query({
        name: 'vss-procedure-step-wait',
        text: `WITH step AS (
                 UPDATE vss.procedure_steps SET state = 'PENDING', last_error = $3 WHERE procedure_id = $1 AND name = $2)
               UPDATE vss.procedures SET state = 'WAITING_RETRY', job_seq = job_seq + 1, version = version + 1,
                 updated_at = now()
               WHERE procedure_id = $1`,
        values: [claim.procedureId, claim.step, error],
      });
      await this.enqueue(
        client,
        { procedureId: claim.procedureId, jobSeq: claim.jobSeq + 1 },
        jobExpireSeconds,
        delayMs / 1000,
      );
      return true;
    });
    return done === true;
  }

  /** Stops the procedure for a person to look at. */
  async review(claim: Claim, reason: string): Promise<void> {
    await this.ifCurrent(claim, (client) => this.stopForReview(client, claim, reason));
  }

  private async stopForReview(client: PoolClient, claim: Claim, reason: string): Promise<void> {
    await client.query({
      name: 'vss-procedure-step-review',
      text: `WITH step AS (
               UPDATE vss.procedure_steps SET state = 'FAILED', last_error = $3, finished_at = now()
               WHERE procedure_id = $1 AND name = $2)
             UPDATE vss.procedures SET state = 'NEEDS_REVIEW', review_reason = $3, version = version + 1,
               updated_at = now()
             WHERE procedure_id = $1`,
      values: [claim.procedureId, claim.step, reason],
    });
  }

  /** Runs `work` in a transaction if the claim is still the procedure's current one. */
  private async ifCurrent<T>(claim: Claim, work: (client: PoolClient) => Promise<T>): Promise<T | undefined> {
    return withTransaction<T | undefined>(this.pool, async (client) => {
      const current = await client.query({
        name: 'vss-procedure-lock-current',
        text: `SELECT 1 FROM vss.procedures
               WHERE procedure_id = $1 AND job_seq = $2 AND current_step = $3 AND state = 'RUNNING' FOR UPDATE`,
        values: [claim.procedureId, claim.jobSeq, claim.step],
      });
      if (current.rowCount === 0) return rollback(undefined);
      return work(client);
    });
  }

  /** Another procedure of this kind for the same person, accepted before this one and not closed. */
  async earlierProcedure(
    client: PoolClient,
    kind: 'BIRTH' | 'DEATH',
    citizenId: string,
    seq: string,
  ): Promise<{ procedureId: string; officeCode: string; eventId: string; state: string } | undefined> {
    const result = await client.query<{
      procedure_id: string;
      office_code: string;
      event_id: string;
      state: string;
    }>(
      `SELECT procedure_id, office_code, event_id, state FROM vss.procedures
       WHERE subject_citizen_id = $1 AND kind = $2 AND seq < $3::bigint AND state <> 'RESOLVED'
       ORDER BY seq LIMIT 1`,
      [citizenId, kind, seq],
    );
    const row = result.rows[0];
    return row
      ? {
          procedureId: row.procedure_id,
          officeCode: row.office_code,
          eventId: row.event_id,
          state: row.state,
        }
      : undefined;
  }

  /**
   * Procedures that should be running and have no job left — the queue spent its retries (a
   * crash loop, a long outage) or lost the job — unchanged for `graceSeconds`: each gets a new
   * job of a new generation (any old one is then stale), or, once it has been swept `maxSweeps`
   * times, goes to review with the reason. Runs in one transaction; rows another sweeper holds
   * are skipped.
   */
  async sweep(options: {
    graceSeconds: number;
    maxSweeps: number;
    jobExpireSeconds: number;
    limit?: number;
  }): Promise<{ requeued: string[]; reviewed: string[] }> {
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{
        procedure_id: string;
        job_seq: number;
        sweeps: number;
        current_step: string;
      }>(
        `SELECT p.procedure_id, p.job_seq, p.sweeps, p.current_step FROM vss.procedures p
         WHERE p.state IN ('ACCEPTED', 'RUNNING', 'WAITING_RETRY') AND p.current_step IS NOT NULL
           AND p.updated_at < now() - make_interval(secs => $1)
           AND NOT ${LIVE_JOB_OF_PROCEDURE('$2')}
         ORDER BY p.updated_at LIMIT $3
         FOR UPDATE OF p SKIP LOCKED`,
        [options.graceSeconds, PROCEDURE_STEP_QUEUE, options.limit ?? 100],
      );
      const requeued: string[] = [];
      const reviewed: string[] = [];
      for (const row of rows) {
        if (row.sweeps >= options.maxSweeps) {
          const reason =
            `step ${row.current_step} lost its job ${row.sweeps + 1} time(s): the queue spent its retries ` +
            "(the worker crashed or the database was away each time); find the cause in the workers' logs, then RetryProcedure";
          await client.query(
            `WITH step AS (
               UPDATE vss.procedure_steps SET state = 'FAILED', last_error = $2, finished_at = now()
               WHERE procedure_id = $1 AND name = $3)
             UPDATE vss.procedures SET state = 'NEEDS_REVIEW', review_reason = $2, sweeps = sweeps + 1,
               version = version + 1, updated_at = now()
             WHERE procedure_id = $1`,
            [row.procedure_id, reason, row.current_step],
          );
          reviewed.push(row.procedure_id);
        } else {
          const next = await requeueProcedure(
            this.jobs,
            client,
            row.procedure_id,
            options.jobExpireSeconds,
            'sweep',
          );
          if (next) requeued.push(row.procedure_id);
        }
      }
      return { requeued, reviewed };
    });
  }

  private async enqueue(
    client: PoolClient,
    job: ProcedureStepJob,
    expireInSeconds: number,
    startAfterSeconds?: number,
  ): Promise<void> {
    await sendOnTransaction(this.jobs, client, PROCEDURE_STEP_QUEUE, job, {
      expireInSeconds,
      ...(startAfterSeconds ? { startAfter: startAfterSeconds } : {}),
    });
  }
}
