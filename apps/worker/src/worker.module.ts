import { type DynamicModule, Module } from '@nestjs/common';
import { CoreModule, type WorkerDeps } from './core/core.module';
import { ProceduresModule } from './procedures/procedures.module';

/** Job handlers of the worker; each registers its queues when the application boots. */
const FEATURES: DynamicModule['imports'] = [ProceduresModule];

@Module({})
export class WorkerModule {
  static forRoot(deps: WorkerDeps): DynamicModule {
    return { module: WorkerModule, imports: [CoreModule.forRoot(deps), ...(FEATURES ?? [])] };
  }
}
