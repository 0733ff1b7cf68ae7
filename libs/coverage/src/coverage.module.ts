import { Module } from '@nestjs/common';
import { CoverageGrpcController } from './coverage.grpc.controller';
import { CoverageHttpController } from './coverage.http.controller';
import { CoverageRecords } from './coverage.records';
import { AccessHistoryRepository } from '@vss/audit';
import { CoverageService } from './coverage.service';
import { IdentityCheck } from './identity-check';

/** Health-insurance coverage lookups for clinics: gRPC CoverageService and its JSON facade. */
@Module({
  controllers: [CoverageGrpcController, CoverageHttpController],
  providers: [CoverageService, AccessHistoryRepository, CoverageRecords, IdentityCheck],
})
export class CoverageModule {}
