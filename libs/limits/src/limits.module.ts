import { type DynamicModule, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { type GatewayConfig } from '@vss/platform';
import { AUTH_THROTTLE, type Role } from '@vss/security';
import { PeerAuthThrottle } from './auth-throttle';
import { CallerLimits } from './caller-limits';
import { type LimitSpec, ROLE_DEFAULTS } from '@vss/domain';
import { LimitsInterceptor } from './limits.interceptor';

/** Each role's limits: the defaults with what CALLER_LIMITS_<ROLE> changed (parsed with the configuration). */
export function roleLimits(config: GatewayConfig): Record<Role, LimitSpec> {
  return {
    ...ROLE_DEFAULTS,
    clinic: config.CALLER_LIMITS_CLINIC,
    'civil-registry': config.CALLER_LIMITS_CIVIL_REGISTRY,
    admin: config.CALLER_LIMITS_ADMIN,
  };
}

/** Builds the gateway's limits from its configuration. */
export function callerLimits(pool: Pool, config: GatewayConfig, logger: Logger): CallerLimits {
  return new CallerLimits(pool, {
    roles: roleLimits(config),
    syncMs: config.CALLER_LIMITS_SYNC_MS,
    logger,
    enabled: config.CALLER_LIMITS_ENABLED,
  });
}

/**
 * Per-caller limits on every call (an interceptor after the AuthGuard) and the throttle of
 * failed authentications (used by the AuthGuard).
 */
@Module({})
export class LimitsModule {
  static forRoot(limits: CallerLimits, config: GatewayConfig): DynamicModule {
    return {
      module: LimitsModule,
      // Global: every feature's handlers are limited, and the console's sign-in throttles failures.
      global: true,
      providers: [
        { provide: CallerLimits, useValue: limits },
        {
          provide: AUTH_THROTTLE,
          useValue: new PeerAuthThrottle({
            burst: config.AUTH_FAILURES_BURST,
            ratePerSecond: config.AUTH_FAILURES_PER_SECOND,
          }),
        },
        { provide: APP_INTERCEPTOR, useClass: LimitsInterceptor },
      ],
      exports: [CallerLimits, AUTH_THROTTLE],
    };
  }
}
