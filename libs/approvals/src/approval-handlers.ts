import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { ApprovalRecord, ApprovalSubjectKind } from './approvals.repository';

/**
 * What a feature does when an approver decides what it held, in the decision's transaction:
 * the procedure runs on or ends, the findings are applied or not. A feature registers its
 * handler at start (the approvals lib imports no feature).
 */
export interface ApprovalHandler {
  /** Answers what it did, in words, when there is more to say than "released". */
  approved(client: PoolClient, approval: ApprovalRecord): Promise<string | void>;
  rejected(client: PoolClient, approval: ApprovalRecord): Promise<void>;
}

@Injectable()
export class ApprovalHandlers {
  private readonly handlers = new Map<ApprovalSubjectKind, ApprovalHandler>();

  register(kind: ApprovalSubjectKind, handler: ApprovalHandler): void {
    if (this.handlers.has(kind)) throw new Error(`a handler of ${kind} approvals is already registered`);
    this.handlers.set(kind, handler);
  }

  of(kind: ApprovalSubjectKind): ApprovalHandler {
    const handler = this.handlers.get(kind);
    if (!handler) throw new Error(`no handler of ${kind} approvals is registered in this process`);
    return handler;
  }
}
