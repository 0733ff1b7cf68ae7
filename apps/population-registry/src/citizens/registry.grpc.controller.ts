import { Controller } from '@nestjs/common';
import type { ServerWritableStream } from '@grpc/grpc-js';
import { registry } from '@vss/contracts';
import { sendPaced } from '@vss/platform';
import { Observable } from 'rxjs';
import { CivilStatusService } from '../civil-status/civil-status.service';
import { CitizensService } from './citizens.service';

@Controller()
@registry.PopulationRegistryControllerMethods()
export class RegistryGrpcController implements registry.PopulationRegistryController {
  constructor(
    private readonly citizens: CitizensService,
    private readonly civilStatus: CivilStatusService,
  ) {}

  async getCitizen(req: registry.GetCitizenRequest): Promise<registry.GetCitizenResponse> {
    return { citizen: await this.citizens.get(req.citizenId) };
  }

  async batchGetCitizens(req: registry.BatchGetCitizensRequest): Promise<registry.BatchGetCitizensResponse> {
    return { results: await this.citizens.batchGet(req.citizenIds) };
  }

  resolveLegacyId(req: registry.ResolveLegacyIdRequest): Promise<registry.ResolveLegacyIdResponse> {
    return this.citizens.resolveLegacyId(req.legacyId);
  }

  /** Paced by the client (sendPaced): the database is read only as fast as the stream is drained. */
  exportCitizens(
    req: registry.ExportCitizensRequest,
    _metadata?: unknown,
    call?: ServerWritableStream<unknown, registry.ExportCitizensResponse>,
  ): Observable<registry.ExportCitizensResponse> {
    return new Observable((subscriber) => {
      const pages = this.citizens.export(req);
      let cancelled = false;
      call?.on('cancelled', () => (cancelled = true));
      (async () => {
        for await (const page of pages) {
          if (cancelled) break;
          await sendPaced(subscriber, call, page);
        }
        subscriber.complete();
      })().catch((error) => subscriber.error(error));
    });
  }

  searchCitizens(req: registry.SearchCitizensRequest): Promise<registry.SearchCitizensResponse> {
    return this.citizens.search(req);
  }

  registerBirth(req: registry.RegisterBirthRequest): Promise<registry.RegisterBirthResponse> {
    return this.civilStatus.registerBirth(req);
  }

  recordDeath(req: registry.RecordDeathRequest): Promise<registry.RecordDeathResponse> {
    return this.civilStatus.recordDeath(req);
  }

  registerPermanentResidence(
    req: registry.RegisterPermanentResidenceRequest,
  ): Promise<registry.RegisterPermanentResidenceResponse> {
    return this.civilStatus.registerResidence(req);
  }

  cancelPermanentResidence(
    req: registry.CancelPermanentResidenceRequest,
  ): Promise<registry.CancelPermanentResidenceResponse> {
    return this.civilStatus.cancelResidence(req);
  }

  revokeDeath(req: registry.RevokeDeathRequest): Promise<registry.RevokeDeathResponse> {
    return this.civilStatus.revokeDeath(req);
  }

  correctDeath(req: registry.CorrectDeathRequest): Promise<registry.CorrectDeathResponse> {
    return this.civilStatus.correctDeath(req);
  }

  correctBirth(req: registry.CorrectBirthRequest): Promise<registry.CorrectBirthResponse> {
    return this.civilStatus.correctBirth(req);
  }

  restorePermanentResidence(
    req: registry.RestorePermanentResidenceRequest,
  ): Promise<registry.RestorePermanentResidenceResponse> {
    return this.civilStatus.restoreResidence(req);
  }
}
