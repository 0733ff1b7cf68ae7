import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import {
  type CivilEventPayload,
  type LinkedProcedureState,
  nextStep,
  type ProcedureHold,
  PROCEDURE_TRANSITIONS,
  type ProcedureTransition,
  stepsOf,
} from '@vss/domain/linked-procedures';
import { JOB_QUEUE, PG_POOL, type PgBoss, rollback, withTransaction } from '@vss/platform';
import { type Claim, claimOf, type ClaimRow } from './procedure.rows';
import {
  LIVE_JOB_OF_PROCEDURE,
  PROCEDURE_STEP_QUEUE,
  type ProcedureStepJob,
  sendStepJob,
} from './procedure.queue';
import type { StepResult, Verdict } from './step';
import { ProcedureReadsRepository } from './procedure-reads.repository';

/** Writes the approval request of a held step in the step's transaction; answers its ID. */
export type RequestApproval = (
  client: PoolClient,
  held: Extract<Verdict, { status: 'APPROVAL' }>,
) => Promise<string>;

/** An event as accepted: its content, whom it is about, its digest, the day, and what it amends. */
export type AcceptedEvent = {
  payload: CivilEventPayload;
  subjectCitizenId: string;
  fingerprint: string;
  acceptedOn: string;
  originalProcedureId?: string;
};

export type AcceptOutcome =
  | { status: 'accepted'; procedureId: string }
  | { status: 'duplicate'; procedureId: string; state: LinkedProcedureState }
  | { status: 'conflict'; procedureId: string; receivedAt: string };

/** Records an administrator's action in its transaction: the state found, and whether it took effect. */
export type AuditWithin = (
  client: PoolClient,
  found: LinkedProcedureState,
  done: boolean,
) => Promise<unknown>;

/** The states a named transition may leave: the `state = ANY($n)` of its statement. */
const from = (t: ProcedureTransition): readonly string[] => PROCEDURE_TRANSITIONS[t].from;
/** The state a named transition leads to (each leads to one). */
const to = (t: ProcedureTransition): LinkedProcedureState => PROCEDURE_TRANSITIONS[t].to[0];

/**
 * The one writer of civil events, procedures and their steps, for both halves of the feature.
 * A procedure's state changes only through the named transitions of PROCEDURE_TRANSITIONS
 * (libs/domain), each an UPDATE guarded by the states its transition may leave. Only a job of
 * the procedure's current generation (`job_seq`) moves it on: every step's change checks the
 * generation and the step under a row lock, and every change that queues a further job does so
 * in the same transaction with the next generation, so a job that ran twice, or late, is stale.
 */
@Injectable()
export class ProceduresRepository {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(JOB_QUEUE) private readonly jobs: PgBoss,
    private readonly reads: ProcedureReadsRepository,
  ) {}

  /**
   * Accepting an event writes the event, the procedure, its pending steps and the job of its
   * first step in one transaction (pg-boss inserts the job through this transaction's
   * connection), with the audit entry of the outcome: an acknowledged event always has its job
   * and a failed one leaves neither behind. Idempotent on (office, event ID): the same event
   * again is a duplicate, another event under a used ID a conflict.
   */
  async accept(
    event: AcceptedEvent,
    jobExpireSeconds: number,
    audit: (client: PoolClient, outcome: AcceptOutcome) => Promise<unknown>,
  ): Promise<AcceptOutcome> {
    const procedureId = randomUUID();
    return withTransaction(this.pool, async (client) => {
      const outcome = await this.acceptWithin(client, event, procedureId, jobExpireSeconds);
      await audit(client, outcome);
      return outcome;
    });
  }

  /** `accept` in the caller's transaction; an amendment names the procedure it amends. */
  async acceptWithin(
    client: PoolClient,
    event: AcceptedEvent,
    procedureId: string,
    jobExpireSeconds: number,
  ): Promise<AcceptOutcome> {
    const { payload } = event;
    const { header } = payload;
    const inserted = await client.query({
      name: 'vss-civil-event-accept',
      text: `WITH e AS (
               INSERT INTO vss.civil_events (office_code, event_id, kind, registration_number, registration_date,
                 subject_citizen_id, payload, fingerprint)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
               ON CONFLICT (office_code, event_id) DO NOTHING
               RETURNING office_code, event_id),
             p AS (
               INSERT INTO vss.procedures (procedure_id, kind, state, office_code, event_id, subject_citizen_id,
                 current_step, accepted_on, original_procedure_id)
               SELECT $9, $3, 'ACCEPTED', office_code, event_id, $6, ($10::text[])[1], $11, $12 FROM e
               RETURNING procedure_id),
             s AS (
               INSERT INTO vss.procedure_steps (procedure_id, position, name)
               SELECT p.procedure_id, t.position, t.name
               FROM p, unnest($10::text[]) WITH ORDINALITY AS t(name, position)
               RETURNING 1)
             SELECT (SELECT count(*) FROM p)::int AS inserted, (SELECT count(*) FROM s)::int AS steps`,
      values: [
        header.officeCode,
        header.eventId,
        payload.kind,
        header.registrationNumber,
        header.registrationDate,
        event.subjectCitizenId,
        JSON.stringify(payload),
        event.fingerprint,
        procedureId,
        stepsOf(payload.kind),
        event.acceptedOn,
        event.originalProcedureId ?? null,
      ],
    });
    if (inserted.rows[0].inserted === 1) {
      await sendStepJob(this.jobs, client, { procedureId, jobSeq: 1 }, jobExpireSeconds);
      return { status: 'accepted', procedureId };
    }
    const existing = await this.filed(client, header, event.fingerprint);
    if (!existing)
      throw new Error(`event ${header.eventId} of office ${header.officeCode} vanished while accepted`);
    return existing;
  }

  /**
   * The event already accepted under this office's event ID: the same content again is a
   * duplicate, other content a conflict; undefined when there is none.
   */
  async filed(
    client: PoolClient,
    key: { officeCode: string; eventId: string },
    fingerprint: string,
  ): Promise<AcceptOutcome | undefined> {
    const existing = await client.query<{
      procedure_id: string;
      state: LinkedProcedureState;
      fingerprint: string;
      received_at: Date;
    }>(
      `SELECT p.procedure_id, p.state, e.fingerprint, e.received_at
       FROM vss.civil_events e JOIN vss.procedures p USING (office_code, event_id)
       WHERE e.office_code = $1 AND e.event_id = $2`,
      [key.officeCode, key.eventId],
    );
    const row = existing.rows[0];
    if (!row) return undefined;
    return row.fingerprint === fingerprint
      ? { status: 'duplicate', procedureId: row.procedure_id, state: row.state }
      : { status: 'conflict', procedureId: row.procedure_id, receivedAt: row.received_at.toISOString() };
  }

  /** `claim`: marks the current step running and counts the attempt; undefined when the job is stale. */
  async claim(job: ProcedureStepJob): Promise<Claim | undefined> {
    const result = await this.pool.query<ClaimRow>({
      name: 'vss-procedure-claim',
      text: `WITH p AS (
               UPDATE vss.procedures SET state = $4, version = version + 1, updated_at = now()
               WHERE procedure_id = $1 AND job_seq = $2 AND state = ANY($3::text[]) AND current_step IS NOT NULL
               RETURNING procedure_id, seq, kind, current_step, job_seq, office_code, event_id, accepted_on,
                 released_holds, funeral_allowance_vnd, funeral_allowance_basis, funeral_cost_support_vnd,
                 funeral_cost_support_basis),
             s AS (
               UPDATE vss.procedure_steps st SET state = 'RUNNING', attempts = st.attempts + 1, started_at = now()
               FROM p WHERE st.procedure_id = p.procedure_id AND st.name = p.current_step
               RETURNING st.attempts),
             a AS (
               INSERT INTO vss.procedure_step_attempts (procedure_id, step, attempt)
               SELECT p.procedure_id, p.current_step, s.attempts FROM p CROSS JOIN s
               ON CONFLICT DO NOTHING)
             SELECT p.procedure_id, p.seq::text, p.kind, p.current_step, p.job_seq, s.attempts, e.payload,
               p.accepted_on::text, p.released_holds, p.funeral_allowance_vnd::text, p.funeral_allowance_basis, p.funeral_cost_support_vnd::text,
               p.funeral_cost_support_basis
             FROM p CROSS JOIN s JOIN vss.civil_events e ON e.office_code = p.office_code AND e.event_id = p.event_id`,
      values: [job.procedureId, job.jobSeq, from('claim'), to('claim')],
    });
    const row = result.rows[0];
    return row ? claimOf(row) : undefined;
  }

  /**
   * Records how the step ended: a local effect runs here, in the same transaction; then the
   * procedure moves to the next step, queuing its job (`advance`), `complete`s, stops for
   * review (`needReview`), or waits for an approver (`awaitApproval`, its request written by
   * `requestApproval` in the same transaction). Answers the verdict, or undefined when the job
   * turned out to be stale.
   */
  async finish(
    claim: Claim,
    result: StepResult,
    jobExpireSeconds: number,
    requestApproval: RequestApproval,
  ): Promise<Verdict | undefined> {
    return this.ifCurrent(claim, async (client) => {
      const verdict = 'local' in result ? await result.local(client) : result;
      if (verdict.status === 'REVIEW') {
        await this.needReviewWithin(client, claim.procedureId, verdict.reason);
        await this.endAttempt(client, claim, 'REVIEW', verdict.reason);
        return verdict;
      }
      if (verdict.status === 'APPROVAL') {
        await this.endAttempt(client, claim, 'APPROVAL', null);
        const approvalId = await requestApproval(client, verdict);
        await client.query({
          name: 'vss-procedure-await-approval',
          text: `WITH step AS (
                   UPDATE vss.procedure_steps SET state = 'PENDING', last_error = NULL, outcome = $2
                   WHERE procedure_id = $1 AND name = $5)
                 UPDATE vss.procedures SET state = $4, review_reason = $2, approval_id = $6,
                   version = version + 1, updated_at = now()
                 WHERE procedure_id = $1 AND state = ANY($3::text[])`,
          values: [
            claim.procedureId,
            `awaiting approval: ${verdict.reason}`,
            from('awaitApproval'),
            to('awaitApproval'),
            claim.step,
            approvalId,
          ],
        });
        return verdict;
      }
      await this.endAttempt(client, claim, verdict.status, null);
      const next = nextStep(claim.kind, claim.step);
      const transition: ProcedureTransition = next ? 'advance' : 'complete';
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
               WHERE procedure_id = $1 AND state = ANY($14::text[])`,
        values: [
          claim.procedureId,
          claim.step,
          verdict.status,
          verdict.outcome,
          next ?? null,
          to(transition),
          next ? 1 : 0,
          patch.issuedSocialInsuranceCode ?? null,
          patch.funeral?.allowanceVnd ?? null,
          patch.funeral?.allowanceBasis ?? null,
          patch.funeral?.costSupportVnd ?? null,
          patch.funeral?.costSupportBasis ?? null,
          patch.payoutId ?? null,
          from(transition),
        ],
      });
      if (next) {
        await sendStepJob(
          this.jobs,
          client,
          { procedureId: claim.procedureId, jobSeq: claim.jobSeq + 1 },
          jobExpireSeconds,
        );
      }
      return verdict;
    });
  }

  /** `retryLater`: the step waits, visible as WAITING_RETRY, with a job of the next generation due later. */
  async retryLater(claim: Claim, error: string, delayMs: number, jobExpireSeconds: number): Promise<boolean> {
    const done = await this.ifCurrent(claim, async (client) => {
      await client.query({
        name: 'vss-procedure-step-wait',
        text: `WITH step AS (
                 UPDATE vss.procedure_steps SET state = 'PENDING', last_error = $3 WHERE procedure_id = $1 AND name = $2)
               UPDATE vss.procedures SET state = $5, job_seq = job_seq + 1, version = version + 1, updated_at = now()
               WHERE procedure_id = $1 AND state = ANY($4::text[])`,
        values: [claim.procedureId, claim.step, error, from('retryLater'), to('retryLater')],
      });
      await this.endAttempt(client, claim, 'RETRY', error);
      const job = { procedureId: claim.procedureId, jobSeq: claim.jobSeq + 1 };
      await sendStepJob(this.jobs, client, job, jobExpireSeconds, delayMs / 1000);
      return true;
    });
    return done === true;
  }

  /** `needReview` of a claimed step: the procedure stops for a person to look at. */
  async needReview(claim: Claim, reason: string): Promise<void> {
    await this.ifCurrent(claim, async (client) => {
      await this.needReviewWithin(client, claim.procedureId, reason);
      await this.endAttempt(client, claim, 'REVIEW', reason);
    });
  }

  /** How the claimed attempt at the step ended, in the transaction that records it. */
  private async endAttempt(
    client: PoolClient,
    claim: Claim,
    result: 'DONE' | 'SKIPPED' | 'RETRY' | 'REVIEW' | 'APPROVAL',
    error: string | null,
  ): Promise<void> {
    await client.query({
      name: 'vss-procedure-attempt-end',
      text: `UPDATE vss.procedure_step_attempts SET ended_at = now(), result = $4, error = $5
             WHERE procedure_id = $1 AND step = $2 AND attempt = $3 AND ended_at IS NULL`,
      values: [claim.procedureId, claim.step, claim.attempts, result, error],
    });
  }

  /** The current step failed; the procedure waits in NEEDS_REVIEW with the reason. */
  private async needReviewWithin(client: PoolClient, procedureId: string, reason: string, sweep = false) {
    await client.query({
      name: 'vss-procedure-step-review',
      text: `WITH p AS (
               UPDATE vss.procedures SET state = $3, review_reason = $2, sweeps = sweeps + $5::int,
                 version = version + 1, updated_at = now()
               WHERE procedure_id = $1 AND state = ANY($4::text[])
               RETURNING procedure_id, current_step)
             UPDATE vss.procedure_steps s SET state = 'FAILED', last_error = $2, finished_at = now()
               FROM p WHERE s.procedure_id = p.procedure_id AND s.name = p.current_step`,
      values: [procedureId, reason, to('needReview'), from('needReview'), sweep ? 1 : 0],
    });
  }

  /**
   * An administrator's retry: a procedure in review, or one stuck — meant to run but without a
   * live job (the queue spent its retries) — is `requeue`d at its current step. Answers the
   * state it found and whether it started it again (one still running, or settled, is left alone).
   */
  async retry(
    procedureId: string,
    jobExpireSeconds: number,
    audit: AuditWithin,
  ): Promise<{ state: LinkedProcedureState; restarted: boolean } | undefined> {
    return withTransaction(this.pool, async (client) => {
      const found = await this.lockState(client, procedureId);
      if (!found) return undefined;
      const retryable =
        found === 'NEEDS_REVIEW' ||
        (from('claim').includes(found) && !(await this.reads.hasLiveJob(client, procedureId)));
      const restarted = retryable && (await this.requeue(client, procedureId, jobExpireSeconds, 'retry'));
      await audit(client, found, restarted);
      return { state: found, restarted };
    });
  }

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
      const found = await this.lockState(client, procedureId);
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

  /**
   * The sweeper's pass: procedures that should be running and have no job left — the queue
   * spent its retries (a crash loop, a long outage) or lost the job — unchanged for
   * `graceSeconds`: each is `requeue`d with a job of a new generation (any old one is then
   * stale), or, once swept `maxSweeps` times, sent to `needReview` with the reason. One
   * transaction; rows another sweeper holds are skipped.
   */
  async sweep(options: {
    graceSeconds: number;
    maxSweeps: number;
    jobExpireSeconds: number;
    limit?: number;
  }): Promise<{ requeued: string[]; reviewed: string[] }> {
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ procedure_id: string; sweeps: number; current_step: string }>(
        `SELECT p.procedure_id, p.sweeps, p.current_step FROM vss.procedures p
         WHERE p.state = ANY($4::text[]) AND p.current_step IS NOT NULL
           AND p.updated_at < now() - make_interval(secs => $1)
           AND NOT ${LIVE_JOB_OF_PROCEDURE('$2')}
         ORDER BY p.updated_at LIMIT $3
         FOR UPDATE OF p SKIP LOCKED`,
        [options.graceSeconds, PROCEDURE_STEP_QUEUE, options.limit ?? 100, from('claim')],
      );
      const requeued: string[] = [];
      const reviewed: string[] = [];
      for (const row of rows) {
        if (row.sweeps >= options.maxSweeps) {
          const reason =
            `step ${row.current_step} lost its job ${row.sweeps + 1} time(s): the queue spent its retries ` +
            "(the worker crashed or the database was away each time); find the cause in the workers' logs, then RetryProcedure";
          await this.needReviewWithin(client, row.procedure_id, reason, true);
          reviewed.push(row.procedure_id);
        } else if (await this.requeue(client, row.procedure_id, options.jobExpireSeconds, 'sweep')) {
          requeued.push(row.procedure_id);
        }
      }
      return { requeued, reviewed };
    });
  }

  /**
   * `requeue`: a new generation of jobs for a procedure (locked by the caller): its current step
   * back to PENDING and one job queued, in the caller's transaction, so any older job finds
   * itself stale. The sweeper counts it as a sweep; an administrator's retry starts the count again.
   */
  private async requeue(
    client: PoolClient,
    procedureId: string,
    jobExpireSeconds: number,
    by: 'sweep' | 'retry',
  ): Promise<boolean> {
    const updated = await client.query<{ job_seq: number }>(
      `WITH p AS (
         UPDATE vss.procedures SET state = $4, review_reason = NULL, job_seq = job_seq + 1,
           sweeps = CASE WHEN $2 THEN sweeps + 1 ELSE 0 END, version = version + 1, updated_at = now()
         WHERE procedure_id = $1 AND current_step IS NOT NULL AND state = ANY($3::text[])
         RETURNING procedure_id, current_step, job_seq),
       s AS (
         UPDATE vss.procedure_steps s SET state = 'PENDING' FROM p
         WHERE s.procedure_id = p.procedure_id AND s.name = p.current_step)
       SELECT job_seq FROM p`,
      [procedureId, by === 'sweep', from('requeue'), to('requeue')],
    );
    if (updated.rowCount === 0) return false;
    await sendStepJob(this.jobs, client, { procedureId, jobSeq: updated.rows[0].job_seq }, jobExpireSeconds);
    return true;
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

  private async lockState(
    client: PoolClient,
    procedureId: string,
  ): Promise<LinkedProcedureState | undefined> {
    const result = await client.query<{ state: LinkedProcedureState }>(
      'SELECT state FROM vss.procedures WHERE procedure_id = $1 FOR UPDATE',
      [procedureId],
    );
    return result.rows[0]?.state;
  }
}
