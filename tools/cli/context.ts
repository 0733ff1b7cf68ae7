import * as grpc from '@grpc/grpc-js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { loadToolsConfig } from '@vss/platform';
import { serviceClient, unary } from '@vss/registry-client';
import { dataDir, readRuntime } from '../runtime';

/** The CA the CLI checks the gateway's certificate against: VSS_CA_FILE, else the one `npm start` made. */
export function caFile(): string {
  return loadToolsConfig().VSS_CA_FILE ?? join(dataDir(), 'pki', 'ca.crt');
}

/** Where the CLI finds the system: environment first, then what `npm start` wrote. */
export function cliContext() {
  const runtime = readRuntime();
  const config = loadToolsConfig();
  return {
    databaseUrl: config.DATABASE_URL ?? runtime?.databaseUrl,
    gatewayGrpc: config.VSS_GATEWAY_ADDRESS ?? runtime?.gatewayGrpc ?? '127.0.0.1:50051',
    gatewayHttp: config.VSS_GATEWAY_HTTP ?? runtime?.gatewayHttp ?? 'https://127.0.0.1:8080',
    /** The key the CLI calls the gateway with: VSS_API_KEY, else the demo key of the role needed. */
    apiKey: (role: 'clinic' | 'admin' | 'civilRegistry') => config.VSS_API_KEY ?? runtime?.keys[role],
    /** TLS to the gateway, its certificate checked against the CA; plaintext only with VSS_PLAINTEXT. */
    credentials(): grpc.ChannelCredentials {
      if (config.VSS_PLAINTEXT) return grpc.credentials.createInsecure();
      const ca = caFile();
      if (!existsSync(ca)) {
        throw new Error(
          `no CA certificate at ${ca}: set VSS_CA_FILE to the gateway's CA, or run \`npm start\` (it makes one)`,
        );
      }
      return grpc.credentials.createSsl(readFileSync(ca));
    },
    runtime,
  };
}

/** Runs `work` on a short-lived pool of the CLI's database (the operator's, the owner on a laptop). */
export async function withDatabase<T>(work: (pool: Pool) => Promise<T>, max = 2): Promise<T> {
  const pool = new Pool({ connectionString: requireDatabaseUrl(), max });
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
}

export function requireDatabaseUrl(): string {
  const url = cliContext().databaseUrl;
  if (!url)
    throw new Error('DATABASE_URL is not set and no `npm start` is running (.data/runtime.json missing)');
  return url;
}

/**
 * One call of a gateway service with the key of the role (VSS_API_KEY, else the demo key of
 * `npm start`); a refusal becomes an Error saying the status, the message and the field.
 */
export async function callGateway<Res>(
  service: { proto: string; name: string },
  method: string,
  request: object,
  role: 'clinic' | 'admin' | 'civilRegistry',
): Promise<Res> {
  const context = cliContext();
  const apiKey = context.apiKey(role);
  if (!apiKey)
    throw new Error(`no API key: set VSS_API_KEY or run \`npm start\` (it issues a demo ${role} key)`);
  const Service = serviceClient([service.proto], service.name);
  const client = new Service(context.gatewayGrpc, context.credentials());
  const metadata = new grpc.Metadata();
  metadata.set('x-api-key', apiKey);
  try {
    return await unary<object, Res>(client, method, request, { deadlineMs: 15_000, metadata });
  } catch (error) {
    const e = error as grpc.ServiceError;
    const field = e.metadata?.get('x-error-field')[0];
    throw new Error(`${grpc.status[e.code] ?? e.code}: ${e.details}${field ? ` (field ${field})` : ''}`, {
      cause: error,
    });
  } finally {
    client.close();
  }
}
