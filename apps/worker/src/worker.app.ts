import { NestFactory } from '@nestjs/core';
import { startInfrastructure } from '@vss/core';
import { type Clock, PinoNestLogger, tlsFiles, type WorkerConfig } from '@vss/platform';
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
  const infrastructure = await startInfrastructure(config, {
    app: 'worker',
    tls: tlsFiles(config, 'worker'),
    clock: options.clock,
  });
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(infrastructure, config), {
    logger: new PinoNestLogger(infrastructure.logger),
  });
  await app.init();
  infrastructure.logger.info({ concurrency: config.WORKER_CONCURRENCY }, 'worker running');
  return {
    async close() {
      // Stop taking jobs and let the running ones finish; unfinished ones return to the queue.
      await infrastructure.stopJobs();
      await app.close();
      await infrastructure.close();
    },
  };
}
