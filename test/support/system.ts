import { Pool } from 'pg';
import { type LimitSpec, type OperatorRole, parseLimitSpec, ROLE_DEFAULTS, type Role } from '@vss/domain';
import { ApiKeys } from '@vss/api-keys';
import { newOperator } from '../../libs/authority/test/factories';
import {
  Clock,
  type GatewayConfig,
  gatewayConfigSchema,
  loadConfig,
  type RegistryConfig,
  registryConfigSchema,
  type WorkerConfig,
  workerConfigSchema,
} from '@vss/platform';
import { startGateway, type RunningGateway } from '../../apps/gateway/src/gateway.app';
import { startRegistry, type RunningRegistry } from '../../apps/population-registry/src/registry.app';
import { startWorker, type RunningWorker } from '../../apps/worker/src/worker.app';
import { createTestDatabase, type TestDatabase } from './database';
import { freePort } from './ports';
import { tlsConfig } from './tls';

/**
 * An admin key issued to a new named operator with `roles` (operator and reviewer by default):
 * what `operators add` and `keys issue --role admin --operator` give a person.
 */
export async function issueAdminKey(
  pool: Pool,
  roles: OperatorRole[] = ['operator', 'reviewer'],
  login?: string,
): Promise<string> {
  const operator = await newOperator(pool, { roles, login });
  return (
    await new ApiKeys(pool).issue({
      role: 'admin',
      label: `admin ${operator.login}`,
      operatorLogin: operator.login,
    })
  ).apiKey;
}

/** VSS_TEST_LOG=info (or debug) shows the apps' logs while a test runs. */
/** A role's limits as CALLER_LIMITS_<ROLE> would set them (`rate=off,calls=off`, …). */
export function roleLimits(role: Role, text: string): LimitSpec {
  return parseLimitSpec(text, ROLE_DEFAULTS[role]);
}

export const TEST_LOG_LEVEL = (process.env.VSS_TEST_LOG ?? 'silent') as 'silent';

export interface SystemOptions {
  /** Fills the database before the apps start. */
  seed?: (pool: Pool) => Promise<void>;
  /** false: no worker at first (start one with startWorker). */
  worker?: boolean;
  registryConfig?: Partial<RegistryConfig>;
  gatewayConfig?: Partial<GatewayConfig>;
  workerConfig?: Partial<WorkerConfig>;
  clock?: Clock;
}

/** What a feature's own harness lets its tests choose. */
export type FeatureSystemOptions = Pick<
  SystemOptions,
  'seed' | 'worker' | 'workerConfig' | 'gatewayConfig' | 'registryConfig' | 'clock'
>;

/**
 * A clock a test sets: the day the gateway, the worker and the registry take for today (what
 * lateness and "in the future" are measured by). Unset, it is the real clock.
 */
export class TestClock extends Clock {
  private at: number | undefined;

  /** From now on it is `date` (ISO day) at noon in Vietnam, or `instant`. */
  set(when: string | Date): void {
    this.at = typeof when === 'string' ? Date.parse(`${when}T12:00:00+07:00`) : when.getTime();
  }

  reset(): void {
    this.at = undefined;
  }

  override now(): Date {
    return this.at === undefined ? new Date() : new Date(this.at);
  }
}

/** The registry stub, the gateway and any number of workers, in this process, on a database of their own. */
export interface TestSystem {
  db: TestDatabase;
  /** A pool of the test's own on the same database. */
  pool: Pool;
  registry: RunningRegistry;
  gateway: RunningGateway;
  startWorker(overrides?: Partial<WorkerConfig>): Promise<RunningWorker>;
  stopWorkers(): Promise<void>;
  stop(): Promise<void>;
}

/** The one harness of the end-to-end tests: every feature's support file builds on it. */
export async function startTestSystem(label: string, options: SystemOptions = {}): Promise<TestSystem> {
  const db = await createTestDatabase(label);
  const pool = new Pool({ connectionString: db.url, max: 4 });
  pool.on('error', () => undefined); // a connection closed under it at drop is not the test's failure
  if (options.seed) await options.seed(pool);
  const clock = options.clock ? { clock: options.clock } : {};
  const registry = await startRegistry(
    {
      ...loadConfig(registryConfigSchema, {}),
      DATABASE_URL: db.urlFor('registry'),
      REGISTRY_GRPC_PORT: await freePort(),
      ...tlsConfig('population-registry'),
      LOG_LEVEL: TEST_LOG_LEVEL,
      ...options.registryConfig,
    },
    clock,
  );
  const gateway = await startGateway(
    {
      ...loadConfig(gatewayConfigSchema, {}),
      DATABASE_URL: db.urlFor('gateway'),
      GATEWAY_GRPC_PORT: await freePort(),
      GATEWAY_HTTP_PORT: await freePort(),
      OPERATOR_HTTP_PORT: await freePort(),
      REGISTRY_ADDRESS: registry.address,
      ...tlsConfig('gateway'),
      LOG_LEVEL: TEST_LOG_LEVEL,
      // Tests of other things call as fast as they can from one address; test/security/limits
      // tests the limits, with the built-in defaults.
      CALLER_LIMITS_CLINIC: roleLimits('clinic', 'rate=5000,burst=5000,daily=off'),
      CALLER_LIMITS_CIVIL_REGISTRY: roleLimits('civil-registry', 'rate=5000,burst=5000,daily=off'),
      CALLER_LIMITS_ADMIN: roleLimits('admin', 'rate=5000,burst=5000,daily=off'),
      AUTH_FAILURES_BURST: 10_000,
      ...options.gatewayConfig,
    },
    clock,
  );
  const workers: RunningWorker[] = [];
  const launch = async (overrides: Partial<WorkerConfig> = {}) => {
    const worker = await startWorker(
      {
        ...loadConfig(workerConfigSchema, {}),
        ...options.workerConfig,
        ...overrides,
        DATABASE_URL: db.urlFor('worker'),
        REGISTRY_ADDRESS: registry.address,
        ...tlsConfig('worker'),
        LOG_LEVEL: TEST_LOG_LEVEL,
      },
      clock,
    );
    workers.push(worker);
    return worker;
  };
  if (options.worker !== false) await launch();
  const stopWorkers = async () => {
    for (const w of workers.splice(0)) await w.close();
  };
  return {
    db,
    pool,
    registry,
    gateway,
    startWorker: launch,
    stopWorkers,
    async stop() {
      await stopWorkers();
      await gateway.close();
      await registry.close();
      await pool.end();
      await db.drop();
    },
  };
}
