import { Controller } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import type { Observable } from 'rxjs';
import {
  type ApplyFindingsRequest,
  type ApplyFindingsResponse,
  type CancelRunRequest,
  type CancelRunResponse,
  type FindCandidatesRequest,
  type FindCandidatesResponse,
  type GetRunRequest,
  type GetRunResponse,
  type ListFindingsRequest,
  type ListFindingsResponse,
  type ListRunsRequest,
  type ListRunsResponse,
  type ReconciliationServiceController,
  ReconciliationServiceControllerMethods,
  type StartRunRequest,
  type StartRunResponse,
  type WatchRunRequest,
  type WatchRunResponse,
} from '@vss/contracts';
import { SpendsDailyQuota } from '@vss/limits';
import { CheckedBy, type WritableCall } from '@vss/platform';
import { callerOf, Roles } from '@vss/security';
import { CandidateSearch, checkCandidatesRequest } from './candidate-search';
import { FindingsService } from './findings.service';
import {
  checkRunRequest,
  checkStartRun,
  parseApplyQuery,
  parseFindingsQuery,
  parseListRuns,
} from '../reconciliation.request';
import { RunsService } from './runs.service';

/** vss.gateway.v1.ReconciliationService: administrators only; hands each call to a service. */
@Controller()
@ReconciliationServiceControllerMethods()
@Roles('admin')
export class ReconciliationGrpcController implements ReconciliationServiceController {
  constructor(
    private readonly runs: RunsService,
    private readonly findings: FindingsService,
    private readonly candidates: CandidateSearch,
  ) {}

  @CheckedBy(checkStartRun)
  async startRun(request: StartRunRequest, metadata: Metadata): Promise<StartRunResponse> {
    return { run: await this.runs.start(callerOf(metadata), request) };
  }

  @CheckedBy(checkRunRequest)
  async getRun(request: GetRunRequest): Promise<GetRunResponse> {
    return { run: await this.runs.get(request.runId) };
  }

  @CheckedBy(parseListRuns)
  listRuns(request: ListRunsRequest): Promise<ListRunsResponse> {
    return this.runs.list(request);
  }

  @CheckedBy(checkRunRequest)
  async cancelRun(request: CancelRunRequest, metadata: Metadata): Promise<CancelRunResponse> {
    return { run: await this.runs.cancel(callerOf(metadata), request.runId) };
  }

  @CheckedBy(checkRunRequest)
  watchRun(request: WatchRunRequest): Observable<WatchRunResponse> {
    return this.runs.watch(request.runId);
  }

  @CheckedBy(parseFindingsQuery)
  listFindings(
    request: ListFindingsRequest,
    metadata: Metadata,
    call?: WritableCall<ListFindingsResponse>,
  ): Observable<ListFindingsResponse> {
    return this.findings.list(callerOf(metadata), request, call);
  }

  @CheckedBy(parseApplyQuery)
  applyFindings(request: ApplyFindingsRequest, metadata: Metadata): Promise<ApplyFindingsResponse> {
    return this.findings.apply(callerOf(metadata), request);
  }

  @CheckedBy(checkCandidatesRequest)
  @SpendsDailyQuota()
  findCandidates(request: FindCandidatesRequest, metadata: Metadata): Promise<FindCandidatesResponse> {
    return this.candidates.find(callerOf(metadata), request);
  }
}
