import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { RegistryErrorCode, registryError } from '../citizens/citizens.errors';

/** The peers allowed to call, as `member/subsystem`; undefined when serving plaintext (development). */
export const ALLOWED_PEERS = Symbol('ALLOWED_PEERS');

interface AuthenticatedCall {
  getAuthContext?: () => { sslPeerCertificate?: { subject?: Record<string, string | string[]> } } | null;
}

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/**
 * Callers of the registry are other agencies' systems, known by the client certificate TLS
 * verified against our CA (the handshake refuses any other): its organisation is the member,
 * its unit the subsystem, e.g. `VSS/gateway`. Only the configured peers may call.
 */
@Injectable()
export class PeerAuthGuard implements CanActivate {
  private readonly allowed: Set<string> | undefined;

  constructor(@Inject(ALLOWED_PEERS) allowed: string[] | undefined) {
    this.allowed = allowed ? new Set(allowed) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.allowed) return true;
    const call = context.getArgByIndex<AuthenticatedCall | undefined>(2);
    const subject = call?.getAuthContext?.()?.sslPeerCertificate?.subject;
    if (!subject) {
      throw registryError(
        RegistryErrorCode.PeerUnauthenticated,
        'no verified client certificate: callers of the registry present a certificate issued by the CA it trusts',
      );
    }
    const peer = `${first(subject.O) ?? ''}/${first(subject.OU) ?? ''}`;
    if (!this.allowed.has(peer)) {
      throw registryError(
        RegistryErrorCode.PeerNotAllowed,
        `${peer} is not a peer of the registry; allowed: ${[...this.allowed].join(', ')}`,
      );
    }
    return true;
  }
}
