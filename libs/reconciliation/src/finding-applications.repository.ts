import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { ReconciliationOutcome } from '@vss/domain/reconciliation';
import { liveJobExists, PG_POOL, withTransaction } from '@vss/platform';

export type ApplicationState = 'QUEUED' | 'RUNNING' | 'DONE' | 'FAILED';

/** An application of findings (vss.finding_applications), as the gateway and the worker read it. */
export interface FindingApplication {
  applicationId: string;
  runId: string;
  outcomes: ReconciliationOutcome[];
  findingIds: string[];
  requestedById: string;
  requestedBy: string;
  approvalId: string | null;
  approvedBy: string | null;
  state: ApplicationState;
  afterFindingId: string;
  applied: Partial<Record<ReconciliationOutcome, number>>;
  stale: number;
  skipped: number;
  /** Deaths not applied: the registry no longer records the person as dead (approved applications). */
  aliveAgain: string[] | null;
  error: string | null;
}

export interface NewApplication {
  runId: string;
  outcomes: ReconciliationOutcome[];
  findingIds: string[];
  requestedById: string;
  requestedBy: string;
  /** Findings of the filter already applied when it was asked (reported as skipped). */
  skipped: number;
  approval?: { approvalId: string; approvedBy: string };
}

interface Row {
  application_id: string;
  run_id: string;
  outcomes: ReconciliationOutcome[];
  finding_ids: string[];
  requested_by_id: string;
  requested_by: string;
  approval_id: string | null;
  approved_by: string | null;
  state: ApplicationState;
  after_finding_id: string;
  applied: Partial<Record<ReconciliationOutcome, number>>;
  stale: number;
  skipped: number;
  alive_again: string[] | null;
  error: string | null;
}

const COLUMNS = `application_id, run_id, outcomes, finding_ids::text[] AS finding_ids, requested_by_id,
  requested_by, approval_id, approved_by, state, after_finding_id::text AS after_finding_id, applied, stale,
  skipped, alive_again::text[] AS alive_again, error`;

function fromRow(row: Row): FindingApplication {
  return {
    applicationId: row.application_id,
    runId: row.run_id,
    outcomes: row.outcomes,
    findingIds: row.finding_ids,
    requestedById: row.requested_by_id,
    requestedBy: row.requested_by,
    approvalId: row.approval_id,
    approvedBy: row.approved_by,
    state: row.state,
    afterFindingId: row.after_finding_id,
    applied: row.applied,
    stale: row.stale,
    skipped: row.skipped,
    aliveAgain: row.alive_again,
    error: row.error,
  };
}

/**
 * Applications of findings: asked by the gateway (for an operator, or on an approver's
 * decision), carried out by the worker a batch per transaction. Each batch moves the
 * checkpoint and adds its counts in the batch's own transaction.
 */
@Injectable()
export class FindingApplicationsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** A new application, on the caller's transaction (which also queues its job). */
  async create(client: PoolClient, application: NewApplication): Promise<string> {
    const applicationId = randomUUID();
    await client.query(
      `INSERT INTO vss.finding_applications (application_id, run_id, outcomes, finding_ids, requested_by_id,
         requested_by, approval_id, approved_by, skipped)
       VALUES ($1, $2, $3, $4::bigint[], $5, $6, $7, $8, $9)`,
      [
        applicationId,
        application.runId,
        application.outcomes,
        application.findingIds,
        application.requestedById,
        application.requestedBy,
        application.approval?.approvalId ?? null,
        application.approval?.approvedBy ?? null,
        application.skipped,
      ],
    );
    return applicationId;
  }

  async get(
    applicationId: string,
    client: Pool | PoolClient = this.pool,
  ): Promise<FindingApplication | undefined> {
    const { rows } = await client.query<Row>(
      `SELECT ${COLUMNS} FROM vss.finding_applications WHERE application_id = $1`,
      [applicationId],
    );
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  /**
   * The application locked for the caller's transaction and marked RUNNING, unless it is over
   * (DONE or FAILED: a job run twice finds nothing to do) or another worker holds it now.
   */
  async claim(client: PoolClient, applicationId: string): Promise<FindingApplication | undefined> {
    const { rows } = await client.query<Row>(
      `UPDATE vss.finding_applications SET state = 'RUNNING', updated_at = now()
        WHERE application_id = (SELECT application_id FROM vss.finding_applications
                                 WHERE application_id = $1 AND state IN ('QUEUED', 'RUNNING')
                                 FOR UPDATE SKIP LOCKED)
        RETURNING ${COLUMNS}`,
      [applicationId],
    );
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  /** Records the deaths the registry no longer confirms, once, before the first batch. */
  async setAliveAgain(
    client: PoolClient,
    applicationId: string,
    findingIds: readonly string[],
  ): Promise<void> {
    await client.query(
      `UPDATE vss.finding_applications SET alive_again = $2::bigint[], updated_at = now() WHERE application_id = $1`,
      [applicationId, findingIds],
    );
  }

  /** One batch done: the counts so far and the checkpoint, on the batch's transaction. */
  async recordBatch(
    client: PoolClient,
    applicationId: string,
    progress: {
      applied: Partial<Record<ReconciliationOutcome, number>>;
      stale: number;
      afterFindingId: string;
    },
  ): Promise<void> {
    await client.query(
      `UPDATE vss.finding_applications SET applied = $2::jsonb, stale = $3, after_finding_id = $4::bigint,
              updated_at = now()
        WHERE application_id = $1`,
      [applicationId, JSON.stringify(progress.applied), progress.stale, progress.afterFindingId],
    );
  }

  async finish(client: PoolClient, applicationId: string): Promise<void> {
    await client.query(
      `UPDATE vss.finding_applications SET state = 'DONE', finished_at = now(), updated_at = now()
        WHERE application_id = $1`,
      [applicationId],
    );
  }

  async fail(applicationId: string, reason: string, client: Pool | PoolClient = this.pool): Promise<void> {
    await client.query(
      `UPDATE vss.finding_applications SET state = 'FAILED', error = $2, finished_at = now(), updated_at = now()
        WHERE application_id = $1 AND state IN ('QUEUED', 'RUNNING')`,
      [applicationId, reason],
    );
  }

  /**
   * Nothing stuck for ever: open applications unchanged for `graceSeconds` with no job left get a
   * new one (they resume from their checkpoint), up to `maxSweeps` times; then they fail, naming why.
   */
  async sweep(options: {
    graceSeconds: number;
    maxSweeps: number;
    queue: string;
    requeue: (client: PoolClient, applicationId: string) => Promise<void>;
  }): Promise<{ requeued: string[]; failed: string[] }> {
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ application_id: string; sweeps: number }>(
        `SELECT a.application_id, a.sweeps FROM vss.finding_applications a
          WHERE a.state IN ('QUEUED', 'RUNNING') AND a.updated_at < now() - make_interval(secs => $1)
            AND NOT ${liveJobExists('$2', "j.data->>'applicationId' = a.application_id::text")}
          ORDER BY a.updated_at LIMIT 100
          FOR UPDATE OF a SKIP LOCKED`,
        [options.graceSeconds, options.queue],
      );
      const requeued: string[] = [];
      const failed: string[] = [];
      for (const row of rows) {
        if (row.sweeps >= options.maxSweeps) {
          await this.fail(
            row.application_id,
            `the application lost its job ${row.sweeps + 1} time(s) (its worker died or the database was away ` +
              "through every retry); see the workers' logs, then apply again: what was applied stays applied",
            client,
          );
          failed.push(row.application_id);
          continue;
        }
        await client.query(
          `UPDATE vss.finding_applications SET sweeps = sweeps + 1, updated_at = now() WHERE application_id = $1`,
          [row.application_id],
        );
        await options.requeue(client, row.application_id);
        requeued.push(row.application_id);
      }
      return { requeued, failed };
    });
  }
}
