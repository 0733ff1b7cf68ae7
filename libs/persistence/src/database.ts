import { Client, Pool } from 'pg';
import { DataSource, type MixedList } from 'typeorm';

export interface DataSourceSpec {
  url: string;
  /** Names the migration history table, one per schema owner (npd, vss, synth). */
  migrationsTableName: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  poolSize?: number;
  applicationName?: string;
}

/** A TypeORM data source that never synchronises: the schema changes only through migrations. */
export function createDataSource(spec: DataSourceSpec): DataSource {
  return new DataSource({
    type: 'postgres',
    url: spec.url,
    entities: [],
    migrations: spec.migrations,
    migrationsTableName: spec.migrationsTableName,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['error'],
    applicationName: spec.applicationName,
    extra: { max: spec.poolSize ?? 10 },
  });
}

/** One schema owner's migration history: its migrations and the table that records them. */
export interface MigrationSet {
  migrationsTableName: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
}

/**
 * Brings one schema up to date on a short-lived data source of its own (the apps serve from
 * `pg` pools; TypeORM is for migrations only). Answers the migrations that ran.
 */
export async function migrateSchema(
  url: string,
  set: MigrationSet,
  applicationName = 'migrate',
): Promise<string[]> {
  const dataSource = createDataSource({ url, ...set, poolSize: 2, applicationName });
  await dataSource.initialize();
  try {
    return await migrate(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

/** Every schema in order, each under its own lock. */
export async function migrateSchemas(url: string, sets: readonly MigrationSet[]): Promise<void> {
  for (const set of sets) await migrateSchema(url, set);
}

/**
 * Runs pending migrations under a PostgreSQL advisory lock, so that apps starting side by
 * side against one database migrate it once.
 */
export async function migrate(dataSource: DataSource): Promise<string[]> {
  const lockKey = hashKey(`migrate:${dataSource.options.migrationsTableName}`);
  // The lock is held on a connection of its own, outside the data source's pool.
  const lock = new Client({ connectionString: (dataSource.options as { url?: string }).url });
  lock.on('error', () => undefined);
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [lockKey]);
    const ran = await dataSource.runMigrations({ transaction: 'each' });
    return ran.map((m) => m.name);
  } finally {
    await lock.end().catch(() => undefined);
  }
}

function hashKey(text: string): number {
  let h = 0;
  for (const ch of text) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h;
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
