import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { register } from 'prom-client';
import { httpsOptions, type TlsFiles } from '../tls/tls';

export interface OperatorServer {
  /** `https://host:port` (or `http://` in plaintext development). */
  url: string;
  close(): Promise<void>;
}

/**
 * The operators' port: Prometheus metrics, apart from the callers' port. Over TLS it takes
 * only clients holding a certificate of our CA (a scraper's or the operator CLI's); metrics
 * name callers and volumes, which are not for the callers to read.
 */
export async function startOperatorServer(options: {
  host: string;
  port: number;
  tls: TlsFiles | undefined;
}): Promise<OperatorServer> {
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    response.setHeader('X-Content-Type-Options', 'nosniff');
    if (options.tls) response.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
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
