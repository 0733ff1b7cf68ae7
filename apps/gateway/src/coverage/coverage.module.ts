import { Module } from '@nestjs/common';
import { CoverageGrpcController } from './coverage.grpc.controller';
import { CoverageHttpController } from './coverage.http.controller';
import { CoverageRecords } from './coverage.records';
import { CoverageRepository } from './coverage.repository';
import { CoverageService } from './coverage.service';
import { IdentityCheck } from './identity-check';

/** Health-insurance coverage lookups for clinics: gRPC CoverageService and its JSON facade. */
@Module({
  controllers: [CoverageGrpcController, CoverageHttpController],
  providers: [CoverageService, CoverageRepository, CoverageRecords, IdentityCheck],
})
export class CoverageModule {}
