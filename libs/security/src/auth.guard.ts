import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  Optional,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { attachCaller, type Caller, type OperatorRole, type Role } from './caller';
import { AppError, ErrorClass } from '@vss/platform';
import {
  CLIENT_CERTIFICATES,
  type ClientCertificates,
  type PresentedCredentials,
  presentedCredentials,
} from './credentials';
import { SecurityErrorCode, securityError } from './security.errors';

/**
 * Who checks an API key (libs/api-keys provides it): answers the caller, or throws
 * UNAUTHENTICATED with the reason.
 */
export interface ApiKeyAuthenticator {
  authenticate(presented: string | undefined): Promise<Caller>;
  /** The caller when the key is known good without asking the database (it was verified lately). */
  cachedCaller?(presented: string | undefined): Caller | undefined;
}
export const API_KEY_AUTHENTICATOR = Symbol('API_KEY_AUTHENTICATOR');

/**
 * Throttles failed authentications per peer address (libs/limits provides it): `check` throws
 * while an address may not try again, `failed` charges it.
 */
export interface AuthThrottle {
  check(peer: string): void;
  failed(peer: string): void;
}
export const AUTH_THROTTLE = Symbol('AUTH_THROTTLE');

/**
 * Who checks a console session (libs/console provides it): answers the signed-in operator as a
 * caller, or throws UNAUTHENTICATED saying why (none, expired, ended).
 */
export interface SessionAuthenticator {
  authenticate(request: object): Promise<Caller>;
}
export const SESSION_AUTHENTICATOR = Symbol('SESSION_AUTHENTICATOR');

export const ROLES_KEY = 'vss:roles';
export const SIGNED_IN_KEY = 'vss:signed-in';
export const PUBLIC_KEY = 'vss:public';

/** Open to unauthenticated callers: health probes and metrics scrapers only. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** The roles allowed to call a handler (or every handler of a controller). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/**
 * A console page or action: open to an operator signed in to the console who holds one of
 * `roles` (any operator role when none are given). API keys and certificates are not accepted
 * here, and sessions nowhere else.
 */
export const SignedIn = (...roles: OperatorRole[]) => SetMetadata(SIGNED_IN_KEY, roles);

interface Access {
  public: boolean;
  roles: Role[] | undefined;
  signedIn: OperatorRole[] | undefined;
  name: string;
}

/**
 * Authenticates every gRPC call and HTTP request — by client certificate when mTLS is set up
 * (see ClientCertificates), otherwise by its API key (`x-api-key`) — and checks the caller's
 * role against the handler's @Roles. A handler without @Roles is refused: access is granted
 * explicitly, never by omission.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  /** Decorators do not change at run time: read them once per handler, not once per call. */
  private readonly access = new WeakMap<object, Access>();

  constructor(
    @Inject(API_KEY_AUTHENTICATOR) private readonly keys: ApiKeyAuthenticator,
    private readonly reflector: Reflector,
    @Optional() @Inject(CLIENT_CERTIFICATES) private readonly certificates?: ClientCertificates,
    @Optional() @Inject(AUTH_THROTTLE) private readonly throttle?: AuthThrottle,
    @Optional() @Inject(SESSION_AUTHENTICATOR) private readonly sessions?: SessionAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.accessOf(context);
    if (access.public) return true;
    if (access.signedIn) return this.authorizeSession(context, access);
    const credentials = presentedCredentials(context);
    if (this.throttle && credentials.peer) {
      // A key verified lately costs nothing to check again: it passes even from an address
      // that is being throttled; anything else waits for the address's throttle.
      const known = credentials.peerCertificate ? undefined : this.keys.cachedCaller?.(credentials.apiKey);
      if (!known) this.throttle.check(credentials.peer);
      try {
        return await this.authorize(credentials, access, known);
      } catch (error) {
        if (error instanceof AppError && error.errorClass === ErrorClass.Unauthenticated) {
          this.throttle.failed(credentials.peer);
        }
        throw error;
      }
    }
    return this.authorize(credentials, access);
  }

  /** `known`: the key's caller, when the key cache already vouched for it. */
  private async authorize(
    credentials: PresentedCredentials,
    access: Access,
    known?: Caller,
  ): Promise<boolean> {
    if (credentials.refusedCertificate) {
      // A certificate that fails is refused outright, even beside a key: it says who the caller
      // meant to be, and that is not who TLS could confirm.
      throw securityError(
        SecurityErrorCode.CertificateRefused,
        `client certificate refused: ${credentials.refusedCertificate}`,
      );
    }
    const caller =
      credentials.peerCertificate && this.certificates
        ? await this.certificates.authenticate(credentials.peerCertificate)
        : (known ?? (await this.keys.authenticate(credentials.apiKey)));
    if (!access.roles || !access.roles.includes(caller.role)) {
      throw securityError(
        SecurityErrorCode.RoleNotAllowed,
        `the ${caller.role} role may not call ${access.name}`,
      );
    }
    attachCaller(credentials.carrier, caller);
    return true;
  }

  private async authorizeSession(context: ExecutionContext, access: Access): Promise<boolean> {
    const request = context.switchToHttp().getRequest<object>();
    if (context.getType() !== 'http' || !this.sessions) {
      throw securityError(SecurityErrorCode.RoleNotAllowed, `${access.name} is a console page`);
    }
    const caller = await this.sessions.authenticate(request);
    const roles = access.signedIn!;
    if (roles.length > 0 && !roles.some((role) => caller.operator?.roles.includes(role))) {
      throw securityError(
        SecurityErrorCode.OperatorRoleMissing,
        `this needs the ${oneOf(roles)} role; ${caller.operator?.login ?? caller.id} holds ${caller.operator?.roles.join(', ') || 'none'}`,
      );
    }
    attachCaller(request, caller);
    return true;
  }

  private accessOf(context: ExecutionContext): Access {
    const handler = context.getHandler();
    let access = this.access.get(handler);
    if (!access) {
      const targets = [handler, context.getClass()];
      access = {
        public: this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets) === true,
        roles: this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets),
        signedIn: this.reflector.getAllAndOverride<OperatorRole[] | undefined>(SIGNED_IN_KEY, targets),
        name: `${context.getClass().name.replace(/Grpc|Http|Controller/g, '')}.${handler.name}`,
      };
      this.access.set(handler, access);
    }
    return access;
  }
}

/** "a", "a or b", "a, b or c". */
function oneOf(words: readonly string[]): string {
  return words.length > 1
    ? `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`
    : (words[0] ?? '');
}
