import { Controller } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import type { Observable } from 'rxjs';
import {
  type CivilEventServiceController,
  CivilEventServiceControllerMethods,
  type GetProcedureRequest,
  type GetProcedureResponse,
  type ListProceduresRequest,
  type ListProceduresResponse,
  type CorrectRegistrationRequest,
  type CorrectRegistrationResponse,
  type RevokeRegistrationRequest,
  type RevokeRegistrationResponse,
  type ResolveProcedureRequest,
  type ResolveProcedureResponse,
  type RetryProcedureRequest,
  type RetryProcedureResponse,
  type SubmitBirthRegistrationRequest,
  type SubmitBirthRegistrationResponse,
  type SubmitDeathRegistrationRequest,
  type SubmitDeathRegistrationResponse,
  type WatchProcedureRequest,
  type WatchProcedureResponse,
} from '@vss/contracts';
import { SpendsDailyQuota } from '@vss/limits';
import { CheckedBy } from '@vss/platform';
import { callerOf, Roles } from '@vss/security';
import { checkBirthRequest, checkDeathRequest } from './civil-events.validation';
import { checkCorrectRequest, checkRevokeRequest } from './amendments.validation';
import { AmendmentsService } from './amendments.service';
import { checkProcedureRequest, checkResolveRequest, parseListProcedures } from './procedures.request';
import { CivilEventsService } from './civil-events.service';
import { ProceduresService } from './procedures.service';

/** vss.gateway.v1.CivilEventService: hands each call to a service. */
@Controller()
@CivilEventServiceControllerMethods()
export class CivilEventsGrpcController implements CivilEventServiceController {
  constructor(
    private readonly events: CivilEventsService,
    private readonly procedures: ProceduresService,
    private readonly amendments: AmendmentsService,
  ) {}

  @Roles('civil-registry')
  @CheckedBy(checkRevokeRequest)
  @SpendsDailyQuota()
  revokeRegistration(
    request: RevokeRegistrationRequest,
    metadata: Metadata,
  ): Promise<RevokeRegistrationResponse> {
    return this.amendments.revoke(callerOf(metadata), request);
  }

  @Roles('civil-registry')
  @CheckedBy(checkCorrectRequest)
  @SpendsDailyQuota()
  correctRegistration(
    request: CorrectRegistrationRequest,
    metadata: Metadata,
  ): Promise<CorrectRegistrationResponse> {
    return this.amendments.correct(callerOf(metadata), request);
  }

  @Roles('civil-registry')
  @CheckedBy(checkBirthRequest)
  @SpendsDailyQuota()
  submitBirthRegistration(
    request: SubmitBirthRegistrationRequest,
    metadata: Metadata,
  ): Promise<SubmitBirthRegistrationResponse> {
    return this.events.submitBirth(callerOf(metadata), request);
  }

  @Roles('civil-registry')
  @CheckedBy(checkDeathRequest)
  @SpendsDailyQuota()
  submitDeathRegistration(
    request: SubmitDeathRegistrationRequest,
    metadata: Metadata,
  ): Promise<SubmitDeathRegistrationResponse> {
    return this.events.submitDeath(callerOf(metadata), request);
  }

  @Roles('civil-registry', 'admin')
  @CheckedBy(checkProcedureRequest)
  async getProcedure(request: GetProcedureRequest, metadata: Metadata): Promise<GetProcedureResponse> {
    return { procedure: await this.procedures.get(callerOf(metadata), request.procedureId) };
  }

  @Roles('civil-registry', 'admin')
  @CheckedBy(checkProcedureRequest)
  watchProcedure(request: WatchProcedureRequest, metadata: Metadata): Observable<WatchProcedureResponse> {
    return this.procedures.watch(callerOf(metadata), request.procedureId);
  }

  @Roles('admin')
  @CheckedBy(parseListProcedures)
  listProcedures(request: ListProceduresRequest, metadata: Metadata): Promise<ListProceduresResponse> {
    return this.procedures.list(callerOf(metadata), request);
  }

  @Roles('admin')
  @CheckedBy(checkProcedureRequest)
  async retryProcedure(request: RetryProcedureRequest, metadata: Metadata): Promise<RetryProcedureResponse> {
    return { procedure: await this.procedures.retry(callerOf(metadata), request.procedureId) };
  }

  @Roles('admin')
  @CheckedBy(checkResolveRequest)
  async resolveProcedure(
    request: ResolveProcedureRequest,
    metadata: Metadata,
  ): Promise<ResolveProcedureResponse> {
    return {
      procedure: await this.procedures.resolve(callerOf(metadata), request.procedureId, request.note),
    };
  }
}
