import { Inject, Module, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { type PgBoss, type WorkerConfig, workLoops } from '@vss/platform';
import { JOB_QUEUE, LOGGER, APP_CONFIG } from '@vss/platform';
import { ChunkClassifier } from './chunk-classifier';
import { MatchModels } from '../match-models';
import { PartitionRunner } from './partition-runner';
import {
  type ApplicationJob,
  ensureApplyQueue,
  ensureReconciliationQueue,
  FINDINGS_APPLY_QUEUE,
  type PartitionJob,
  RECONCILIATION_QUEUE,
} from '../reconciliation.queue';
import { FindingApplicationsRepository } from '../finding-applications.repository';
import { FindingApplicationRunner } from './finding-application-runner';
import { FindingsApplier } from './findings-applier';
import { PartitionSources } from './partition-sources';
import { DemographicSearch } from './demographic-search';
import { AuditModule } from '@vss/audit';
import { InsuranceRecordsModule } from '@vss/insurance-records';
import { RunFinisher } from './run-finisher';
import { FindingsRepository } from '../findings.repository';
import { PartitionsRepository } from '../partitions.repository';
import { RunsRepository } from '../runs.repository';
import { RunSweeper } from './run-sweeper';

/**
 * Reconciliation runs: RECONCILE_CONCURRENCY loops take partition slices from the queue. Any
 * number of workers may run; a partition's checkpoint decides which of two racing workers
 * writes, so a slice handed out twice (a retry after a kill) is harmless. Applications of
 * findings the gateway queued are carried out here too (one loop): the worker, not the
 * internet-facing gateway, writes insurance records, cards and benefits.
 */
@Module({
  imports: [AuditModule, InsuranceRecordsModule],
  providers: [
    RunsRepository,
    PartitionsRepository,
    FindingsRepository,
    PartitionSources,
    DemographicSearch,
    ChunkClassifier,
    RunFinisher,
    PartitionRunner,
    RunSweeper,
    FindingApplicationsRepository,
    FindingsApplier,
    FindingApplicationRunner,
    {
      provide: MatchModels,
      inject: [APP_CONFIG],
      useFactory: (config: WorkerConfig) => new MatchModels(config.RECONCILE_MODEL),
    },
  ],
})
export class ReconciliationJobsModule implements OnApplicationBootstrap {
  constructor(
    private readonly runner: PartitionRunner,
    private readonly runs: RunsRepository,
    private readonly applicationRunner: FindingApplicationRunner,
    private readonly applications: FindingApplicationsRepository,
    @Inject(JOB_QUEUE) private readonly jobs: PgBoss,
    @Inject(APP_CONFIG) private readonly config: WorkerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await ensureReconciliationQueue(this.jobs);
    await workLoops<PartitionJob>(
      this.jobs,
      RECONCILIATION_QUEUE,
      { loops: this.config.RECONCILE_CONCURRENCY, pollSeconds: this.config.QUEUE_POLL_SECONDS },
      async (job) => {
        try {
          await this.runner.runSlice(job.data, Number(job.expireInSeconds) || this.config.JOB_EXPIRE_SECONDS);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          this.logger.warn(
            { ...job.data, attempt: job.retryCount, error: message },
            'reconciliation slice failed',
          );
          // The queue retries with backoff; when it will not again, the run has failed.
          if (job.retryCount >= job.retryLimit) await this.runs.fail(job.data.runId, message);
          throw error;
        }
      },
    );
    await ensureApplyQueue(this.jobs);
    await workLoops<ApplicationJob>(
      this.jobs,
      FINDINGS_APPLY_QUEUE,
      { loops: 1, pollSeconds: this.config.QUEUE_POLL_SECONDS },
      async (job) => {
        try {
          await this.applicationRunner.run(
            job.data.applicationId,
            Number(job.expireInSeconds) || this.config.JOB_EXPIRE_SECONDS,
          );
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          this.logger.warn(
            { ...job.data, attempt: job.retryCount, error: message },
            'application of findings failed',
          );
          // The queue retries with backoff (it resumes from its checkpoint); then it has failed.
          if (job.retryCount >= job.retryLimit) await this.applications.fail(job.data.applicationId, message);
          throw error;
        }
      },
    );
    this.logger.info(
      { queue: RECONCILIATION_QUEUE, loops: this.config.RECONCILE_CONCURRENCY },
      'reconciliation: taking partition slices and applications of findings',
    );
  }
}
