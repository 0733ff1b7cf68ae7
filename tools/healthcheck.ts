/**
 * Container health check: `node dist/tools/healthcheck.js grpc 127.0.0.1:50052` asks
 * grpc.health.v1 for SERVING; `node dist/tools/healthcheck.js http https://127.0.0.1:8080/readyz`
 * expects 200; `postgres URL` expects the database to answer. Exits 0 when healthy, 1 otherwise.
 * Over TLS with the container's own files (TLS_CA_FILE, TLS_CERT_FILE, TLS_KEY_FILE): the
 * server is checked against the CA and the app's certificate is presented, as its peers do.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath } from 'grpc-health-check';
import { readFileSync } from 'node:fs';
import { get } from 'node:https';
import { Client } from 'pg';
import { loadToolsConfig } from '@vss/platform';

const env = loadToolsConfig();
const tls =
  env.VSS_PLAINTEXT || !env.TLS_CA_FILE
    ? undefined
    : {
        ca: readFileSync(env.TLS_CA_FILE),
        cert: env.TLS_CERT_FILE ? readFileSync(env.TLS_CERT_FILE) : undefined,
        key: env.TLS_KEY_FILE ? readFileSync(env.TLS_KEY_FILE) : undefined,
      };

async function grpcHealthy(address: string): Promise<boolean> {
  const definition = protoLoader.loadSync(protoPath, { keepCase: true, enums: String, defaults: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } };
  };
  const credentials = tls
    ? grpc.credentials.createSsl(tls.ca, tls.key ?? null, tls.cert ?? null)
    : grpc.credentials.createInsecure();
  const client = new pkg.grpc.health.v1.Health(address, credentials);
  return new Promise((resolve) => {
    (client as unknown as Record<string, (...a: unknown[]) => void>).Check(
      { service: '' },
      { deadline: Date.now() + 2000 },
      (error: unknown, res: { status?: string }) => {
        client.close();
        resolve(!error && res?.status === 'SERVING');
      },
    );
  });
}

async function httpHealthy(url: string): Promise<boolean> {
  if (url.startsWith('https:')) {
    return new Promise((resolve) => {
      const request = get(url, { ca: tls?.ca, timeout: 2000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      request.on('error', () => resolve(false));
      request.on('timeout', () => request.destroy());
    });
  }
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

async function postgresHealthy(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const [kind, target] = process.argv.slice(2);
const checks: Record<string, (t: string) => Promise<boolean>> = {
  grpc: grpcHealthy,
  http: httpHealthy,
  postgres: postgresHealthy,
};
const check = (checks[kind] ?? (async () => false))(target);
check.then((ok) => process.exit(ok ? 0 : 1));
