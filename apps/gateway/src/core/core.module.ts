import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { AppErrorFilter, Clock, type GatewayConfig, type PgBoss } from '@vss/platform';
import { RegistryClient } from '@vss/registry-client';
import { ApiKeys, AuditTrail, AuthGuard } from '@vss/security';
import { GATEWAY_CONFIG, JOB_QUEUE, LOGGER, PG_POOL } from './tokens';

export interface GatewayDeps {
  config: GatewayConfig & { DATABASE_URL: string };
  pool: Pool;
  dataSource: DataSource;
  jobs: PgBoss;
  registry: RegistryClient;
  audit: AuditTrail;
  keys: ApiKeys;
  logger: Logger;
  clock: Clock;
}

/**
 * The gateway's shared infrastructure, built once at boot and handed to every feature:
 * the `pg` pool for hot paths, the TypeORM data source, the job queue, the registry
 * client, keys, audit trail and clock. Every call passes the AuthGuard; every error the filter.
 */
@Global()
@Module({})
export class CoreModule {
  static forRoot(deps: GatewayDeps): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: GATEWAY_CONFIG, useValue: deps.config },
        { provide: PG_POOL, useValue: deps.pool },
        { provide: 'DataSource', useValue: deps.dataSource },
        { provide: JOB_QUEUE, useValue: deps.jobs },
        { provide: RegistryClient, useValue: deps.registry },
        { provide: AuditTrail, useValue: deps.audit },
        { provide: ApiKeys, useValue: deps.keys },
        { provide: LOGGER, useValue: deps.logger },
        { provide: Clock, useValue: deps.clock },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useValue: new AppErrorFilter(deps.logger) },
      ],
      exports: [
        GATEWAY_CONFIG,
        PG_POOL,
        'DataSource',
        JOB_QUEUE,
        RegistryClient,
        AuditTrail,
        ApiKeys,
        LOGGER,
        Clock,
      ],
    };
  }
}
