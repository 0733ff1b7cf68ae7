import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { defer, type Observable, timer } from 'rxjs';
import { mergeMap } from 'rxjs/operators';
import { RegistryErrorCode, registryError } from '../citizens/citizens.errors';

export interface FaultSettings {
  latencyMs: number;
  /** Share of calls answered UNAVAILABLE, 0..1. */
  unavailableRate: number;
  refuseAll: boolean;
}

/**
 * Fault injection for tests of the gateway and worker: added latency, a share of calls
 * failing UNAVAILABLE, or a registry that refuses everything. Configured from the
 * environment; in-process tests may change the settings while the server runs.
 */
@Injectable()
export class FaultInjector {
  constructor(public settings: FaultSettings) {}

  update(settings: Partial<FaultSettings>): void {
    this.settings = { ...this.settings, ...settings };
  }

  get active(): boolean {
    const s = this.settings;
    return s.refuseAll || s.unavailableRate > 0 || s.latencyMs > 0;
  }
}

@Injectable()
export class FaultInjectionInterceptor implements NestInterceptor {
  constructor(private readonly faults: FaultInjector) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.faults.active) return next.handle();
    const { latencyMs, unavailableRate, refuseAll } = this.faults.settings;
    const fail = refuseAll || Math.random() < unavailableRate;
    return timer(latencyMs).pipe(
      mergeMap(() =>
        fail
          ? defer(() => {
              throw registryError(
                RegistryErrorCode.FaultInjected,
                refuseAll
                  ? 'the population registry is refusing all calls (fault injection)'
                  : 'the population registry is temporarily unavailable (fault injection)',
              );
            })
          : next.handle(),
      ),
    );
  }
}
