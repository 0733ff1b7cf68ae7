import { type DynamicModule, Module } from '@nestjs/common';
import { CoreModule, type WorkerDeps } from './core/core.module';
import { ProceduresModule } from './procedures/procedures.module';
import { ReconciliationModule } from './reconciliation/reconciliation.module';

/** Job handlers of the worker; each registers its queues when the application boots. */
const FEATURES: DynamicModule['imports'] = [ProceduresModule, ReconciliationModule];

@Module({})
export class WorkerModule {
  static forRoot(deps: WorkerDeps): DynamicModule {
    return { module: WorkerModule, imports: [CoreModule.forRoot(deps), ...(FEATURES ?? [])] };
  }
}
