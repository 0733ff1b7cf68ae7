import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { type AuditActor, AuditAction, AuditTrail } from '@vss/audit';
import { registry } from '@vss/contracts';
import type { ReconciliationOutcome } from '@vss/domain/reconciliation';
import {
  APP_CONFIG,
  JOB_QUEUE,
  PG_POOL,
  type PgBoss,
  type WorkerConfig,
  withTransaction,
} from '@vss/platform';
import { RegistryClient } from '@vss/registry-client';
import { type FindingApplication, FindingApplicationsRepository } from '../finding-applications.repository';
import { type FindingFilter, FindingsRepository } from '../findings.repository';
import { sendApplicationJob } from '../reconciliation.queue';
import { FindingsApplier } from './findings-applier';

/** The worker, as applications of findings name it in the audit trail. */
export const APPLYING_WORKER: AuditActor = { id: 'worker', label: 'reconciliation worker', role: 'system' };

const filterOf = (a: FindingApplication): FindingFilter => ({
  runId: a.runId,
  outcomes: a.outcomes,
  provinceCode: null,
  findingIds: a.findingIds,
});

/**
 * Carries out an application of findings the gateway queued: a batch per transaction, each
 * moving the application's checkpoint and counts with the findings it applied, so a worker
 * killed half-way resumes where it stopped and a job run twice applies nothing twice. Every
 * change names the operator who asked (and the approver, for a held application) beside the
 * worker that made it. An approved application that records deaths asks the population
 * registry again first: a person it no longer records as dead is left as they are.
 */
@Injectable()
export class FindingApplicationRunner {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly applications: FindingApplicationsRepository,
    private readonly findings: FindingsRepository,
    private readonly applier: FindingsApplier,
    private readonly registry: RegistryClient,
    private readonly audit: AuditTrail,
    @Inject(JOB_QUEUE) private readonly jobs: PgBoss,
    @Inject(APP_CONFIG) private readonly config: WorkerConfig,
  ) {}

  /**
   * Applies batches for half the job's lease at most; an application not finished by then queues
   * its own next job in its last batch's transaction, so a long one never outlives its lease.
   */
  async run(applicationId: string, leaseSeconds: number): Promise<void> {
    const stopAt = Date.now() + (leaseSeconds * 1000) / 2;
    const asked = await this.applications.get(applicationId);
    if (!asked || asked.state === 'DONE' || asked.state === 'FAILED') return;
    if (asked.approvalId && asked.outcomes.includes('DECEASED_BUT_ACTIVE') && asked.aliveAgain === null) {
      const alive = await this.aliveAgain(filterOf(asked));
      await withTransaction(this.pool, (client) =>
        this.applications.setAliveAgain(client, applicationId, [...alive]),
      );
    }
    for (;;) {
      const more = await withTransaction(this.pool, async (client) => {
        const application = await this.applications.claim(client, applicationId);
        if (!application) return false; // over, or another worker holds it now
        const marks = {
          application: {
            applicationId,
            requestedBy: application.requestedBy,
            requestedById: application.requestedById,
          },
          ...(application.approvalId
            ? { approval: { approvalId: application.approvalId, approvedBy: application.approvedBy! } }
            : {}),
          alive: new Set(application.aliveAgain ?? []),
        };
        const batch = await this.applier.applyBatchWithin(
          client,
          filterOf(application),
          application.afterFindingId,
          this.config.APPLY_BATCH_SIZE,
          APPLYING_WORKER,
          marks,
        );
        const applied = { ...application.applied };
        for (const [outcome, n] of Object.entries(batch.applied)) {
          const key = outcome as ReconciliationOutcome;
          applied[key] = (applied[key] ?? 0) + n;
        }
        if (batch.lastFindingId === null) {
          await this.applications.finish(client, applicationId);
          await this.audit.recordWithin(client, {
            caller: APPLYING_WORKER,
            action: AuditAction.FindingsApplied,
            purpose: 'reconciliation',
            outcome: 'APPLIED',
            detail: {
              applicationId,
              runId: application.runId,
              outcomes: application.outcomes,
              findingIds: application.findingIds.length,
              applied,
              skipped: application.skipped + application.stale,
              requestedBy: application.requestedBy,
              ...(application.approvalId
                ? { approvalId: application.approvalId, approvedBy: application.approvedBy }
                : {}),
              ...(application.aliveAgain?.length ? { aliveAgain: application.aliveAgain } : {}),
            },
          });
          return false;
        }
        await this.applications.recordBatch(client, applicationId, {
          applied,
          stale: application.stale + batch.stale,
          afterFindingId: batch.lastFindingId,
        });
        if (Date.now() < stopAt) return true;
        await sendApplicationJob(this.jobs, client, { applicationId }, { expireInSeconds: leaseSeconds });
        return false;
      });
      if (!more) return;
    }
  }

  /** The findings whose person the registry, asked now, does not record as dead. */
  private async aliveAgain(filter: FindingFilter): Promise<Set<string>> {
    const deaths = await this.findings.unappliedDeaths(filter);
    const ids = [...new Set(deaths.map((d) => d.citizenId).filter((id): id is string => id !== null))];
    if (ids.length === 0) return new Set();
    const answers = await this.registry.batchGetCitizens(ids);
    const dead = new Set(
      answers
        .filter((a) => a.found && a.citizen?.vitalStatus === registry.VitalStatus.VITAL_STATUS_DECEASED)
        .map((a) => a.citizenId),
    );
    return new Set(
      deaths.filter((d) => d.citizenId === null || !dead.has(d.citizenId)).map((d) => d.findingId),
    );
  }
}
