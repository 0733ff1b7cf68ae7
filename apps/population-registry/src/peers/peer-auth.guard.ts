import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { timingSafeEqual } from 'node:crypto';
import { RegistryErrorCode, registryError } from '../citizens/citizens.errors';

export const PEER_TOKEN = Symbol('PEER_TOKEN');

/**
 * Callers of the registry are other agencies' systems (role registry-peer). They present
 * a shared token in `x-registry-token`; mutual TLS takes its place in production.
 */
@Injectable()
export class PeerAuthGuard implements CanActivate {
  private readonly expected: Buffer;
  constructor(@Inject(PEER_TOKEN) token: string) {
    this.expected = Buffer.from(token);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.expected.length === 0) return true;
    const metadata = context.switchToRpc().getContext<Metadata>();
    const presented = metadata?.get?.('x-registry-token')?.[0];
    const given = Buffer.from(typeof presented === 'string' ? presented : '');
    if (given.length !== this.expected.length || !timingSafeEqual(given, this.expected)) {
      throw registryError(
        RegistryErrorCode.PeerUnauthenticated,
        'missing or wrong x-registry-token: callers of the registry must present their peer token',
      );
    }
    return true;
  }
}
