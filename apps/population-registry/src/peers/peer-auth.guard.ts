import { type CanActivate, type ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type CallWithPeer, verifiedPeerOf } from '@vss/platform';
import { RegistryErrorCode, registryError } from '../citizens/citizens.errors';
import type { PeerRight } from './registry-peers.repository';
import type { RegistryPeers } from './registry-peers';

/** The registered peers; undefined when serving plaintext (development). */
export const REGISTRY_PEERS = Symbol('REGISTRY_PEERS');

const PEER_RIGHT = 'registry:peer-right';
/** The right a method needs. A method without one is refused to every peer. */
export const PeerRightNeeded = (right: PeerRight) => SetMetadata(PEER_RIGHT, right);

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/**
 * Callers of the registry are other agencies' systems, known by the client certificate TLS
 * verified against our CA (the handshake refuses any other) and registered with the registry by
 * its fingerprint, with rights per method (migration NpdRegistryPeers). A certificate of the CA
 * that was never registered, was revoked or has expired is UNAUTHENTICATED; a peer calling a
 * method outside its rights is PERMISSION_DENIED. Checked on every call, so a revocation reaches
 * connections already open.
 */
@Injectable()
export class PeerAuthGuard implements CanActivate {
  constructor(
    @Inject(REGISTRY_PEERS) private readonly peers: RegistryPeers | undefined,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.peers) return true;
    // Read once per connection; whether the peer may still call is checked below, every call.
    const certificate = verifiedPeerOf(context.getArgByIndex<CallWithPeer | undefined>(2));
    if (!certificate?.fingerprint256) {
      throw registryError(
        RegistryErrorCode.PeerUnauthenticated,
        'no verified client certificate: callers of the registry present a certificate issued by the CA it trusts',
      );
    }
    const subject = `${first(certificate.subject?.O) ?? ''}/${first(certificate.subject?.OU) ?? ''}`;
    const right = this.reflector.get<PeerRight | undefined>(PEER_RIGHT, context.getHandler());
    const check = this.peers.check(certificate.fingerprint256, right);
    if (check.ok) return true;
    const named = `the certificate ${subject} (SHA-256 ${certificate.fingerprint256.slice(0, 23)}…)`;
    switch (check.reason) {
      case 'unregistered':
        throw registryError(
          RegistryErrorCode.PeerUnauthenticated,
          `${named} is not a registered peer of the registry: its operator registers it with \`registry peers register\``,
        );
      case 'revoked':
        throw registryError(
          RegistryErrorCode.PeerUnauthenticated,
          `${named} was revoked as a peer of the registry`,
        );
      case 'expired':
        throw registryError(
          RegistryErrorCode.PeerUnauthenticated,
          `${named} has expired as a peer of the registry`,
        );
      case 'no-right':
        throw registryError(
          RegistryErrorCode.PeerNotAllowed,
          `${check.peer!.holder} (${subject}) may not call ${context.getHandler().name}: ` +
            (right
              ? `it needs the right "${right}"; this peer holds ${check.peer!.rights.join(', ') || 'none'}`
              : 'no peer may'),
        );
    }
  }
}
