import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Clock } from '../clock';

export const REQUEST_CHECK_KEY = 'vss:request-check';

/**
 * What a handler checks of its request before anything is spent on it: every check that needs
 * no database, throwing the handler's own INVALID_ARGUMENT error naming the field. It gets the
 * gRPC request message, or for HTTP the express request, and today's date in Vietnam.
 */
export type RequestCheck = (request: never, today: string) => unknown;

/** Declares a handler's request check (RequestCheckGuard runs it). */
export const CheckedBy = <R>(check: (request: R, today: string) => unknown) =>
  SetMetadata(REQUEST_CHECK_KEY, check);

/**
 * Runs the handler's @CheckedBy check after authentication and before the caller's limits: a
 * request that can never succeed is INVALID_ARGUMENT whatever the caller's buckets hold, and
 * spends nothing of them (told RESOURCE_EXHAUSTED, a client would retry what cannot succeed).
 * The service checks the request again when it parses it: it is called without this guard too
 * (medium tests, the console), and a check is a few microseconds.
 */
@Injectable()
export class RequestCheckGuard implements CanActivate {
  private readonly checks = new WeakMap<object, RequestCheck | null>();

  constructor(
    private readonly reflector: Reflector,
    private readonly clock: Clock,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const check = this.checkOf(context.getHandler());
    if (check) {
      const request =
        context.getType() === 'rpc' ? context.switchToRpc().getData() : context.switchToHttp().getRequest();
      (check as (request: unknown, today: string) => unknown)(request ?? {}, this.clock.today());
    }
    return true;
  }

  private checkOf(handler: object): RequestCheck | null {
    let check = this.checks.get(handler);
    if (check === undefined) {
      check = this.reflector.get<RequestCheck | undefined>(REQUEST_CHECK_KEY, handler as never) ?? null;
      this.checks.set(handler, check);
    }
    return check;
  }
}
