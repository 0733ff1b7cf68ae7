import { Inject, Module, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { type PgBoss, type WorkerConfig, workLoops } from '@vss/platform';
import { JOB_QUEUE, LOGGER, APP_CONFIG } from '@vss/platform';
import { ApprovalsModule } from '@vss/approvals';
import { AuditModule } from '@vss/audit';
import { AuthorityModule } from '@vss/authority';
import { InsuranceRecordsModule } from '@vss/insurance-records';
import { BirthSteps } from './birth-steps';
import { DeathSteps } from './death-steps';
import { AmendmentCheck } from './amendment-check';
import { BirthAmendmentSteps } from './birth-amendment-steps';
import { DeathAmendmentSteps } from './death-amendment-steps';
import { ProcedureRunner } from './procedure-runner';
import { ensureProcedureQueue, PROCEDURE_STEP_QUEUE, type ProcedureStepJob } from '../procedure.queue';
import { ProcedureReadsRepository } from '../procedure-reads.repository';
import { ProceduresRepository } from '../procedures.repository';
import { ProcedureSweeper } from './procedure-sweeper';

/**
 * The worker's half of civil events: the steps of the linked procedures, taken from the
 * procedure queue (procedure.queue.ts) by WORKER_CONCURRENCY loops, and the sweeper.
 * A loop that found a job asks again at once; only an idle loop waits QUEUE_POLL_SECONDS.
 * The queue's expiry (JOB_EXPIRE_SECONDS) and supervision (QUEUE_SUPERVISE_SECONDS) bring the
 * jobs of a killed worker back within a minute.
 */
@Module({
  imports: [AuditModule, InsuranceRecordsModule, ApprovalsModule, AuthorityModule],
  providers: [
    ProceduresRepository,
    ProcedureReadsRepository,
    BirthSteps,
    DeathSteps,
    AmendmentCheck,
    DeathAmendmentSteps,
    BirthAmendmentSteps,
    ProcedureRunner,
    ProcedureSweeper,
  ],
})
export class CivilEventsJobsModule implements OnApplicationBootstrap {
  constructor(
    private readonly runner: ProcedureRunner,
    @Inject(JOB_QUEUE) private readonly jobs: PgBoss,
    @Inject(APP_CONFIG) private readonly config: WorkerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // The worker runs the steps: its setting decides how often a failed job is tried again.
    await ensureProcedureQueue(this.jobs, this.config.PROCEDURE_JOB_RETRY_LIMIT);
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
