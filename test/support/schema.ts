import { NPD_MIGRATIONS, NPD_MIGRATIONS_TABLE } from '../../apps/population-registry/src/migrations';
import { createDataSource, migrate, VSS_MIGRATIONS, VSS_MIGRATIONS_TABLE } from '@vss/persistence';

/** Every schema of the system (registry stub, gateway/worker, synthetic truth), migrated. */
export async function migrateAll(url: string): Promise<void> {
  const sets = [
    { migrations: NPD_MIGRATIONS, migrationsTableName: NPD_MIGRATIONS_TABLE },
    { migrations: VSS_MIGRATIONS, migrationsTableName: VSS_MIGRATIONS_TABLE },
    ...(await synthMigrations()),
  ];
  for (const set of sets) {
    const dataSource = createDataSource({ url, ...set, poolSize: 1 });
    await dataSource.initialize();
    try {
      await migrate(dataSource);
    } finally {
      await dataSource.destroy();
    }
  }
}

async function synthMigrations() {
  try {
    const synth = await import('@vss/synthetic');
    return [{ migrations: synth.SYNTH_MIGRATIONS, migrationsTableName: synth.SYNTH_MIGRATIONS_TABLE }];
  } catch {
    return [];
  }
}
