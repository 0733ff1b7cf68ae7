import { type DynamicModule, Global, Module } from '@nestjs/common';
import {
  APP_CONFIG,
  AUDIT_TRAIL,
  CHANGE_HUB,
  Clock,
  JOB_QUEUE,
  LOGGER,
  LOOKUP_POOL,
  PG_POOL,
  WATCH_POOL,
} from '@vss/platform';
import { RegistryClient } from '@vss/registry-client';
import type { Infrastructure } from './infrastructure';

/**
 * The shared infrastructure as Nest providers, for every module of either app: the `pg`
 * pools, the job queue, the registry client, the change hub, the logger, the clock and the
 * app's configuration (under APP_CONFIG), and the audit trail under AUDIT_TRAIL for AuditModule.
 * Global because it is plumbing every module stands on; the features' own modules are imported
 * by those that use them.
 */
@Global()
@Module({})
export class CoreModule {
  static forRoot(infrastructure: Infrastructure, config: object): DynamicModule {
    const providers = [
      { provide: APP_CONFIG, useValue: config },
      { provide: PG_POOL, useValue: infrastructure.pool },
      { provide: LOOKUP_POOL, useValue: infrastructure.pools.lookups },
      { provide: WATCH_POOL, useValue: infrastructure.pools.watches },
      { provide: CHANGE_HUB, useValue: infrastructure.changes },
      { provide: JOB_QUEUE, useValue: infrastructure.jobs },
      { provide: RegistryClient, useValue: infrastructure.registry },
      { provide: AUDIT_TRAIL, useValue: infrastructure.audit },
      { provide: LOGGER, useValue: infrastructure.logger },
      { provide: Clock, useValue: infrastructure.clock },
    ];
    return { module: CoreModule, providers, exports: providers.map((p) => p.provide) };
  }
}
