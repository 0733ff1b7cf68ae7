import { Inject, Module, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { AUDIT_TRAIL } from '@vss/platform';
import { AccessHistoryRepository } from './access-history.repository';
import { registerAuditMetrics } from './audit.metrics';
import { AuditTrail } from './audit-trail';

/**
 * The audit trail for the features of either app: the trail the app started (its group commit
 * is flushed by the app's shutdown, after the calls that wait for it), the access history, and
 * the trail's metrics. A feature that records or reads the trail imports this module.
 */
@Module({
  providers: [{ provide: AuditTrail, useExisting: AUDIT_TRAIL }, AccessHistoryRepository],
  exports: [AuditTrail, AccessHistoryRepository],
})
export class AuditModule implements OnModuleInit, OnModuleDestroy {
  private unregister: (() => void) | undefined;

  constructor(@Inject(AUDIT_TRAIL) private readonly trail: AuditTrail) {}

  onModuleInit(): void {
    this.unregister = registerAuditMetrics(this.trail);
  }

  onModuleDestroy(): void {
    this.unregister?.();
  }
}
