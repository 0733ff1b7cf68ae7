import { Inject, Module, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { RECONCILIATION_QUEUE } from '@vss/domain/reconciliation-runs';
import { ensureQueue, type PgBoss, type WorkerConfig, workLoops } from '@vss/platform';
import { JOB_QUEUE, LOGGER, APP_CONFIG } from '@vss/platform';
import { ChunkClassifier } from './chunk-classifier';
import { MatchModels } from './match-models';
import { type PartitionJob, PartitionRunner } from './partition-runner';
import { PartitionSources } from './partition-sources';
import { DemographicSearch } from './demographic-search';
import { InsuranceRecordsModule } from '@vss/insurance-records';
import { RunFinisher } from './run-finisher';
import { RunProgressRepository } from './run-progress.repository';
import { RunSweeper } from './run-sweeper';

/**
 * Reconciliation runs: RECONCILE_CONCURRENCY loops take partition slices from the queue. Any
 * number of workers may run; a partition's checkpoint decides which of two racing workers
 * writes, so a slice handed out twice (a retry after a kill) is harmless.
 */
@Module({
  imports: [InsuranceRecordsModule],
  providers: [
    RunProgressRepository,
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
    private readonly runs: RunProgressRepository,
    @Inject(JOB_QUEUE) private readonly jobs: PgBoss,
    @Inject(APP_CONFIG) private readonly config: WorkerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await ensureQueue(this.jobs, RECONCILIATION_QUEUE);
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
