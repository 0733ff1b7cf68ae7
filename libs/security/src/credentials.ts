import type { ExecutionContext } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import type { Caller } from './caller';

/** A verified TLS client certificate, as the transport reports it. */
export interface PeerCertificate {
  /** The subject's distinguished name, e.g. `CN=01001,O=Bệnh viện Đa khoa Hà Nội`. */
  subject: string;
  /** SHA-256 fingerprint, `AA:BB:…`: what a registry of client certificates is keyed by. */
  fingerprint256: string;
}

/** What a call presented to prove who it is. */
export interface PresentedCredentials {
  apiKey?: string;
  /** Present only when the connection is TLS and the client sent a certificate the server verified. */
  peerCertificate?: PeerCertificate;
  /** Where the caller will be attached for `callerOf`: the gRPC metadata or the HTTP request. */
  carrier: object;
}

/**
 * Callers identified by client certificate (mTLS). Not provided today: the gateway serves
 * plaintext gRPC behind a TLS-terminating load balancer and callers present API keys. To turn
 * mTLS on, serve with `ServerCredentials.createSsl(ca, [keyCert], true)` and provide this
 * interface under CLIENT_CERTIFICATES (for instance a table of fingerprints next to
 * vss.api_keys); the guard then prefers a certificate to a key, and the Caller it yields has
 * `via: 'mtls'` and the certificate subject as its label.
 */
export interface ClientCertificates {
  authenticate(certificate: PeerCertificate): Promise<Caller>;
}

export const CLIENT_CERTIFICATES = Symbol('CLIENT_CERTIFICATES');

interface TlsPeer {
  subject?: Record<string, string | string[]>;
  fingerprint256?: string;
}

function fromTlsPeer(peer: TlsPeer | undefined | null): PeerCertificate | undefined {
  if (!peer?.fingerprint256 || !peer.subject) return undefined;
  const subject = Object.entries(peer.subject)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(',');
  return { subject, fingerprint256: peer.fingerprint256 };
}

/** Reads the credentials of a gRPC call or an HTTP request. */
export function presentedCredentials(context: ExecutionContext): PresentedCredentials {
  if (context.getType<'rpc' | 'http'>() === 'rpc') {
    const metadata = context.switchToRpc().getContext<Metadata>();
    const value = metadata.get('x-api-key')[0];
    const call = context.getArgByIndex<
      { getAuthContext?: () => { sslPeerCertificate?: TlsPeer } } | undefined
    >(2);
    return {
      apiKey: typeof value === 'string' ? value : undefined,
      peerCertificate: fromTlsPeer(call?.getAuthContext?.().sslPeerCertificate),
      carrier: metadata,
    };
  }
  const request = context.switchToHttp().getRequest<{
    headers: Record<string, string | string[] | undefined>;
    socket?: { authorized?: boolean; getPeerCertificate?: () => TlsPeer };
  }>();
  const header = request.headers['x-api-key'];
  const socket = request.socket;
  return {
    apiKey: typeof header === 'string' ? header : undefined,
    peerCertificate: socket?.authorized ? fromTlsPeer(socket.getPeerCertificate?.()) : undefined,
    carrier: request,
  };
}
