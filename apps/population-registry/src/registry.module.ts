import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { Clock, AppErrorFilter, UndecodableRequestGuard } from '@vss/platform';
import { CitizensRepository, REGISTRY_POOL } from './citizens/citizens.repository';
import { CitizensService } from './citizens/citizens.service';
import { RegistryGrpcController } from './citizens/registry.grpc.controller';
import { CivilStatusService } from './civil-status/civil-status.service';
import { RequestsRepository } from './civil-status/requests.repository';
import { FaultInjectionInterceptor, FaultInjector } from './faults/fault-injection';
import { PeerAuthGuard, REGISTRY_PEERS } from './peers/peer-auth.guard';
import type { RegistryPeers } from './peers/registry-peers';

export interface RegistryDeps {
  pool: Pool;
  faults: FaultInjector;
  /** The registered peers; undefined when serving plaintext (development). */
  peers: RegistryPeers | undefined;
  logger: Logger;
  clock?: Clock;
}

@Module({})
export class RegistryModule {
  static forRoot(deps: RegistryDeps): DynamicModule {
    return {
      module: RegistryModule,
      controllers: [RegistryGrpcController],
      providers: [
        { provide: REGISTRY_POOL, useValue: deps.pool },
        { provide: FaultInjector, useValue: deps.faults },
        { provide: REGISTRY_PEERS, useValue: deps.peers },
        { provide: Clock, useValue: deps.clock ?? new Clock() },
        { provide: APP_GUARD, useClass: UndecodableRequestGuard },
        { provide: APP_GUARD, useClass: PeerAuthGuard },
        { provide: APP_INTERCEPTOR, useClass: FaultInjectionInterceptor },
        { provide: APP_FILTER, useValue: new AppErrorFilter(deps.logger) },
        CitizensRepository,
        CitizensService,
        RequestsRepository,
        CivilStatusService,
      ],
    };
  }
}
