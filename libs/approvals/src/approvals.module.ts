import { Module } from '@nestjs/common';
import { ApprovalHandlers } from './approval-handlers';
import { ApprovalsRepository } from './approvals.repository';

/**
 * What features use to hold for a second person: the requests' repository and the registry of
 * the handlers that act on a decision. One instance per process (Nest shares an imported module).
 */
@Module({
  providers: [ApprovalsRepository, ApprovalHandlers],
  exports: [ApprovalsRepository, ApprovalHandlers],
})
export class ApprovalsModule {}
