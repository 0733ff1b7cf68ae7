import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { ApprovalsModule } from '@vss/approvals';
import { AuditModule } from '@vss/audit';
import { AuthorityModule } from '@vss/authority';
import { InsuranceRecordsModule } from '@vss/insurance-records';
import { JOB_QUEUE, type PgBoss } from '@vss/platform';
import { ensureProcedureQueue } from '../procedure.queue';
import { ProcedureReadsRepository } from '../procedure-reads.repository';
import { ProceduresRepository } from '../procedures.repository';
import { CivilEventsGrpcController } from './civil-events.grpc.controller';
import { CivilEventsService } from './civil-events.service';
import { AmendmentsRepository } from '../amendments.repository';
import { AmendmentsService } from './amendments.service';
import { ProceduresService } from './procedures.service';
import { ProcedureApprovals } from './procedure-approvals';

/**
 * The gateway's half of civil events: accepting birth and death registrations and their
 * revocations and corrections, reporting and
 * watching the procedures they start, and the administrators' retry and resolve. The worker's
 * half runs the steps (engine/civil-events.jobs.ts); the two meet at the queue (procedure.queue.ts).
 */
@Module({
  imports: [AuditModule, InsuranceRecordsModule, ApprovalsModule, AuthorityModule],
  controllers: [CivilEventsGrpcController],
  providers: [
    ProceduresRepository,
    ProcedureReadsRepository,
    CivilEventsService,
    AmendmentsRepository,
    AmendmentsService,
    ProceduresService,
    ProcedureApprovals,
  ],
  // The console shows procedures (an approval's evidence) through the same service.
  exports: [ProceduresService],
})
export class CivilEventsModule implements OnModuleInit {
  constructor(@Inject(JOB_QUEUE) private readonly jobs: PgBoss) {}

  /** The queue must exist before the first event is accepted: pg-boss drops jobs for unknown queues. */
  async onModuleInit(): Promise<void> {
    await ensureProcedureQueue(this.jobs);
  }
}
