import { Client } from 'pg';
import { DataSource, type MixedList } from 'typeorm';
import type { MigrationSet } from './database';

/*
 * Migrations, by TypeORM: used by the tools (`db setup`, `db migrate`, `npm start`, the tests'
 * set-up), never by a running app, so that the apps' image can leave TypeORM out. Imported as
 * `@vss/persistence/migrate`, not through the package's index.
 */

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
