import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_CONFIG, LOGGER, Periodic, type WorkerConfig } from '@vss/platform';
import { ProceduresRepository } from '../procedures.repository';

/**
 * Nothing stuck for ever: every SWEEP_SECONDS a worker looks for procedures that should be
 * running and have no job left (the queue spent the retries of a job whose worker kept dying,
 * or the database was away through all of them) and gives each a new job; one swept
 * SWEEP_MAX_REQUEUES times goes to NEEDS_REVIEW with the reason, where RetryProcedure can start
 * it again. Several workers sweep side by side without doing anything twice (SKIP LOCKED; a
 * new job makes any older one stale).
 */
@Injectable()
export class ProcedureSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly periodic: Periodic;

  constructor(
    private readonly procedures: ProceduresRepository,
    @Inject(APP_CONFIG) private readonly config: WorkerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.periodic = new Periodic('procedure sweep', config.SWEEP_SECONDS, () => this.sweep(), logger);
  }

  onApplicationBootstrap(): void {
    this.periodic.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.periodic.stop();
  }

  async sweep(): Promise<void> {
    for (;;) {
      const { requeued, reviewed } = await this.procedures.sweep({
        graceSeconds: this.config.SWEEP_GRACE_SECONDS,
        maxSweeps: this.config.SWEEP_MAX_REQUEUES,
        jobExpireSeconds: this.config.JOB_EXPIRE_SECONDS,
      });
      for (const procedureId of requeued) {
        this.logger.warn({ procedureId }, 'procedure had no job left; its current step was queued again');
      }
      for (const procedureId of reviewed) {
        this.logger.warn({ procedureId }, 'procedure lost its job too often; moved to NEEDS_REVIEW');
      }
      if (requeued.length + reviewed.length < 100) return;
    }
  }
}
