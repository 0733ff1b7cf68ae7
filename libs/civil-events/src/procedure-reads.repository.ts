import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import type { LinkedProcedureKind, LinkedProcedureState } from '@vss/domain/linked-procedures';
import { PG_POOL, WATCH_POOL } from '@vss/platform';
import type { ProcedureRow } from './procedure.rows';
import { LIVE_JOB_OF_PROCEDURE, PROCEDURE_STEP_QUEUE } from './procedure.queue';

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
  p.funeral_cost_support_basis, p.payout_id, p.approval_id, p.created_at, p.updated_at,
  e.registration_number, e.registration_date::text, p.original_procedure_id,
  (SELECT array_agg(a.procedure_id::text ORDER BY a.seq) FROM vss.procedures a
    WHERE a.original_procedure_id = p.procedure_id) AS amendment_procedure_ids,
  (SELECT coalesce(json_agg(json_build_object('name', s.name, 'state', s.state, 'attempts', s.attempts,
            'last_error', s.last_error, 'outcome', s.outcome, 'finished_at', s.finished_at) ORDER BY s.position), '[]')
   FROM vss.procedure_steps s WHERE s.procedure_id = p.procedure_id) AS steps`;

/**
 * Reads of procedures with their steps, for the gateway's calls and watches and the worker's
 * steps. Every write is ProceduresRepository's.
 */
@Injectable()
export class ProcedureReadsRepository {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(WATCH_POOL) private readonly watchPool: Pool,
  ) {}

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

  /** Another procedure of this kind for the same person, accepted before this one, not closed and not revoked. */
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
         AND NOT EXISTS (SELECT 1 FROM vss.procedures r WHERE r.original_procedure_id = procedures.procedure_id
                           AND r.kind = $4 AND r.state = 'COMPLETED')
       ORDER BY seq LIMIT 1`,
      [citizenId, kind, seq, `${kind}_REVOCATION`],
    );
    return result.rows[0] && otherProcedure(result.rows[0]);
  }

  /**
   * A death of the person filed after the registration an amendment revokes or corrects, and not
   * closed without effect: the world the amendment would restore has moved on.
   */
  async laterDeath(
    client: PoolClient,
    citizenId: string,
    originalProcedureId: string,
  ): Promise<{ procedureId: string; officeCode: string; eventId: string; state: string } | undefined> {
    const { rows } = await client.query<{
      procedure_id: string;
      office_code: string;
      event_id: string;
      state: string;
    }>(
      `SELECT p.procedure_id, p.office_code, p.event_id, p.state FROM vss.procedures p
        WHERE p.subject_citizen_id = $1 AND p.kind = 'DEATH' AND p.procedure_id <> $2
          AND p.seq > (SELECT seq FROM vss.procedures WHERE procedure_id = $2)
          AND p.state NOT IN ('REJECTED', 'RESOLVED')
        ORDER BY p.seq LIMIT 1`,
      [citizenId, originalProcedureId],
    );
    return rows[0] && otherProcedure(rows[0]);
  }

  /** The funeral benefits a procedure assessed (both in VND), or undefined when it assessed none. */
  async assessedFuneral(client: PoolClient, procedureId: string): Promise<number | undefined> {
    const { rows } = await client.query<{ total: string | null }>(
      `SELECT (funeral_allowance_vnd + coalesce(funeral_cost_support_vnd, 0))::text AS total
         FROM vss.procedures WHERE procedure_id = $1`,
      [procedureId],
    );
    return rows[0]?.total == null ? undefined : Number(rows[0].total);
  }

  /** Every attempt at the procedure's steps, in the order they were made. */
  async attemptsOf(procedureId: string): Promise<StepAttemptRow[]> {
    const { rows } = await this.pool.query<StepAttemptRow>(
      `SELECT a.step, a.attempt, a.started_at, a.ended_at, a.result, a.error
         FROM vss.procedure_step_attempts a
         JOIN vss.procedure_steps s ON s.procedure_id = a.procedure_id AND s.name = a.step
        WHERE a.procedure_id = $1
        ORDER BY a.started_at, s.position, a.attempt`,
      [procedureId],
    );
    return rows;
  }

  /** Procedures a person must look at: in these states, oldest change first. */
  async inStates(states: readonly LinkedProcedureState[], limit: number): Promise<ProcedureRow[]> {
    const result = await this.pool.query<ProcedureRow>(
      `SELECT ${PROCEDURE_COLUMNS}
       FROM vss.procedures p JOIN vss.civil_events e USING (office_code, event_id)
       WHERE p.state = ANY($1::text[])
       ORDER BY p.updated_at LIMIT $2`,
      [states, limit],
    );
    return result.rows.map(withStepDates);
  }

  /**
   * The sweeper's view: procedures meant to run (in these states, at a step) with no job of
   * their generation left, unchanged for `graceSeconds` — what the next sweep will requeue.
   */
  async stuck(
    states: readonly LinkedProcedureState[],
    graceSeconds: number,
    limit: number,
  ): Promise<ProcedureRow[]> {
    const result = await this.pool.query<ProcedureRow>(
      `SELECT ${PROCEDURE_COLUMNS}
       FROM vss.procedures p JOIN vss.civil_events e USING (office_code, event_id)
       WHERE p.state = ANY($1::text[]) AND p.current_step IS NOT NULL
         AND p.updated_at < now() - make_interval(secs => $2)
         AND NOT ${LIVE_JOB_OF_PROCEDURE('$3')}
       ORDER BY p.updated_at LIMIT $4`,
      [states, graceSeconds, PROCEDURE_STEP_QUEUE, limit],
    );
    return result.rows.map(withStepDates);
  }

  /** The procedures about one person (as the subject of a birth or death), newest first. */
  async about(citizenId: string, limit: number): Promise<ProcedureRow[]> {
    const result = await this.pool.query<ProcedureRow>(
      `SELECT ${PROCEDURE_COLUMNS}
       FROM vss.procedures p JOIN vss.civil_events e USING (office_code, event_id)
       WHERE p.subject_citizen_id = $1
       ORDER BY p.seq DESC LIMIT $2`,
      [citizenId, limit],
    );
    return result.rows.map(withStepDates);
  }

  /** How many procedures are in each of these states now (the states index counts them). */
  async countsInStates(states: readonly LinkedProcedureState[]): Promise<Map<LinkedProcedureState, number>> {
    const { rows } = await this.pool.query<{ state: LinkedProcedureState; count: number }>(
      `SELECT state, count(*)::int AS count FROM vss.procedures WHERE state = ANY($1::text[]) GROUP BY state`,
      [states],
    );
    return new Map(rows.map((r) => [r.state, r.count]));
  }

  /** Procedures accepted on each of the last `days` days (Vietnam's), by the state they are in now. */
  async stateCountsByDay(days: number, today: string): Promise<StateCountRow[]> {
    const { rows } = await this.pool.query<StateCountRow>(
      `SELECT accepted_on::text AS day, state, count(*)::int AS count
         FROM vss.procedures
        WHERE accepted_on > $2::date - $1::int AND accepted_on <= $2::date
        GROUP BY accepted_on, state ORDER BY accepted_on, state`,
      [days, today],
    );
    return rows;
  }

  /** Whether the procedure has a job of its current generation waiting, retrying or running; on the caller's transaction. */
  async hasLiveJob(client: PoolClient, procedureId: string): Promise<boolean> {
    const { rows } = await client.query<{ live: boolean }>(
      `SELECT ${LIVE_JOB_OF_PROCEDURE('$2')} AS live FROM vss.procedures p WHERE p.procedure_id = $1`,
      [procedureId, PROCEDURE_STEP_QUEUE],
    );
    return rows[0]?.live ?? false;
  }
}

/** One attempt at a procedure's step: the timeline's line. */
export interface StepAttemptRow {
  step: string;
  attempt: number;
  started_at: Date;
  ended_at: Date | null;
  /** DONE, SKIPPED, RETRY, REVIEW or APPROVAL; null while running, or when its worker stopped mid-step. */
  result: string | null;
  error: string | null;
}

/** How many procedures accepted on a day are in each state now. */
export interface StateCountRow {
  day: string;
  state: LinkedProcedureState;
  count: number;
}

/** Steps come as JSON, where a time is text: the API's codecs read a Date. */
function withStepDates(row: ProcedureRow): ProcedureRow {
  for (const step of row.steps ?? []) {
    if (step.finished_at !== null) step.finished_at = new Date(step.finished_at);
  }
  return row;
}

/** Another procedure about the same person, as a step's reason names it. */
function otherProcedure(row: { procedure_id: string; office_code: string; event_id: string; state: string }) {
  return {
    procedureId: row.procedure_id,
    officeCode: row.office_code,
    eventId: row.event_id,
    state: row.state,
  };
}
