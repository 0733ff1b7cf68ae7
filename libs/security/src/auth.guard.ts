import { type CanActivate, type ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Metadata } from '@grpc/grpc-js';
import { ApiKeys } from './api-keys';
import { attachCaller, type Role } from './caller';
import { SecurityErrorCode, securityError } from './security.errors';

export const ROLES_KEY = 'vss:roles';
export const PUBLIC_KEY = 'vss:public';

/** Open to unauthenticated callers: health probes and metrics scrapers only. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** The roles allowed to call a handler (or every handler of a controller). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/**
 * Authenticates every gRPC call and HTTP request by its API key (`x-api-key`) and checks the
 * caller's role against the handler's @Roles. A handler without @Roles is refused: access
 * is granted explicitly, never by omission.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(ApiKeys) private readonly keys: ApiKeys,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [context.getHandler(), context.getClass()])) {
      return true;
    }
    const type = context.getType<'rpc' | 'http'>();
    let presented: string | undefined;
    let carrier: object;
    if (type === 'rpc') {
      const metadata = context.switchToRpc().getContext<Metadata>();
      const value = metadata.get('x-api-key')[0];
      presented = typeof value === 'string' ? value : undefined;
      carrier = metadata;
    } else {
      const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
      presented = request.headers['x-api-key'];
      carrier = request;
    }
    const caller = await this.keys.authenticate(presented);
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!allowed || !allowed.includes(caller.role)) {
      throw securityError(
        SecurityErrorCode.RoleNotAllowed,
        `the ${caller.role} role may not call ${context.getClass().name.replace(/Grpc|Http|Controller/g, '')}.${context.getHandler().name}`,
      );
    }
    attachCaller(carrier, caller);
    return true;
  }
}
