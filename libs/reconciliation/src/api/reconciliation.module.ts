import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type GatewayConfig, type PgBoss } from '@vss/platform';
import { JOB_QUEUE } from '@vss/platform';
import { ApprovalsModule } from '@vss/approvals';
import { AuditModule } from '@vss/audit';
import { InsuranceRecordsModule } from '@vss/insurance-records';
import { ApplicationQueue } from './application-queue';
import { FindingApplicationsRepository } from '../finding-applications.repository';
import { FindingsRepository } from '../findings.repository';
import { CandidateSearch } from './candidate-search';
import { FindingsService } from './findings.service';
import { FindingsApprovals } from './findings-approvals';
import { MatchModels } from '../match-models';
import { ReconciliationGrpcController } from './reconciliation.grpc.controller';
import { ensureApplyQueue, ensureReconciliationQueue } from '../reconciliation.queue';
import { RunsRepository } from '../runs.repository';
import { RunsService } from './runs.service';
import { RunReportRepository } from '../run-report.repository';
import { FindingReviewsRepository } from '../finding-reviews.repository';
import { FindingReviewsService } from './finding-reviews.service';

/**
 * Reconciliation of insurance records against the population registry, as administrators
 * drive it: the gateway starts, reports, cancels and asks for applications; the worker does the
 * runs and applies findings (ReconciliationJobsModule, reconciliation.jobs.ts).
 */
@Module({
  imports: [AuditModule, InsuranceRecordsModule, ApprovalsModule],
  controllers: [ReconciliationGrpcController],
  providers: [
    RunsRepository,
    RunsService,
    RunReportRepository,
    FindingReviewsRepository,
    FindingReviewsService,
    FindingsRepository,
    FindingApplicationsRepository,
    ApplicationQueue,
    FindingsService,
    FindingsApprovals,
    CandidateSearch,
    {
      provide: MatchModels,
      inject: [APP_CONFIG],
      useFactory: (config: GatewayConfig) => new MatchModels(config.RECONCILE_MODEL),
    },
  ],
  // The console shows runs and decides findings through the same services.
  exports: [RunsService, FindingsService, FindingReviewsService],
})
export class ReconciliationModule implements OnModuleInit {
  constructor(@Inject(JOB_QUEUE) private readonly jobs: PgBoss) {}

  /** pg-boss drops jobs sent to a queue that does not exist: create it before the first run. */
  async onModuleInit(): Promise<void> {
    await ensureReconciliationQueue(this.jobs);
    await ensureApplyQueue(this.jobs);
  }
}
