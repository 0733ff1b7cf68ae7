import { Module } from '@nestjs/common';
import { AuditProofsGrpcController } from './audit-proofs.grpc.controller';
import { AuditProofsRepository } from './audit-proofs.repository';
import { AuditProofsService } from './audit-proofs.service';

/** The gateway's AuditService: proofs of receipts against signed tree heads. */
@Module({
  controllers: [AuditProofsGrpcController],
  providers: [AuditProofsService, AuditProofsRepository],
})
export class AuditApiModule {}
