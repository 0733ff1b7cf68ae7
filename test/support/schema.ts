import { NPD_MIGRATIONS, NPD_MIGRATIONS_TABLE } from '../../apps/population-registry/src/migrations';
import { createDataSource, migrate, VSS_MIGRATIONS, VSS_MIGRATIONS_TABLE } from '@vss/persistence';
import { SYNTH_MIGRATIONS, SYNTH_MIGRATIONS_TABLE } from '@vss/synthetic';

/** Every schema of the system (registry stub, gateway/worker, synthetic truth), migrated. */
export async function migrateAll(url: string): Promise<void> {
  for (const set of [
    { migrations: NPD_MIGRATIONS, migrationsTableName: NPD_MIGRATIONS_TABLE },
    { migrations: VSS_MIGRATIONS, migrationsTableName: VSS_MIGRATIONS_TABLE },
    { migrations: SYNTH_MIGRATIONS, migrationsTableName: SYNTH_MIGRATIONS_TABLE },
  ]) {
    const dataSource = createDataSource({ url, ...set, poolSize: 2 });
    await dataSource.initialize();
    try {
      await migrate(dataSource);
    } finally {
      await dataSource.destroy();
    }
  }
}
