import { type DynamicModule, Module } from '@nestjs/common';
import { CivilEventsModule } from './civil-events/civil-events.module';
import { CoreModule, type GatewayDeps } from './core/core.module';
import { CoverageModule } from './coverage/coverage.module';
import { HealthHttpController } from './health/health.http.controller';
import { ReconciliationModule } from './reconciliation/reconciliation.module';

/** Feature modules of the gateway; each serves one gRPC service (and its HTTP facade). */
const FEATURES: DynamicModule['imports'] = [CoverageModule, CivilEventsModule, ReconciliationModule];

@Module({})
export class GatewayModule {
  static forRoot(deps: GatewayDeps): DynamicModule {
    return {
      module: GatewayModule,
      imports: [CoreModule.forRoot(deps), ...(FEATURES ?? [])],
      controllers: [HealthHttpController],
    };
  }
}
