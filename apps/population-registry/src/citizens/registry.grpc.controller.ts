import { Controller } from '@nestjs/common';
import type { ServerWritableStream } from '@grpc/grpc-js';
import { registry } from '@vss/contracts';
import { sendPaced } from '@vss/platform';
import { Observable } from 'rxjs';
import { CivilStatusService } from '../civil-status/civil-status.service';
import { PeerRightNeeded } from '../peers/peer-auth.guard';
import { CitizensService } from './citizens.service';

@Controller()
@registry.PopulationRegistryControllerMethods()
export class RegistryGrpcController implements registry.PopulationRegistryController {
  constructor(
    private readonly citizens: CitizensService,
    private readonly civilStatus: CivilStatusService,
  ) {}

  @PeerRightNeeded('read')
  async getCitizen(req: registry.GetCitizenRequest): Promise<registry.GetCitizenResponse> {
    return { citizen: await this.citizens.get(req.citizenId) };
  }

  @PeerRightNeeded('read')
  async batchGetCitizens(req: registry.BatchGetCitizensRequest): Promise<registry.BatchGetCitizensResponse> {
    return { results: await this.citizens.batchGet(req.citizenIds) };
  }

  @PeerRightNeeded('read')
  resolveLegacyId(req: registry.ResolveLegacyIdRequest): Promise<registry.ResolveLegacyIdResponse> {
    return this.citizens.resolveLegacyId(req.legacyId);
  }

  /** Paced by the client (sendPaced): the database is read only as fast as the stream is drained. */
  @PeerRightNeeded('export')
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

  @PeerRightNeeded('search')
  searchCitizens(req: registry.SearchCitizensRequest): Promise<registry.SearchCitizensResponse> {
    return this.citizens.search(req);
  }

  @PeerRightNeeded('file')
  registerBirth(req: registry.RegisterBirthRequest): Promise<registry.RegisterBirthResponse> {
    return this.civilStatus.registerBirth(req);
  }

  @PeerRightNeeded('file')
  recordDeath(req: registry.RecordDeathRequest): Promise<registry.RecordDeathResponse> {
    return this.civilStatus.recordDeath(req);
  }

  @PeerRightNeeded('file')
  registerPermanentResidence(
    req: registry.RegisterPermanentResidenceRequest,
  ): Promise<registry.RegisterPermanentResidenceResponse> {
    return this.civilStatus.registerResidence(req);
  }

  @PeerRightNeeded('file')
  cancelPermanentResidence(
    req: registry.CancelPermanentResidenceRequest,
  ): Promise<registry.CancelPermanentResidenceResponse> {
    return this.civilStatus.cancelResidence(req);
  }

  @PeerRightNeeded('file')
  revokeDeath(req: registry.RevokeDeathRequest): Promise<registry.RevokeDeathResponse> {
    return this.civilStatus.revokeDeath(req);
  }

  @PeerRightNeeded('file')
  correctDeath(req: registry.CorrectDeathRequest): Promise<registry.CorrectDeathResponse> {
    return this.civilStatus.correctDeath(req);
  }

  @PeerRightNeeded('file')
  correctBirth(req: registry.CorrectBirthRequest): Promise<registry.CorrectBirthResponse> {
    return this.civilStatus.correctBirth(req);
  }

  @PeerRightNeeded('file')
  restorePermanentResidence(
    req: registry.RestorePermanentResidenceRequest,
  ): Promise<registry.RestorePermanentResidenceResponse> {
    return this.civilStatus.restoreResidence(req);
  }
}
