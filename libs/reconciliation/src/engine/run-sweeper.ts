import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_CONFIG, JOB_QUEUE, LOGGER, Periodic, type PgBoss, type WorkerConfig } from '@vss/platform';
import {
  FINDINGS_APPLY_QUEUE,
  type PartitionJob,
  RECONCILIATION_QUEUE,
  sendApplicationJob,
  sendSliceJob,
} from '../reconciliation.queue';
import { FindingApplicationsRepository } from '../finding-applications.repository';
import { PartitionsRepository } from '../partitions.repository';
import { RunsRepository } from '../runs.repository';

/**
 * Nothing stuck for ever: every SWEEP_SECONDS a worker looks for runs that are queued or
 * running with a partition that is not done and has no job left (its last job expired with its
 * worker, or the queue spent its retries) and gives that partition a new job — it resumes from
 * its checkpoint. A run whose partitions are all done but that never finished (its finishing
 * job was lost likewise) and has no job left gets one for its last partition: a job that finds
 * its partition done finishes the run. After SWEEP_MAX_REQUEUES such jobs the run fails with the
 * reason, so that its scope is free again. Workers sweep side by side safely (SKIP LOCKED; a partition's checkpoint
 * decides which of two jobs writes). Applications of findings are swept alike.
 */
@Injectable()
export class RunSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly periodic: Periodic;

  constructor(
    private readonly partitions: PartitionsRepository,
    private readonly runs: RunsRepository,
    private readonly applications: FindingApplicationsRepository,
    @Inject(JOB_QUEUE) private readonly jobs: PgBoss,
    @Inject(APP_CONFIG) private readonly config: WorkerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.periodic = new Periodic('run sweep', config.SWEEP_SECONDS, () => this.sweep(), logger);
  }

  onApplicationBootstrap(): void {
    this.periodic.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.periodic.stop();
  }

  async sweep(): Promise<void> {
    const { requeued, failed } = await this.partitions.sweep({
      graceSeconds: this.config.SWEEP_GRACE_SECONDS,
      maxSweeps: this.config.SWEEP_MAX_REQUEUES,
      queue: RECONCILIATION_QUEUE,
      requeue: (client, job: PartitionJob) =>
        sendSliceJob(this.jobs, client, job, { expireInSeconds: this.config.JOB_EXPIRE_SECONDS }),
      giveUp: (client, stuck) =>
        this.runs.fail(
          stuck.runId,
          `partition ${stuck.partitionNo} lost its job ${stuck.sweeps + 1} time(s) (its worker died or the ` +
            "database was away through every retry); see the workers' logs, then start the run again: it covers the same scope",
          client,
        ),
    });
    for (const job of requeued) {
      this.logger.warn(job, 'run partition had no job left; queued again from its checkpoint');
    }
    for (const runId of failed) this.logger.warn({ runId }, 'run lost its jobs too often; failed');
    const applications = await this.applications.sweep({
      graceSeconds: this.config.SWEEP_GRACE_SECONDS,
      maxSweeps: this.config.SWEEP_MAX_REQUEUES,
      queue: FINDINGS_APPLY_QUEUE,
      requeue: (client, applicationId) =>
        sendApplicationJob(
          this.jobs,
          client,
          { applicationId },
          { expireInSeconds: this.config.JOB_EXPIRE_SECONDS },
        ),
    });
    for (const applicationId of applications.requeued) {
      this.logger.warn(
        { applicationId },
        'application of findings had no job left; queued again from its checkpoint',
      );
    }
    for (const applicationId of applications.failed) {
      this.logger.warn({ applicationId }, 'application of findings lost its jobs too often; failed');
    }
  }
}
