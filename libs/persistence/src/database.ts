import { Client, Pool } from 'pg';
// Types only: the apps serve from `pg` pools and load no TypeORM (migrate.ts does, for the tools).
import type { MixedList } from 'typeorm';

/** One schema owner's migration history: its migrations and the table that records them. */
export interface MigrationSet {
  migrationsTableName: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
}

export interface PoolOptions {
  /** Called with a connection error of the pool or of any of its clients, idle or checked out. */
  onError?: (error: Error) => void;
  /** How long a call waits for a connection before it fails (a black-holed database). */
  connectTimeoutMs?: number;
  /**
   * Longest statement: the server cancels it (statement_timeout) and the client gives up a
   * second later if the server cannot even answer (query_timeout).
   */
  statementTimeoutMs?: number;
  /**
   * Plans each prepared statement once per connection (plan_cache_mode=force_generic_plan): for
   * pools of point lookups by key, whose best plan does not depend on the values. Left to itself
   * PostgreSQL keeps planning `= ANY($1)` anew on every call, a custom plan costing more than
   * the execution it plans.
   */
  genericPlans?: boolean;
}

/**
 * A plain `pg` pool for the hot paths that use hand-written, prepared SQL. It survives the loss
 * of its server: every client, idle or checked out, has an error listener (pg emits 'error' on
 * a checked-out client whose connection dies, and an unheard 'error' ends the process); broken
 * clients are dropped and the next call connects anew.
 */
export function createPool(url: string, max = 10, applicationName?: string, options: PoolOptions = {}): Pool {
  const pool = new Pool({
    connectionString: url,
    max,
    application_name: applicationName,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    ...(options.genericPlans ? { options: '-c plan_cache_mode=force_generic_plan' } : {}),
    ...(options.statementTimeoutMs
      ? { statement_timeout: options.statementTimeoutMs, query_timeout: options.statementTimeoutMs + 1000 }
      : {}),
  });
  const onError = options.onError ?? (() => undefined);
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  return pool;
}

/** The URL with its password hidden, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/**
 * Fails fast with one readable sentence when the database cannot be reached, instead of
 * a stack of retries: used at start-up.
 */
export async function checkDatabaseReachable(url: string, timeoutMs = 5000): Promise<void> {
  let client: Client;
  try {
    client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  } catch (error) {
    throw new Error(`DATABASE_URL ${redactUrl(url)} is not usable: ${(error as Error).message}`, {
      cause: error,
    });
  }
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    const reason = (error as Error).message || (error as { code?: string }).code || 'connection failed';
    throw new Error(`cannot reach the database at ${redactUrl(url)}: ${reason}`, { cause: error });
  } finally {
    await client.end().catch(() => undefined);
  }
}
