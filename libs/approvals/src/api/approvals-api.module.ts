import { Module } from '@nestjs/common';
import { AuditModule } from '@vss/audit';
import { ApprovalsModule } from '../approvals.module';
import { ApprovalsGrpcController } from './approvals.grpc.controller';
import { ApprovalsService } from './approvals.service';

/** The gateway's ApprovalService: approvers list, read and decide what features held. */
@Module({
  imports: [ApprovalsModule, AuditModule],
  controllers: [ApprovalsGrpcController],
  providers: [ApprovalsService],
  exports: [ApprovalsService],
})
export class ApprovalsApiModule {}
