import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import {
  type ApprovalHandler,
  ApprovalHandlers,
  type ApprovalRecord,
  ApprovalsRepository,
} from '@vss/approvals';
import { AuditAction, AuditTrail } from '@vss/audit';
import type { ReconciliationOutcome } from '@vss/domain/reconciliation';
import { PG_POOL, withTransaction } from '@vss/platform';
import type { Caller } from '@vss/security';
import { type FindingFilter, FindingsRepository } from '../findings.repository';
import type { ApplyQuery } from '../reconciliation.request';
import { ApplicationQueue } from './application-queue';

/** What an application held for approval asks: kept on the request, applied on approval. */
interface HeldApplication {
  runId: string;
  outcomes: ReconciliationOutcome[];
  findingIds: string[];
  /** The requester, as the audit trail names them. */
  callerId: string;
}

/**
 * ApplyFindings held for a second person. The request names the operator who asked (who can
 * never approve it); on approval, in the decision's transaction, the application is queued for
 * the worker, which checks each DECEASED_BUT_ACTIVE person with the population registry again
 * (one no longer recorded as dead is not applied, and its application says so) and applies the
 * findings, their audit entries naming the requester and the approver. On refusal nothing is
 * applied.
 */
@Injectable()
export class FindingsApprovals implements ApprovalHandler, OnModuleInit {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly handlers: ApprovalHandlers,
    private readonly approvals: ApprovalsRepository,
    private readonly findings: FindingsRepository,
    private readonly applications: ApplicationQueue,
    private readonly audit: AuditTrail,
  ) {}

  onModuleInit(): void {
    this.handlers.register('FINDINGS', this);
  }

  /** The approval request of an application (the same application asked again finds its request). */
  request(caller: Caller, query: ApplyQuery, reasons: string[]): Promise<ApprovalRecord> {
    const held: HeldApplication = { ...query, callerId: caller.id };
    const digest = createHash('sha256')
      .update(JSON.stringify([query.outcomes.slice().sort(), query.findingIds.slice().sort()]))
      .digest('hex')
      .slice(0, 16);
    return withTransaction(this.pool, async (client) => {
      const approval = await this.approvals.request(client, {
        subjectKind: 'FINDINGS',
        subjectId: `${query.runId}:${digest}`,
        hold: query.outcomes.includes('DECEASED_BUT_ACTIVE') ? 'DECEASED_BUT_ACTIVE' : 'FINDINGS_OVER_LIMIT',
        reason: `ApplyFindings of run ${query.runId} (${query.outcomes.join(', ')}): ${reasons.join('; ')}`,
        detail: { ...held },
        requestedBy: caller.label,
        requestedByOperator: caller.operator?.operatorId,
      });
      await this.audit.recordWithin(client, {
        caller,
        action: AuditAction.ApprovalRequested,
        purpose: 'reconciliation',
        outcome: approval.hold,
        detail: { approvalId: approval.approvalId, runId: query.runId, outcomes: query.outcomes },
      });
      return approval;
    });
  }

  /**
   * Queues the application for the worker in the decision's transaction: it exists exactly when
   * the approval does. The worker asks the registry again about each death before applying it.
   */
  async approved(client: PoolClient, approval: ApprovalRecord): Promise<string> {
    const held = approval.detail as unknown as HeldApplication;
    const filter: FindingFilter = {
      runId: held.runId,
      outcomes: held.outcomes,
      provinceCode: null,
      findingIds: held.findingIds,
    };
    const count = await this.findings.countUnapplied(filter);
    const applicationId = await this.applications.queueWithin(client, {
      runId: held.runId,
      outcomes: held.outcomes,
      findingIds: held.findingIds,
      requestedById: held.callerId,
      requestedBy: approval.requestedBy,
      skipped: await this.findings.countApplied(filter),
      approval: { approvalId: approval.approvalId, approvedBy: approval.decidedBy! },
    });
    const deaths = held.outcomes.includes('DECEASED_BUT_ACTIVE')
      ? '; each death is checked with the population registry again first'
      : '';
    return `queued for the worker: application ${applicationId} applies ${count} finding(s)${deaths}`;
  }

  async rejected(): Promise<void> {
    // Nothing was applied while it waited; nothing is.
  }
}
