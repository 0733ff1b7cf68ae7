import type { CertificateAuthority } from '@vss/pki';
import type { KeyObject } from 'node:crypto';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ApiKeys, CertificateRegistry } from '@vss/api-keys';
import { ApprovalsApiModule } from '@vss/approvals';
import { AuditApiModule } from '@vss/audit';
import { CivilEventsModule } from '@vss/civil-events';
import { ConsoleModule } from '@vss/console';
import { CoreModule, type Infrastructure } from '@vss/core';
import { CoverageModule } from '@vss/coverage';
import { type CallerLimits, LimitsModule } from '@vss/limits';
import {
  AppErrorFilter,
  type GatewayConfig,
  RequestCheckGuard,
  UndecodableRequestGuard,
} from '@vss/platform';
import { ReconciliationModule } from '@vss/reconciliation';
import { API_KEY_AUTHENTICATOR, AuthGuard, CLIENT_CERTIFICATES } from '@vss/security';
import { HealthHttpController } from './health/health.http.controller';

/**
 * The gateway: the shared infrastructure, the insurance records, and the feature modules that
 * each serve one gRPC service (and its HTTP facade), and the operator console over them. Every call passes the AuthGuard (API key
 * or client certificate, then @Roles), its request's checks (@CheckedBy) and the caller's limits; every error passes the one filter that maps it to a status.
 */
@Module({})
export class GatewayModule {
  static forRoot(
    infrastructure: Infrastructure,
    config: GatewayConfig,
    callers: { keys: ApiKeys; certificates: CertificateRegistry; limits: CallerLimits },
    consoleOptions: { auditPublicKeys: KeyObject[]; certificateAuthority?: CertificateAuthority } = {
      auditPublicKeys: [],
    },
  ): DynamicModule {
    const { keys, certificates, limits } = callers;
    return {
      module: GatewayModule,
      imports: [
        CoreModule.forRoot(infrastructure, config),
        LimitsModule.forRoot(limits, config),
        CoverageModule,
        CivilEventsModule,
        ReconciliationModule,
        ApprovalsApiModule,
        AuditApiModule,
        ConsoleModule.forRoot({ ...consoleOptions, keys, certificates }),
      ],
      controllers: [HealthHttpController],
      providers: [
        { provide: ApiKeys, useValue: keys },
        { provide: API_KEY_AUTHENTICATOR, useValue: keys },
        { provide: CertificateRegistry, useValue: certificates },
        { provide: CLIENT_CERTIFICATES, useExisting: CertificateRegistry },
        // Guards run in this order: undecodable bytes first, then who is calling, then the
        // request's own checks — all before the caller's limits (an interceptor) spend anything.
        { provide: APP_GUARD, useClass: UndecodableRequestGuard },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useClass: RequestCheckGuard },
        { provide: APP_FILTER, useValue: new AppErrorFilter(infrastructure.logger) },
      ],
    };
  }
}
