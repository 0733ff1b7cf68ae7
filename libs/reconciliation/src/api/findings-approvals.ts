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
import { registry } from '@vss/contracts';
import type { ReconciliationOutcome } from '@vss/domain/reconciliation';
import { PG_POOL, withTransaction } from '@vss/platform';
import { RegistryClient } from '@vss/registry-client';
import type { Caller } from '@vss/security';
import { type FindingFilter, FindingsRepository } from '../findings.repository';
import type { ApplyQuery } from '../reconciliation.request';
import { FindingsApplier } from './findings-applier';

const APPLY_BATCH = 200;

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
 * never approve it); on approval, in the decision's transaction, each DECEASED_BUT_ACTIVE person
 * is checked with the population registry again (one no longer recorded as dead is not applied,
 * and the outcome says so) and the findings are applied, their audit entries naming the
 * requester and the approver. On refusal nothing is applied.
 */
@Injectable()
export class FindingsApprovals implements ApprovalHandler, OnModuleInit {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly handlers: ApprovalHandlers,
    private readonly approvals: ApprovalsRepository,
    private readonly findings: FindingsRepository,
    private readonly applier: FindingsApplier,
    private readonly registry: RegistryClient,
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

  async approved(client: PoolClient, approval: ApprovalRecord): Promise<string> {
    const held = approval.detail as unknown as HeldApplication;
    const filter: FindingFilter = {
      runId: held.runId,
      outcomes: held.outcomes,
      provinceCode: null,
      findingIds: held.findingIds,
    };
    const alive = await this.aliveAgain(client, filter);
    const requester = { id: held.callerId, label: approval.requestedBy, role: 'admin' as const };
    const marks = { approval: { approvalId: approval.approvalId, approvedBy: approval.decidedBy! }, alive };
    const applied: Partial<Record<ReconciliationOutcome, number>> = {};
    let stale = 0;
    let after = '0';
    for (;;) {
      const batch = await this.applier.applyBatchWithin(client, filter, after, APPLY_BATCH, requester, marks);
      stale += batch.stale;
      for (const [outcome, n] of Object.entries(batch.applied)) {
        applied[outcome as ReconciliationOutcome] = (applied[outcome as ReconciliationOutcome] ?? 0) + n;
      }
      if (batch.lastFindingId === null) break;
      after = batch.lastFindingId;
    }
    await this.audit.recordWithin(client, {
      caller: requester,
      action: AuditAction.FindingsApplied,
      purpose: 'reconciliation',
      outcome: 'APPLIED',
      detail: {
        runId: held.runId,
        outcomes: held.outcomes,
        applied,
        skipped: stale,
        aliveAgain: [...alive],
        approvalId: approval.approvalId,
        approvedBy: approval.decidedBy,
      },
    });
    const parts = Object.entries(applied).map(([outcome, n]) => `applied ${n} ${outcome}`);
    if (parts.length === 0) parts.push('applied none');
    if (stale > 0) parts.push(`${stale} no longer true of the record`);
    if (alive.size > 0) {
      parts.push(`${alive.size} not applied: the population registry no longer records the person as dead`);
    }
    return parts.join('; ');
  }

  async rejected(): Promise<void> {
    // Nothing was applied while it waited; nothing is.
  }

  /** The findings whose person the registry, asked now, does not record as dead. */
  private async aliveAgain(client: PoolClient, filter: FindingFilter): Promise<Set<string>> {
    const deaths = await this.findings.unappliedDeaths(filter, client);
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
