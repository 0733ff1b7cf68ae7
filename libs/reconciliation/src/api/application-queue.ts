import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { type AuditActor, AuditAction, AuditTrail } from '@vss/audit';
import {
  APP_CONFIG,
  type GatewayConfig,
  JOB_QUEUE,
  PG_POOL,
  type PgBoss,
  withTransaction,
} from '@vss/platform';
import {
  type FindingApplication,
  FindingApplicationsRepository,
  type NewApplication,
} from '../finding-applications.repository';
import { ReconciliationErrorCode, reconciliationError } from '../reconciliation.errors';
import { sendApplicationJob } from '../reconciliation.queue';

/** How long the gateway waits for the worker before it answers an application still in progress. */
const WAIT_MS = 25_000;
const POLL_MS = 50;

/**
 * The gateway's half of applying findings: it writes no insurance record, card or benefit
 * itself. An application is a row and a job, committed together (with the operator's audit
 * entry, or inside an approver's decision); a worker carries it out. `wait` follows it until
 * the worker is done, so a caller still gets the counts of what was applied.
 */
@Injectable()
export class ApplicationQueue {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly applications: FindingApplicationsRepository,
    private readonly audit: AuditTrail,
    @Inject(JOB_QUEUE) private readonly jobs: PgBoss,
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** Queues an application asked by `caller` (no approval needed), in a transaction of its own. */
  ask(
    caller: AuditActor,
    application: Omit<NewApplication, 'requestedById' | 'requestedBy'>,
  ): Promise<string> {
    return withTransaction(this.pool, async (client) => {
      const applicationId = await this.queueWithin(client, {
        ...application,
        requestedById: caller.id,
        requestedBy: caller.label,
      });
      await this.audit.recordWithin(client, {
        caller,
        action: AuditAction.FindingsApplicationQueued,
        purpose: 'reconciliation',
        outcome: 'QUEUED',
        detail: {
          applicationId,
          runId: application.runId,
          outcomes: application.outcomes,
          findingIds: application.findingIds.length,
        },
      });
      return applicationId;
    });
  }

  /** Queues an application on the caller's transaction (an approver's decision). */
  async queueWithin(client: PoolClient, application: NewApplication): Promise<string> {
    const applicationId = await this.applications.create(client, application);
    await sendApplicationJob(
      this.jobs,
      client,
      { applicationId },
      { expireInSeconds: this.config.JOB_EXPIRE_SECONDS },
    );
    return applicationId;
  }

  /**
   * The application once the worker is done with it, or as it stands after WAIT_MS (still
   * running: what is applied stays applied, and the worker goes on). A failed one is UNAVAILABLE,
   * with the worker's reason.
   */
  async wait(applicationId: string): Promise<FindingApplication> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const application = await this.applications.get(applicationId);
      if (!application) throw new Error(`application ${applicationId} vanished`);
      if (application.state === 'FAILED') {
        throw reconciliationError(
          ReconciliationErrorCode.ApplicationFailed,
          `application ${applicationId} failed in the worker: ${application.error ?? 'no reason recorded'}; ` +
            'what was applied stays applied: ask again to apply the rest',
        );
      }
      if (application.state === 'DONE' || Date.now() > deadline) return application;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}
