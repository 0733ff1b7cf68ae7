/**
 * Container health check: `node dist/tools/healthcheck.js grpc 127.0.0.1:50052` asks
 * grpc.health.v1 for SERVING; `node dist/tools/healthcheck.js http http://127.0.0.1:8080/readyz`
 * expects 200; `postgres URL` expects the database to answer. Exits 0 when healthy, 1 otherwise.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath } from 'grpc-health-check';
import { Client } from 'pg';

async function grpcHealthy(address: string): Promise<boolean> {
  const definition = protoLoader.loadSync(protoPath, { keepCase: true, enums: String, defaults: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } };
  };
  const client = new pkg.grpc.health.v1.Health(address, grpc.credentials.createInsecure());
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
