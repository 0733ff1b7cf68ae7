import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { Approval, ListApprovalsRequest, ListApprovalsResponse } from '@vss/contracts';
import { AuditAction, AuditTrail } from '@vss/audit';
import { encodePageToken, PG_POOL, withTransaction } from '@vss/platform';
import { type Caller, type OperatorRole, operatorHolds } from '@vss/security';
import { ApprovalHandlers } from '../approval-handlers';
import { toApproval } from '../approval.codecs';
import { ApprovalsRepository, type ApprovalSubjectKind } from '../approvals.repository';
import { ApprovalErrorCode, approvalError } from '../approvals.errors';
import { parseDecisionNote, parseListApprovals } from './approvals.request';

/**
 * Maker–checker: an approver, who is a named operator and not the one who asked, releases or
 * refuses what a feature held. The decision, its effect (the feature's handler) and its audit
 * entry commit together; two approvers deciding at once meet at the row lock, and the second
 * finds it decided.
 */
@Injectable()
export class ApprovalsService {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly approvals: ApprovalsRepository,
    private readonly handlers: ApprovalHandlers,
    private readonly audit: AuditTrail,
  ) {}

  async list(caller: Caller, request: ListApprovalsRequest): Promise<ListApprovalsResponse> {
    requireOperator(caller, 'approver', 'auditor', 'security-admin');
    const page = parseListApprovals(request);
    const rows = await this.approvals.list(page);
    const last = rows.at(-1);
    return {
      approvals: rows.map(toApproval),
      nextPageToken:
        rows.length === page.limit && last ? encodePageToken([last.seq], { state: page.state }) : '',
    };
  }

  async get(caller: Caller, approvalId: string): Promise<Approval> {
    requireOperator(caller, 'approver', 'auditor', 'security-admin');
    const record = await this.approvals.get(approvalId);
    if (!record) throw notFound(approvalId);
    return toApproval(record);
  }

  approve(caller: Caller, approvalId: string, note: string | undefined): Promise<Approval> {
    return this.decide(caller, approvalId, 'APPROVED', parseDecisionNote(note, false));
  }

  reject(caller: Caller, approvalId: string, note: string | undefined): Promise<Approval> {
    return this.decide(caller, approvalId, 'REJECTED', parseDecisionNote(note, true));
  }

  private async decide(
    caller: Caller,
    approvalId: string,
    state: 'APPROVED' | 'REJECTED',
    note: string | undefined,
  ): Promise<Approval> {
    // Who may call is decided by a second security administrator; the rest by approvers. One
    // who holds neither is refused before anything is read.
    const operator = requireOperator(
      caller,
      ...(operatorHolds(caller, 'security-admin')
        ? (['approver', 'security-admin'] as const)
        : (['approver'] as const)),
    );
    const decided = await withTransaction(this.pool, async (client) => {
      const found = await this.approvals.lock(client, approvalId);
      if (!found) throw notFound(approvalId);
      requireOperator(caller, ...DECIDERS[found.subjectKind]);
      if (found.state !== 'PENDING') {
        const by = (await this.approvals.loginOf(found.decidedByOperator, client)) ?? found.decidedBy;
        throw approvalError(
          ApprovalErrorCode.AlreadyDecided,
          `approval ${approvalId} was already ${found.state.toLowerCase()} by ${by} at ${found.decidedAt!.toISOString()}`,
        );
      }
      if (found.requestedByOperator === operator.operatorId) {
        throw approvalError(
          ApprovalErrorCode.OwnRequest,
          `you asked for this yourself (approval ${approvalId}); another ${found.subjectKind === 'CALLER' ? 'security administrator' : 'approver'} must decide it`,
        );
      }
      let record = await this.approvals.decide(client, approvalId, {
        state,
        decidedBy: caller.label,
        decidedByOperator: operator.operatorId,
        note,
      });
      const handler = this.handlers.of(record.subjectKind);
      if (state === 'APPROVED') {
        const outcome = await handler.approved(client, record);
        if (outcome) record = await this.approvals.setOutcome(client, approvalId, outcome);
      } else {
        await handler.rejected(client, record);
      }
      await this.audit.recordWithin(client, {
        caller,
        action: state === 'APPROVED' ? AuditAction.ApprovalGranted : AuditAction.ApprovalRefused,
        officeCode: record.officeCode ?? undefined,
        purpose: 'approval',
        outcome: state,
        detail: {
          approvalId,
          subject: record.subjectKind,
          subjectId: record.subjectId,
          hold: record.hold,
          requestedBy: record.requestedBy,
          ...(note ? { note } : {}),
          ...(record.outcome ? { outcome: record.outcome } : {}),
        },
      });
      return record;
    });
    return toApproval(decided);
  }
}

/** Who decides what each kind of approval holds. */
const DECIDERS: Record<ApprovalSubjectKind, OperatorRole[]> = {
  PROCEDURE: ['approver'],
  FINDINGS: ['approver'],
  CALLER: ['security-admin'],
};

function requireOperator(caller: Caller, ...roles: OperatorRole[]) {
  if (!caller.operator) {
    throw approvalError(
      ApprovalErrorCode.NoOperator,
      'this credential is not issued to a named operator: approvals are read and decided by people (keys issue --operator)',
    );
  }
  if (!operatorHolds(caller, ...roles)) {
    throw approvalError(
      ApprovalErrorCode.NotAnApprover,
      `operator ${caller.operator.login} does not hold the ${roles.join(' or ')} role`,
    );
  }
  return caller.operator;
}

function notFound(approvalId: string) {
  return approvalError(ApprovalErrorCode.NotFound, `no approval has the ID ${approvalId}`);
}
