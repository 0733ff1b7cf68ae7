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
import { Lookups } from '@vss/limits';
import { callerOf, Roles } from '@vss/security';
import { BATCH_LIMIT } from './coverage.request';
import { CoverageService } from './coverage.service';

/** vss.gateway.v1.CoverageService over gRPC: hands each call to the service. */
@Controller()
@CoverageServiceControllerMethods()
export class CoverageGrpcController implements CoverageServiceController {
  constructor(private readonly coverage: CoverageService) {}

  @Roles('clinic')
  @Lookups()
  lookupCoverage(request: LookupCoverageRequest, metadata: Metadata) {
    return this.coverage.lookup(callerOf(metadata), request, 'grpc');
  }

  @Roles('clinic')
  // A batch over the limit is refused by validation; it spends what the largest batch would.
  @Lookups((request) =>
    Array.isArray(request.citizenIds) ? Math.min(request.citizenIds.length, BATCH_LIMIT) : 1,
  )
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
