import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  SetMetadata,
} from '@nestjs/common';
import { SSE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { Observable } from 'rxjs';
import { isServerStreaming } from '@vss/platform';
import { callerOf } from '@vss/security';
import { CallerLimits } from './caller-limits';

export const LOOKUPS_KEY = 'vss:lookups';

/** How many people's coverage a request reads: what it spends of its caller's lookup limits. */
export type LookupCost = (request: Record<string, unknown>) => number;

/**
 * Marks a handler as a coverage lookup: it spends `cost(request)` of the caller's rate and
 * daily quota (one lookup when no cost is given). Other handlers spend one of the rate.
 */
export const Lookups = (cost: LookupCost = () => 1) => SetMetadata(LOOKUPS_KEY, cost);

/**
 * Marks a handler that spends one of its holder's daily quota without reading coverage: an
 * office's filing, an operator's search of people by name. Counted as a lookup is.
 */
export const SpendsDailyQuota = () => Lookups();

/**
 * Applies CallerLimits to every authenticated call (the AuthGuard has run): admits it or
 * answers RESOURCE_EXHAUSTED, holds its place among the caller's calls (and streams) until it
 * ends however it ends — answered, failed, cancelled by the client — and ends a stream that
 * outlives its limit with RESOURCE_EXHAUSTED.
 */
@Injectable()
export class LimitsInterceptor implements NestInterceptor {
  private readonly costs = new WeakMap<object, LookupCost | null>();

  constructor(
    private readonly limits: CallerLimits,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const carrier = carrierOf(context);
    const caller = carrier ? callerOrUndefined(carrier) : undefined;
    if (!caller || !this.limits.enabled) return next.handle(); // public: health and metrics
    const cost = this.costOf(context);
    const request = (context.getArgByIndex(0) ?? {}) as Record<string, unknown>;
    const stream = isStream(context);
    const lookups = cost ? lookupCount(cost, context.getType() === 'rpc' ? request : bodyOf(request)) : 0;
    const permit = this.limits.admit(caller, { lookups, stream });
    return new Observable((subscriber) => {
      const timer =
        permit.streamMs === undefined
          ? undefined
          : setTimeout(
              () => subscriber.error(this.limits.streamExpired(caller, permit.streamMs! / 1000)),
              permit.streamMs,
            );
      const untrack = stream
        ? this.limits.trackStream(caller.id, (error) => subscriber.error(error))
        : () => undefined;
      const subscription = next.handle().subscribe(subscriber);
      return () => {
        untrack();
        if (timer) clearTimeout(timer);
        subscription.unsubscribe();
        permit.release();
      };
    });
  }

  private costOf(context: ExecutionContext): LookupCost | null {
    const handler = context.getHandler();
    let cost = this.costs.get(handler);
    if (cost === undefined) {
      cost = this.reflector.get<LookupCost | undefined>(LOOKUPS_KEY, handler) ?? null;
      this.costs.set(handler, cost);
    }
    return cost;
  }
}

function carrierOf(context: ExecutionContext): object | undefined {
  return context.getType() === 'rpc'
    ? context.switchToRpc().getContext<object>()
    : context.switchToHttp().getRequest<object>();
}

function callerOrUndefined(carrier: object) {
  try {
    return callerOf(carrier);
  } catch {
    return undefined;
  }
}

function bodyOf(request: Record<string, unknown>): Record<string, unknown> {
  return (request.body ?? {}) as Record<string, unknown>;
}

/** At least 1: a lookup handler's cost that counts nothing (a handler without @CheckedBy) still spends one. */
function lookupCount(cost: LookupCost, request: Record<string, unknown>): number {
  const n = cost(request);
  return Number.isInteger(n) && n > 0 ? n : 1;
}

/**
 * A stream: a server-streaming gRPC call (WatchProcedure, WatchRun), known by its method's
 * definition, or a console page's server-sent events (@Sse).
 */
function isStream(context: ExecutionContext): boolean {
  if (context.getType() !== 'rpc') return Reflect.getMetadata(SSE_METADATA, context.getHandler()) === true;
  const call = context.getArgByIndex<{ getPath?: () => string } | undefined>(2);
  return isServerStreaming(call?.getPath?.());
}
