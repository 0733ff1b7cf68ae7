import type { ExecutionContext } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import {
  type CallWithPeer,
  type TlsPeer,
  type TlsSocketLike,
  tlsSocketOf,
  verifiedPeerOf,
} from '@vss/platform';
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
  /** Why TLS did not verify the certificate the client sent, when it sent one that failed. */
  refusedCertificate?: string;
  /** Where the caller will be attached for `callerOf`: the gRPC metadata or the HTTP request. */
  carrier: object;
  /** The client's address (no port), for throttling failed authentications. */
  peer?: string;
}

/** `ipv4:10.0.0.5:51234` / `ipv6:[::1]:51234` / `10.0.0.5` → the address alone. */
export function peerAddress(peer: string | undefined): string | undefined {
  if (!peer) return undefined;
  const bare = peer.replace(/^(ipv4|ipv6|unix):/, '');
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(bare);
  if (bracketed) return bracketed[1];
  const v4 = /^(\d+\.\d+\.\d+\.\d+)(?::\d+)?$/.exec(bare);
  return v4 ? v4[1] : bare;
}

/**
 * Callers identified by client certificate (mTLS), provided by libs/api-keys: the guard
 * prefers a certificate TLS verified to a key, and the Caller it yields has `via: 'mtls'`.
 */
export interface ClientCertificates {
  authenticate(certificate: PeerCertificate): Promise<Caller>;
}

export const CLIENT_CERTIFICATES = Symbol('CLIENT_CERTIFICATES');

/** OpenSSL's verdicts, in words a caller's administrator can act on. */
function refusalReason(error: Error | string | undefined): string {
  const code =
    typeof error === 'string' ? error : ((error as { code?: string })?.code ?? error?.message ?? '');
  switch (code) {
    case 'CERT_HAS_EXPIRED':
      return 'it has expired; ask the gateway operator for a new one';
    case 'CERT_NOT_YET_VALID':
      return 'it is not valid yet (check the clock)';
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'CERT_SIGNATURE_FAILURE':
      return "it was not issued by the gateway's certificate authority";
    case 'INVALID_PURPOSE':
      return 'it is not a client certificate (wrong purpose: its extended key usage lacks clientAuth)';
    case 'CERT_REVOKED':
      return 'it has been revoked';
    default:
      return `TLS did not verify it (${code || 'unknown reason'})`;
  }
}

function refusedBy(socket: TlsSocketLike | undefined): string | undefined {
  if (!socket || socket.authorized || typeof socket.getPeerCertificate !== 'function') return undefined;
  const presented = socket.getPeerCertificate();
  if (!presented?.raw) return undefined; // no certificate sent: an API-key caller
  return refusalReason(socket.authorizationError);
}

function fromTlsPeer(peer: TlsPeer | undefined | null): PeerCertificate | undefined {
  if (!peer?.fingerprint256 || !peer.subject) return undefined;
  const subject = Object.entries(peer.subject)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(',');
  return { subject, fingerprint256: peer.fingerprint256 };
}

interface ConnectionCertificate {
  peerCertificate?: PeerCertificate;
  refusedCertificate?: string;
}

/** What each TLS connection's client certificate is, in the guard's terms. */
const byConnection = new WeakMap<object, ConnectionCertificate>();

/**
 * The client certificate of a gRPC call's connection, verified or refused, worked out at the
 * connection's first call (see verifiedPeerOf). The socket is read only for the reason of a
 * refusal: grpc-js reports a peer certificate only once TLS verified it.
 */
function connectionCertificate(call: CallWithPeer | undefined): ConnectionCertificate {
  const socket = tlsSocketOf(call);
  const known = socket ? byConnection.get(socket) : undefined;
  if (known) return known;
  const peerCertificate = fromTlsPeer(verifiedPeerOf(call));
  const read = { peerCertificate, refusedCertificate: peerCertificate ? undefined : refusedBy(socket) };
  if (socket) byConnection.set(socket, read);
  return read;
}

/** Reads the credentials of a gRPC call or an HTTP request. */
export function presentedCredentials(context: ExecutionContext): PresentedCredentials {
  if (context.getType<'rpc' | 'http'>() === 'rpc') {
    const metadata = context.switchToRpc().getContext<Metadata>();
    const value = metadata.get('x-api-key')[0];
    const call = context.getArgByIndex<
      { getAuthContext?: () => { sslPeerCertificate?: TlsPeer } | null; getPeer?: () => string } | undefined
    >(2);
    const { peerCertificate, refusedCertificate } = connectionCertificate(call);
    return {
      apiKey: typeof value === 'string' ? value : undefined,
      peerCertificate,
      refusedCertificate,
      carrier: metadata,
      peer: peerAddress(call?.getPeer?.()),
    };
  }
  const request = context.switchToHttp().getRequest<{
    headers: Record<string, string | string[] | undefined>;
    socket?: TlsSocketLike & { remoteAddress?: string };
  }>();
  const header = request.headers['x-api-key'];
  const socket = request.socket;
  return {
    apiKey: typeof header === 'string' ? header : undefined,
    peerCertificate: socket?.authorized ? fromTlsPeer(socket.getPeerCertificate?.()) : undefined,
    refusedCertificate: refusedBy(socket),
    carrier: request,
    peer: peerAddress(socket?.remoteAddress),
  };
}
