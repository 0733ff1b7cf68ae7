import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { AuditTrail } from '@vss/audit';
import { checkDatabaseReachable, createPool, requireMigrated } from '@vss/persistence';
import {
  ChangeHub,
  Clock,
  createLogger,
  databaseLossReporter,
  grpcChannelCredentials,
  type PgBoss,
  startJobQueue,
  type TlsFiles,
  WATCH_CHANNELS,
} from '@vss/platform';
import { RegistryClient } from '@vss/registry-client';
import { VSS_SCHEMA } from './vss-schema';

/** What both VSS apps need of their configuration to start. */
export interface InfrastructureConfig {
  DATABASE_URL: string;
  LOG_LEVEL: string;
  DB_POOL_SIZE: number;
  DB_LOOKUP_POOL_SIZE: number;
  DB_AUDIT_POOL_SIZE: number;
  DB_WATCH_POOL_SIZE: number;
  DB_CONNECT_TIMEOUT_MS: number;
  DB_STATEMENT_TIMEOUT_MS: number;
  DB_LOOKUP_STATEMENT_TIMEOUT_MS: number;
  WATCH_FALLBACK_POLL_MS: number;
  REGISTRY_ADDRESS: string;
  REGISTRY_DEADLINE_MS: number;
  AUDIT_FLUSH_MS: number;
  AUDIT_MAX_BATCH: number;
  JOB_EXPIRE_SECONDS: number;
  QUEUE_SUPERVISE_SECONDS: number;
  QUEUE_POOL_SIZE: number;
}

export interface InfrastructureSpec {
  /** The app's name: in logs and in pg_stat_activity. */
  app: 'gateway' | 'worker';
  clock?: Clock;
  /** This app's certificate, its key and the CA (undefined: plaintext, development only). */
  tls: TlsFiles | undefined;
}

/** The shared infrastructure of an app, built once at boot and handed to every feature. */
export interface Infrastructure {
  logger: Logger;
  /** The general pool: admin work, procedures, reconciliation, the worker's steps. */
  pool: Pool;
  /**
   * Bulkheads: each pool's connections are its own, so that a flood of one kind of work (a
   * few thousand watches, an admin export) cannot take the connections of another.
   */
  pools: {
    /** Coverage lookups and authentication. */
    lookups: Pool;
    /** The audit trail's group commits and checkpoints. */
    audit: Pool;
    /** Watches' reads of what changed. */
    watches: Pool;
  };
  /** Tells watch streams when what they watch changed; closing it ends them. */
  changes: ChangeHub;
  jobs: PgBoss;
  registry: RegistryClient;
  audit: AuditTrail;
  clock: Clock;
  /**
   * Stops taking jobs and waits (up to 10 s) for running ones; unfinished ones return to the
   * queue. Once only, however often it is called: the worker stops the queue before its handlers.
   */
  stopJobs(): Promise<void>;
  /** Closes everything in the reverse order: the audit trail flushed before the pool ends. */
  close(): Promise<void>;
}

/**
 * The one start-up of the gateway and the worker: the database reached (one readable
 * sentence when it is not), the `vss` schema found up to date (the owner migrates it; the apps'
 * roles cannot), then the four `pg` pools (general; lookups and authentication; the audit
 * trail; watches), the job queue, the registry client and the audit trail.
 */
export async function startInfrastructure(
  config: InfrastructureConfig,
  spec: InfrastructureSpec,
): Promise<Infrastructure> {
  const logger = createLogger(spec.app, config.LOG_LEVEL);
  await checkDatabaseReachable(config.DATABASE_URL);
  await requireMigrated(config.DATABASE_URL, VSS_SCHEMA, 'vss');
  const onDatabaseError = databaseLossReporter(logger);
  const poolOf = (
    size: number,
    name: string,
    statementTimeoutMs = config.DB_STATEMENT_TIMEOUT_MS,
    genericPlans = false,
  ) =>
    createPool(config.DATABASE_URL, size, name, {
      onError: onDatabaseError,
      connectTimeoutMs: config.DB_CONNECT_TIMEOUT_MS,
      statementTimeoutMs,
      genericPlans,
    });
  const pool = poolOf(config.DB_POOL_SIZE, spec.app);
  const pools = {
    // Point lookups by key only (coverage, facilities, keys): one plan per statement and connection.
    lookups: poolOf(
      config.DB_LOOKUP_POOL_SIZE,
      `${spec.app}:lookups`,
      config.DB_LOOKUP_STATEMENT_TIMEOUT_MS,
      true,
    ),
    audit: poolOf(config.DB_AUDIT_POOL_SIZE, `${spec.app}:audit`),
    watches: poolOf(config.DB_WATCH_POOL_SIZE, `${spec.app}:watches`),
  };
  const jobs = await startJobQueue({
    url: config.DATABASE_URL,
    expireInSeconds: config.JOB_EXPIRE_SECONDS,
    maintenanceIntervalSeconds: config.QUEUE_SUPERVISE_SECONDS,
    poolSize: config.QUEUE_POOL_SIZE,
    applicationName: `${spec.app}:jobs`,
    onError: onDatabaseError,
  });
  const registry = new RegistryClient({
    address: config.REGISTRY_ADDRESS,
    credentials: await grpcChannelCredentials(spec.tls),
    deadlineMs: config.REGISTRY_DEADLINE_MS,
  });
  const audit = new AuditTrail(pools.audit, {
    flushMs: config.AUDIT_FLUSH_MS,
    maxBatch: config.AUDIT_MAX_BATCH,
  });
  const changes = new ChangeHub(pools.watches, {
    channels: Object.values(WATCH_CHANNELS),
    applicationName: `${spec.app}:watch-listen`,
    fallbackPollMs: config.WATCH_FALLBACK_POLL_MS,
  });
  let jobsStopped: Promise<void> | undefined;
  const stopJobs = () =>
    (jobsStopped ??= jobs.stop({ graceful: true, wait: true, timeout: 10_000 }).catch(() => undefined));
  return {
    logger,
    pool,
    pools,
    changes,
    jobs,
    registry,
    audit,
    clock: spec.clock ?? new Clock(),
    stopJobs,
    async close() {
      await changes.close();
      await audit.close();
      registry.close();
      await stopJobs();
      await Promise.all([pool, ...Object.values(pools)].map((p) => p.end()));
    },
  };
}
