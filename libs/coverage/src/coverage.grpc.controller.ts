import { Controller } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import {
  type BatchLookupCoverageRequest,
  type CoverageServiceController,
  CoverageServiceControllerMethods,
  type ListAccessHistoryRequest,
  ListCoverageLookupsRequest,
  type LookupCoverageRequest,
} from '@vss/contracts';
import { callerOf, Roles } from '@vss/security';
import { CoverageService } from './coverage.service';

/** vss.gateway.v1.CoverageService over gRPC: hands each call to the service. */
@Controller()
@CoverageServiceControllerMethods()
export class CoverageGrpcController implements CoverageServiceController {
  constructor(private readonly coverage: CoverageService) {}

  @Roles('clinic')
  lookupCoverage(request: LookupCoverageRequest, metadata: Metadata) {
    return this.coverage.lookup(callerOf(metadata), request, 'grpc');
  }

  @Roles('clinic')
  batchLookupCoverage(request: BatchLookupCoverageRequest, metadata: Metadata) {
    return this.coverage.batchLookup(callerOf(metadata), request, 'grpc');
  }

  @Roles('admin')
  listCoverageLookups(request: ListCoverageLookupsRequest, metadata: Metadata) {
    return this.coverage.listLookups(callerOf(metadata), request);
  }

  @Roles('admin')
  listAccessHistory(request: ListAccessHistoryRequest, metadata: Metadata) {
    return this.coverage.listAccessHistory(callerOf(metadata), request);
  }
}
