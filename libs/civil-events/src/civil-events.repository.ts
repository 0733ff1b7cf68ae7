import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import {
  type CivilEventPayload,
  type LinkedProcedureKind,
  type LinkedProcedureState,
  PROCEDURE_STEP_QUEUE,
  type ProcedureStepJob,
  stepsOf,
} from '@vss/domain/linked-procedures';
import {
  JOB_QUEUE,
  PG_POOL,
  type PgBoss,
  sendOnTransaction,
  WATCH_POOL,
  withTransaction,
} from '@vss/platform';
import { procedureHasLiveJob, requeueProcedure } from './procedure-jobs';
import type { ProcedureRow } from './procedure.rows';

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

export interface ProcedureFilter {
  state?: LinkedProcedureState;
  kind?: LinkedProcedureKind;
  officeCode?: string;
  acceptedFrom?: string;
  acceptedTo?: string;
  /** Only procedures accepted before this one (keyset paging, newest first). */
  beforeSeq?: string;
}

const PROCEDURE_COLUMNS = `
  p.procedure_id, p.seq::text, p.kind, p.state, p.office_code, p.event_id, p.subject_citizen_id,
  p.current_step, p.version, p.review_reason, p.resolution_note, p.issued_social_insurance_code,
  p.funeral_allowance_vnd::text, p.funeral_allowance_basis, p.funeral_cost_support_vnd::text,
  p.funeral_cost_support_basis, p.payout_id, p.created_at, p.updated_at,
  e.registration_number, e.registration_date::text,
  (SELECT coalesce(json_agg(json_build_object('name', s.name, 'state', s.state, 'attempts', s.attempts,
            'last_error', s.last_error, 'outcome', s.outcome, 'finished_at', s.finished_at) ORDER BY s.position), '[]')
   FROM vss.procedure_steps s WHERE s.procedure_id = p.procedure_id) AS steps`;

/**
 * The procedures' SQL on the gateway side. Accepting an event writes the event, the procedure,
 * its pending steps and the job of its first step in one transaction: pg-boss inserts the job
 * through this transaction's connection (its `db` option), so an acknowledged event always has
 * its job and a failed one leaves neither behind. An outbox table drained by the worker would
 * give the same guarantee with one more table and one more polling loop.
 */
@Injectable()
export class CivilEventsRepository {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(JOB_QUEUE) private readonly jobs: PgBoss,
    @Inject(WATCH_POOL) private readonly watchPool: Pool,
  ) {}

  async accept(
    event: {
      payload: CivilEventPayload;
      subjectCitizenId: string;
      fingerprint: string;
      acceptedOn: string;
    },
    jobExpireSeconds: number,
    /** Writes the audit entry of the outcome, in the transaction that accepts the event. */
    audit: (client: PoolClient, outcome: AcceptOutcome) => Promise<unknown>,
  ): Promise<AcceptOutcome> {
    const procedureId = randomUUID();
    const steps = stepsOf(event.payload.kind);
    return withTransaction(this.pool, async (client) => {
      const outcome = await this.acceptWithin(client, event, procedureId, steps, jobExpireSeconds);
      await audit(client, outcome);
      return outcome;
    });
  }

  private async acceptWithin(
    client: PoolClient,
    event: { payload: CivilEventPayload; subjectCitizenId: string; fingerprint: string; acceptedOn: string },
    procedureId: string,
    steps: readonly string[],
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
                 current_step, accepted_on)
               SELECT $9, $3, 'ACCEPTED', office_code, event_id, $6, ($10::text[])[1], $11 FROM e
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
        steps,
        event.acceptedOn,
      ],
    });
    if (inserted.rows[0].inserted === 1) {
      await this.enqueue(client, { procedureId, jobSeq: 1 }, jobExpireSeconds);
      return { status: 'accepted', procedureId };
    }
    const existing = await client.query<{
      procedure_id: string;
      state: LinkedProcedureState;
      fingerprint: string;
      received_at: Date;
    }>(
      `SELECT p.procedure_id, p.state, e.fingerprint, e.received_at
       FROM vss.civil_events e JOIN vss.procedures p USING (office_code, event_id)
       WHERE e.office_code = $1 AND e.event_id = $2`,
      [header.officeCode, header.eventId],
    );
    const row = existing.rows[0];
    return row.fingerprint === event.fingerprint
      ? { status: 'duplicate', procedureId: row.procedure_id, state: row.state }
      : { status: 'conflict', procedureId: row.procedure_id, receivedAt: row.received_at.toISOString() };
  }

  /**
   * The procedure with its steps. One statement, so one snapshot and one round trip: read in two
   * statements, a step claimed between them showed RUNNING under a procedure still WAITING_RETRY;
   * read in a transaction of four, a burst of watches opening held the pool's connections four
   * times as long. `watch` reads on the watches' pool.
   */
  async find(procedureId: string, via: 'calls' | 'watch' = 'calls'): Promise<ProcedureRow | undefined> {
    const result = await (via === 'watch' ? this.watchPool : this.pool).query<ProcedureRow>({
      name: 'vss-procedure-by-id',
      text: `SELECT ${PROCEDURE_COLUMNS}
             FROM vss.procedures p JOIN vss.civil_events e USING (office_code, event_id)
             WHERE p.procedure_id = $1`,
      values: [procedureId],
    });
    return result.rows.map(withStepDates)[0];
  }

  /** The version of a procedure, or undefined when there is none: what a watch reads first. */
  async versionOf(procedureId: string): Promise<number | undefined> {
    const result = await this.watchPool.query<{ version: number }>({
      name: 'vss-procedure-version',
      text: 'SELECT version FROM vss.procedures WHERE procedure_id = $1',
      values: [procedureId],
    });
    return result.rows[0]?.version;
  }

  async list(filter: ProcedureFilter, limit: number): Promise<ProcedureRow[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    const add = (clause: string, value: unknown) => {
      values.push(value);
      where.push(clause.replace('?', `$${values.length}`));
    };
    if (filter.state) add('p.state = ?', filter.state);
    if (filter.kind) add('p.kind = ?', filter.kind);
    if (filter.officeCode) add('p.office_code = ?', filter.officeCode);
    if (filter.acceptedFrom) add('p.accepted_on >= ?', filter.acceptedFrom);
    if (filter.acceptedTo) add('p.accepted_on <= ?', filter.acceptedTo);
    if (filter.beforeSeq) add('p.seq < ?', filter.beforeSeq);
    values.push(limit);
    const result = await this.pool.query<ProcedureRow>(
      `SELECT ${PROCEDURE_COLUMNS}
       FROM vss.procedures p JOIN vss.civil_events e USING (office_code, event_id)
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY p.seq DESC LIMIT $${values.length}`,
      values,
    );
    return result.rows.map(withStepDates);
  }

  /**
   * Starts a procedure in review again, or one that is stuck — meant to run but without a live
   * job (the queue spent its retries) — at its current step. Answers the state it found and
   * whether it started it again (a procedure still running, or settled, is left alone).
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
        (['ACCEPTED', 'RUNNING', 'WAITING_RETRY'].includes(found) &&
          !(await procedureHasLiveJob(client, procedureId)));
      const restarted =
        retryable && (await requeueProcedure(this.jobs, client, procedureId, jobExpireSeconds, 'retry'));
      await audit(client, found, restarted);
      return { state: found, restarted };
    });
  }

  /** Closes a procedure in review with the administrator's note. Answers the state it found. */
  async resolve(
    procedureId: string,
    note: string,
    audit: AuditWithin,
  ): Promise<LinkedProcedureState | undefined> {
    return withTransaction(this.pool, async (client) => {
      const found = await this.lockState(client, procedureId);
      if (found) await audit(client, found, found === 'NEEDS_REVIEW');
      if (found !== 'NEEDS_REVIEW') return found;
      await client.query(
        `UPDATE vss.procedures SET state = 'RESOLVED', resolution_note = $2, current_step = NULL,
           version = version + 1, updated_at = now()
         WHERE procedure_id = $1`,
        [procedureId, note],
      );
      return found;
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

  private async enqueue(client: PoolClient, job: ProcedureStepJob, expireInSeconds: number): Promise<void> {
    await sendOnTransaction(this.jobs, client, PROCEDURE_STEP_QUEUE, job, { expireInSeconds });
  }
}

/** Steps come as JSON, where a time is text: the API's codecs read a Date. */
function withStepDates(row: ProcedureRow): ProcedureRow {
  for (const step of row.steps ?? []) {
    if (step.finished_at !== null) step.finished_at = new Date(step.finished_at);
  }
  return row;
}
