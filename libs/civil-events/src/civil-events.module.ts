import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { PROCEDURE_STEP_QUEUE, PROCEDURE_STEP_QUEUE_RETRY } from '@vss/domain/linked-procedures';
import { ensureQueue, type PgBoss } from '@vss/platform';
import { JOB_QUEUE } from '@vss/platform';
import { AuditModule } from '@vss/audit';
import { InsuranceRecordsModule } from '@vss/insurance-records';
import { CivilEventsGrpcController } from './civil-events.grpc.controller';
import { CivilEventsRepository } from './civil-events.repository';
import { CivilEventsService } from './civil-events.service';
import { ProceduresService } from './procedures.service';

/**
 * Civil registration events and the linked procedures they start. The gateway accepts and
 * reports; the worker runs the steps (CivilEventsJobsModule, civil-events.jobs.ts).
 */
@Module({
  imports: [AuditModule, InsuranceRecordsModule],
  controllers: [CivilEventsGrpcController],
  providers: [CivilEventsRepository, CivilEventsService, ProceduresService],
})
export class CivilEventsModule implements OnModuleInit {
  constructor(@Inject(JOB_QUEUE) private readonly jobs: PgBoss) {}

  /** The queue must exist before the first event is accepted: pg-boss drops jobs for unknown queues. */
  async onModuleInit(): Promise<void> {
    await ensureQueue(this.jobs, PROCEDURE_STEP_QUEUE, { ...PROCEDURE_STEP_QUEUE_RETRY });
  }
}
