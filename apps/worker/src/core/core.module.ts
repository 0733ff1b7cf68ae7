import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { Clock, type PgBoss, type WorkerConfig } from '@vss/platform';
import { RegistryClient } from '@vss/registry-client';
import { AuditTrail } from '@vss/security';
import { JOB_QUEUE, LOGGER, PG_POOL, WORKER_CONFIG } from './tokens';

export interface WorkerDeps {
  config: WorkerConfig & { DATABASE_URL: string };
  pool: Pool;
  dataSource: DataSource;
  jobs: PgBoss;
  registry: RegistryClient;
  audit: AuditTrail;
  logger: Logger;
  clock: Clock;
}

/** The worker's shared infrastructure, built once at boot. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(deps: WorkerDeps): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: WORKER_CONFIG, useValue: deps.config },
        { provide: PG_POOL, useValue: deps.pool },
        { provide: 'DataSource', useValue: deps.dataSource },
        { provide: JOB_QUEUE, useValue: deps.jobs },
        { provide: RegistryClient, useValue: deps.registry },
        { provide: AuditTrail, useValue: deps.audit },
        { provide: LOGGER, useValue: deps.logger },
        { provide: Clock, useValue: deps.clock },
      ],
      exports: [WORKER_CONFIG, PG_POOL, 'DataSource', JOB_QUEUE, RegistryClient, AuditTrail, LOGGER, Clock],
    };
  }
}
