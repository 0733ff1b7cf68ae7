import { Inject, Module, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import {
  PROCEDURE_STEP_QUEUE,
  PROCEDURE_STEP_QUEUE_RETRY,
  type ProcedureStepJob,
} from '@vss/domain/linked-procedures';
import { ensureQueue, type PgBoss, type WorkerConfig, workLoops } from '@vss/platform';
import { JOB_QUEUE, LOGGER, APP_CONFIG } from '@vss/platform';
import { AuditModule } from '@vss/audit';
import { InsuranceRecordsModule } from '@vss/insurance-records';
import { BirthSteps } from './birth-steps';
import { DeathSteps } from './death-steps';
import { ProcedureRunner } from './procedure-runner';
import { ProcedureStepsRepository } from './procedure-steps.repository';
import { ProcedureSweeper } from './procedure-sweeper';

/**
 * The steps of the linked procedures, taken from the pg-boss queue by WORKER_CONCURRENCY loops.
 * A loop that found a job asks again at once; only an idle loop waits QUEUE_POLL_SECONDS.
 * The queue's expiry (JOB_EXPIRE_SECONDS) and supervision (QUEUE_SUPERVISE_SECONDS) bring the
 * jobs of a killed worker back within a minute.
 */
@Module({
  imports: [AuditModule, InsuranceRecordsModule],
  providers: [ProcedureStepsRepository, BirthSteps, DeathSteps, ProcedureRunner, ProcedureSweeper],
})
export class CivilEventsJobsModule implements OnApplicationBootstrap {
  constructor(
    private readonly runner: ProcedureRunner,
    @Inject(JOB_QUEUE) private readonly jobs: PgBoss,
    @Inject(APP_CONFIG) private readonly config: WorkerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await ensureQueue(this.jobs, PROCEDURE_STEP_QUEUE, { ...PROCEDURE_STEP_QUEUE_RETRY });
    // The worker runs the steps: its setting decides how often a failed job is tried again.
    await this.jobs.updateQueue(PROCEDURE_STEP_QUEUE, {
      name: PROCEDURE_STEP_QUEUE,
      ...PROCEDURE_STEP_QUEUE_RETRY,
      retryLimit: this.config.PROCEDURE_JOB_RETRY_LIMIT,
    });
    await workLoops<ProcedureStepJob>(
      this.jobs,
      PROCEDURE_STEP_QUEUE,
      { loops: this.config.WORKER_CONCURRENCY, pollSeconds: this.config.QUEUE_POLL_SECONDS },
      (job) => this.runner.run(job.data),
    );
    this.logger.info(
      { queue: PROCEDURE_STEP_QUEUE, loops: this.config.WORKER_CONCURRENCY },
      'linked-procedure steps: taking jobs',
    );
  }
}
