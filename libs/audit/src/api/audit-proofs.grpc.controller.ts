import { Controller } from '@nestjs/common';
import {
  type AuditServiceController,
  AuditServiceControllerMethods,
  type GetAuditProofRequest,
  type GetAuditProofResponse,
} from '@vss/contracts';
import { CheckedBy } from '@vss/platform';
import { Roles } from '@vss/security';
import { checkProofRequest, parseProofRequest } from './audit-proofs.request';
import { AuditProofsService } from './audit-proofs.service';

/** vss.gateway.v1.AuditService: hands each call to the service. */
@Controller()
@AuditServiceControllerMethods()
export class AuditProofsGrpcController implements AuditServiceController {
  constructor(private readonly proofs: AuditProofsService) {}

  @Roles('clinic', 'civil-registry', 'admin')
  @CheckedBy(checkProofRequest)
  getAuditProof(request: GetAuditProofRequest): Promise<GetAuditProofResponse> {
    return this.proofs.proof(parseProofRequest(request));
  }
}
