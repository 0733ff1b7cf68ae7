import { Controller } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import {
  type ApprovalServiceController,
  ApprovalServiceControllerMethods,
  type ApproveRequest,
  type ApproveResponse,
  type GetApprovalRequest,
  type GetApprovalResponse,
  type ListApprovalsRequest,
  type ListApprovalsResponse,
  type RejectRequest,
  type RejectResponse,
} from '@vss/contracts';
import { CheckedBy } from '@vss/platform';
import { callerOf, Roles } from '@vss/security';
import {
  checkApprovalRequest,
  checkApproveRequest,
  checkRejectRequest,
  parseListApprovals,
} from './approvals.request';
import { ApprovalsService } from './approvals.service';

/** vss.gateway.v1.ApprovalService: hands each call to the service. */
@Controller()
@ApprovalServiceControllerMethods()
export class ApprovalsGrpcController implements ApprovalServiceController {
  constructor(private readonly approvals: ApprovalsService) {}

  @Roles('admin')
  @CheckedBy(parseListApprovals)
  listApprovals(request: ListApprovalsRequest, metadata: Metadata): Promise<ListApprovalsResponse> {
    return this.approvals.list(callerOf(metadata), request);
  }

  @Roles('admin')
  @CheckedBy(checkApprovalRequest)
  async getApproval(request: GetApprovalRequest, metadata: Metadata): Promise<GetApprovalResponse> {
    return { approval: await this.approvals.get(callerOf(metadata), request.approvalId) };
  }

  @Roles('admin')
  @CheckedBy(checkApproveRequest)
  async approve(request: ApproveRequest, metadata: Metadata): Promise<ApproveResponse> {
    return { approval: await this.approvals.approve(callerOf(metadata), request.approvalId, request.note) };
  }

  @Roles('admin')
  @CheckedBy(checkRejectRequest)
  async reject(request: RejectRequest, metadata: Metadata): Promise<RejectResponse> {
    return { approval: await this.approvals.reject(callerOf(metadata), request.approvalId, request.note) };
  }
}
