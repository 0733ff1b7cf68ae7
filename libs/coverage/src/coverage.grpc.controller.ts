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
import { CheckedBy } from '@vss/platform';
import { callerOf, Roles } from '@vss/security';
import { parseBatchRequest, parseListRequest, parseLookupRequest } from './coverage.request';
import { CoverageService } from './coverage.service';

/** vss.gateway.v1.CoverageService over gRPC: hands each call to the service. */
@Controller()
@CoverageServiceControllerMethods()
export class CoverageGrpcController implements CoverageServiceController {
  constructor(private readonly coverage: CoverageService) {}

  @Roles('clinic')
  @CheckedBy(parseLookupRequest)
  @Lookups()
  lookupCoverage(request: LookupCoverageRequest, metadata: Metadata) {
    return this.coverage.lookup(callerOf(metadata), request, 'grpc');
  }

  @Roles('clinic')
  @CheckedBy(parseBatchRequest)
  // Checked first: a batch that reaches the limits holds 1 to BATCH_LIMIT IDs.
  @Lookups((request) => (request.citizenIds as unknown[]).length)
  batchLookupCoverage(request: BatchLookupCoverageRequest, metadata: Metadata) {
    return this.coverage.batchLookup(callerOf(metadata), request, 'grpc');
  }

  @Roles('admin')
  @CheckedBy(parseListRequest)
  listCoverageLookups(request: ListCoverageLookupsRequest, metadata: Metadata) {
    return this.coverage.listLookups(callerOf(metadata), request);
  }

  @Roles('admin')
  @CheckedBy(parseListRequest)
  listAccessHistory(request: ListAccessHistoryRequest, metadata: Metadata) {
    return this.coverage.listAccessHistory(callerOf(metadata), request);
  }
}
