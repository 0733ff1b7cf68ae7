import { Module } from '@nestjs/common';
import { AuditModule } from '@vss/audit';
import { InsuranceRecordsModule } from '@vss/insurance-records';
import { CoverageGrpcController } from './coverage.grpc.controller';
import { CoverageHttpController } from './coverage.http.controller';
import { ChangeFeedKeyRepository } from './change-feed-key.repository';
import { CoverageRecords } from './coverage.records';
import { CoverageService } from './coverage.service';
import { IdentityCheck } from './identity-check';
import { PersonService } from './person.service';

/** Health-insurance coverage lookups for clinics: gRPC CoverageService and its JSON facade. */
@Module({
  imports: [AuditModule, InsuranceRecordsModule],
  controllers: [CoverageGrpcController, CoverageHttpController],
  providers: [CoverageService, CoverageRecords, ChangeFeedKeyRepository, IdentityCheck, PersonService],
  exports: [CoverageService, PersonService],
})
export class CoverageModule {}
