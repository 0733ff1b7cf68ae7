import { readRuntime } from '../runtime';

/** Where the CLI finds the system: environment first, then what `npm start` wrote. */
export function cliContext() {
  const runtime = readRuntime();
  return {
    databaseUrl: process.env.DATABASE_URL ?? runtime?.databaseUrl,
    gatewayGrpc: process.env.VSS_GATEWAY_ADDRESS ?? runtime?.gatewayGrpc ?? '127.0.0.1:50051',
    gatewayHttp: process.env.VSS_GATEWAY_HTTP ?? runtime?.gatewayHttp ?? 'http://127.0.0.1:8080',
    /** The key the CLI calls the gateway with: VSS_API_KEY, else the demo key of the role needed. */
    apiKey: (role: 'clinic' | 'admin' | 'civilRegistry') => process.env.VSS_API_KEY ?? runtime?.keys[role],
    runtime,
  };
}

export function requireDatabaseUrl(): string {
  const url = cliContext().databaseUrl;
  if (!url)
    throw new Error('DATABASE_URL is not set and no `npm start` is running (.data/runtime.json missing)');
  return url;
}
