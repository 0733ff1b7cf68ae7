/**
 * A gRPC call's client certificate, read once per connection. grpc-js reads it from the TLS socket
 * on every call (`getAuthContext`), and reading it builds the whole certificate anew as a JS
 * object, fingerprints and all. A TLS 1.3 connection cannot change its peer (no renegotiation), so
 * what its first call read holds for every later call on it. Only the certificate is kept per
 * connection; whether its holder may still call (registration, revocation) is checked per call.
 */

/** The certificate as Node's TLS reports it. */
export interface TlsPeer {
  subject?: Record<string, string | string[]>;
  fingerprint256?: string;
  raw?: Buffer;
}

export interface TlsSocketLike {
  authorized?: boolean;
  authorizationError?: Error | string;
  getPeerCertificate?: () => TlsPeer;
}

/** What a grpc-js server call offers to read its peer. */
export interface CallWithPeer {
  getAuthContext?: () => { sslPeerCertificate?: TlsPeer } | null;
}

/**
 * The TLS socket under a gRPC call, where the call's structure allows (grpc-js 1.14:
 * call → interceptors → stream.session.socket); undefined otherwise.
 */
export function tlsSocketOf(call: unknown): TlsSocketLike | undefined {
  let node = call as Record<string, unknown> | undefined;
  for (let depth = 0; node && depth < 8; depth++) {
    const stream = node.stream as { session?: { socket?: TlsSocketLike } } | undefined;
    if (stream?.session?.socket) return stream.session.socket;
    node = (node.call ?? node.nextCall) as Record<string, unknown> | undefined;
  }
  return undefined;
}

const verified = new WeakMap<object, { peer: TlsPeer | undefined }>();

/**
 * The certificate TLS verified for the call's connection (grpc-js reports one only then), or
 * undefined; read at the connection's first call.
 */
export function verifiedPeerOf(call: CallWithPeer | undefined): TlsPeer | undefined {
  const socket = tlsSocketOf(call);
  const known = socket ? verified.get(socket) : undefined;
  if (known) return known.peer;
  const peer = call?.getAuthContext?.()?.sslPeerCertificate;
  if (socket) verified.set(socket, { peer });
  return peer;
}
