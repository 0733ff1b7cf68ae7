import { type DynamicModule, Module } from '@nestjs/common';
import { CivilEventsJobsModule } from '@vss/civil-events';
import { CoreModule, type Infrastructure } from '@vss/core';
import type { WorkerConfig } from '@vss/platform';
import { ReconciliationJobsModule } from '@vss/reconciliation';

/** The worker: the shared infrastructure and the job handlers, each registering its queues at boot. */
@Module({})
export class WorkerModule {
  static forRoot(infrastructure: Infrastructure, config: WorkerConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [CoreModule.forRoot(infrastructure, config), CivilEventsJobsModule, ReconciliationJobsModule],
    };
  }
}
