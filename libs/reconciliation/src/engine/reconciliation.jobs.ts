import { Inject, Module, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { type PgBoss, type WorkerConfig, workLoops } from '@vss/platform';
import { JOB_QUEUE, LOGGER, APP_CONFIG } from '@vss/platform';
import { ChunkClassifier } from './chunk-classifier';
import { MatchModels } from '../match-models';
import { PartitionRunner } from './partition-runner';
import { ensureReconciliationQueue, type PartitionJob, RECONCILIATION_QUEUE } from '../reconciliation.queue';
import { PartitionSources } from './partition-sources';
import { DemographicSearch } from './demographic-search';
import { InsuranceRecordsModule } from '@vss/insurance-records';
import { RunFinisher } from './run-finisher';
import { FindingsRepository } from '../findings.repository';
import { PartitionsRepository } from '../partitions.repository';
import { RunsRepository } from '../runs.repository';
import { RunSweeper } from './run-sweeper';

/**
 * Reconciliation runs: RECONCILE_CONCURRENCY loops take partition slices from the queue. Any
 * number of workers may run; a partition's checkpoint decides which of two racing workers
 * writes, so a slice handed out twice (a retry after a kill) is harmless.
 */
@Module({
  imports: [InsuranceRecordsModule],
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
    this.logger.info(
      { queue: RECONCILIATION_QUEUE, loops: this.config.RECONCILE_CONCURRENCY },
      'reconciliation: taking partition slices',
    );
  }
}
