import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { type ApprovalHandler, ApprovalHandlers, type ApprovalRecord } from '@vss/approvals';
import { PROCEDURE_HOLDS, type ProcedureHold } from '@vss/domain/linked-procedures';
import { APP_CONFIG, type GatewayConfig } from '@vss/platform';
import { CivilEventErrorCode, civilEventError } from '../civil-events.errors';
import { ProceduresRepository } from '../procedures.repository';

/**
 * What an approver's decision does to a held procedure, in the decision's transaction: released,
 * the held step runs again past its hold; refused, the procedure ends REJECTED with the note.
 * A procedure no longer awaiting approval (an administrator resolved it) refuses the decision.
 */
@Injectable()
export class ProcedureApprovals implements ApprovalHandler, OnModuleInit {
  constructor(
    private readonly handlers: ApprovalHandlers,
    private readonly procedures: ProceduresRepository,
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
  ) {}

  onModuleInit(): void {
    this.handlers.register('PROCEDURE', this);
  }

  async approved(client: PoolClient, approval: ApprovalRecord): Promise<void> {
    const hold = approval.hold as ProcedureHold;
    if (!PROCEDURE_HOLDS.includes(hold)) throw new Error(`approval ${approval.approvalId} holds ${hold}`);
    const released = await this.procedures.release(
      client,
      approval.subjectId,
      hold,
      this.config.JOB_EXPIRE_SECONDS,
    );
    if (!released) throw notAwaiting(approval);
  }

  async rejected(client: PoolClient, approval: ApprovalRecord): Promise<void> {
    const note = `rejected by an approver on ${approval.decidedAt!.toISOString().slice(0, 10)}: ${approval.note}`;
    if (!(await this.procedures.reject(client, approval.subjectId, note))) throw notAwaiting(approval);
  }
}

function notAwaiting(approval: ApprovalRecord) {
  return civilEventError(
    CivilEventErrorCode.ProcedureNotAwaitingApproval,
    `procedure ${approval.subjectId} is no longer awaiting approval ${approval.approvalId}; nothing was decided`,
  );
}
