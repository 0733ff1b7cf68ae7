import { type DynamicModule, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { ConfigError, type GatewayConfig } from '@vss/platform';
import { AUTH_THROTTLE, type Role } from '@vss/security';
import { PeerAuthThrottle } from './auth-throttle';
import { CallerLimits } from './caller-limits';
import { LimitSpecError, type LimitSpec, parseLimitSpec, ROLE_DEFAULTS } from './limit-spec';
import { LimitsInterceptor } from './limits.interceptor';

const ROLE_VARIABLES = {
  clinic: 'CALLER_LIMITS_CLINIC',
  'civil-registry': 'CALLER_LIMITS_CIVIL_REGISTRY',
  admin: 'CALLER_LIMITS_ADMIN',
} as const;

/** Each role's limits: the defaults with what CALLER_LIMITS_<ROLE> changes; a ConfigError names every bad one. */
export function roleLimits(config: GatewayConfig): Record<Role, LimitSpec> {
  const roles = { ...ROLE_DEFAULTS };
  const problems: string[] = [];
  for (const [role, variable] of Object.entries(ROLE_VARIABLES) as [keyof typeof ROLE_VARIABLES, string][]) {
    try {
      roles[role] = parseLimitSpec(config[ROLE_VARIABLES[role]], ROLE_DEFAULTS[role]);
    } catch (error) {
      if (!(error instanceof LimitSpecError)) throw error;
      problems.push(`${variable}: ${error.message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return roles;
}

/** Builds the gateway's limits from its configuration (throws ConfigError first). */
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
