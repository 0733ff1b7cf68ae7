import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { register } from 'prom-client';
import { httpsOptions, type TlsFiles } from '../tls/tls';

export interface OperatorServer {
  /** `https://host:port` (or `http://` in plaintext development). */
  url: string;
  close(): Promise<void>;
}

/**
 * Says why the holder of a client certificate (verified by TLS against the CA) may not use the
 * operator port, or undefined when it may.
 */
export type OperatorPortAdmission = (certificate: {
  subject: string;
  fingerprint256: string;
}) => Promise<string | undefined>;

/**
 * The operators' port: Prometheus metrics, apart from the callers' port. Over TLS it takes only
 * clients holding a certificate of our CA, and of those only the ones `admit` lets in (the
 * gateway: certificates registered to a named operator, checked on every request, so a revoked or
 * expired one is refused on an open connection); metrics name callers and volumes, which are not
 * for the callers to read.
 */
export async function startOperatorServer(options: {
  host: string;
  port: number;
  tls: TlsFiles | undefined;
  admit?: OperatorPortAdmission;
}): Promise<OperatorServer> {
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    response.setHeader('X-Content-Type-Options', 'nosniff');
    if (options.tls) response.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    const admit = options.tls ? options.admit : undefined;
    if (!admit) {
      serve(request, response);
      return;
    }
    const peer = (request.socket as TLSSocket).getPeerCertificate?.();
    const presented = peer?.fingerprint256
      ? {
          subject: Object.entries(peer.subject ?? {})
            .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
            .join(','),
          fingerprint256: peer.fingerprint256,
        }
      : undefined;
    (presented ? admit(presented) : Promise.resolve('no client certificate was presented')).then(
      (refusal) => {
        if (refusal === undefined) serve(request, response);
        else
          response
            .writeHead(403, { 'content-type': 'text/plain' })
            .end(`forbidden: this port serves operators' registered certificates only: ${refusal}\n`);
      },
      () =>
        response.writeHead(503, { 'content-type': 'text/plain' }).end('cannot check the certificate now\n'),
    );
  };
  const serve = (request: IncomingMessage, response: ServerResponse) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: this port serves /metrics\n');
      return;
    }
    register.metrics().then(
      (body) => response.writeHead(200, { 'content-type': register.contentType }).end(body),
      () => response.writeHead(500).end(),
    );
  };
  const server = options.tls
    ? createHttpsServer({ ...httpsOptions(options.tls), rejectUnauthorized: true }, handler)
    : createHttpServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
