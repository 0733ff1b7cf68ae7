import { NestFactory } from '@nestjs/core';
import {
  checkDatabaseReachable,
  createDataSource,
  createPool,
  migrate,
  VSS_MIGRATIONS,
  VSS_ENTITIES,
  VSS_MIGRATIONS_TABLE,
} from '@vss/persistence';
import { Clock, createLogger, PinoNestLogger, startJobQueue, type WorkerConfig } from '@vss/platform';
import { RegistryClient } from '@vss/registry-client';
import { AuditTrail } from '@vss/security';
import { WorkerModule } from './worker.module';

export interface RunningWorker {
  close(): Promise<void>;
}

/**
 * Runs the durable jobs (linked-procedure steps, reconciliation runs). Any number of
 * copies may run: jobs are claimed from PostgreSQL with SKIP LOCKED.
 */
export async function startWorker(
  config: WorkerConfig & { DATABASE_URL: string },
  options: { clock?: Clock } = {},
): Promise<RunningWorker> {
  const logger = createLogger('worker', config.LOG_LEVEL);
  await checkDatabaseReachable(config.DATABASE_URL);
  const dataSource = createDataSource({
    url: config.DATABASE_URL,
    migrations: VSS_MIGRATIONS,
    migrationsTableName: VSS_MIGRATIONS_TABLE,
    entities: VSS_ENTITIES,
    poolSize: 4,
    applicationName: 'worker:orm',
  });
  await dataSource.initialize();
  await migrate(dataSource);
  const pool = createPool(config.DATABASE_URL, config.DB_POOL_SIZE, 'worker');
  const jobs = await startJobQueue({
    url: config.DATABASE_URL,
    expireInSeconds: config.JOB_EXPIRE_SECONDS,
    maintenanceIntervalSeconds: config.QUEUE_SUPERVISE_SECONDS,
    poolSize: 4,
    applicationName: 'worker:jobs',
  });
  const registry = new RegistryClient({
    address: config.REGISTRY_ADDRESS,
    peerToken: config.REGISTRY_PEER_TOKEN,
    deadlineMs: config.REGISTRY_DEADLINE_MS,
  });
  const audit = new AuditTrail(pool, { flushMs: 2, maxBatch: 500 });
  const clock = options.clock ?? new Clock();
  const app = await NestFactory.createApplicationContext(
    WorkerModule.forRoot({ config, pool, dataSource, jobs, registry, audit, logger, clock }),
    { logger: new PinoNestLogger(logger) },
  );
  await app.init();
  logger.info({ concurrency: config.WORKER_CONCURRENCY }, 'worker running');
  return {
    async close() {
      // Stop taking jobs and let the running ones finish; unfinished ones return to the queue.
      await jobs.stop({ graceful: true, wait: true, timeout: 10_000 }).catch(() => undefined);
      await app.close();
      await audit.close();
      registry.close();
      await pool.end();
      await dataSource.destroy();
    },
  };
}
