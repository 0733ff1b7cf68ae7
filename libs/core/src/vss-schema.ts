import { AUDIT_MIGRATIONS } from '@vss/audit';
import { type MigrationSet, VSS_MIGRATIONS, VSS_MIGRATIONS_TABLE } from '@vss/persistence';

/**
 * The `vss` schema's one migration history: the migrations kept in libs/persistence and those
 * of the features that own their SQL (libs/audit). TypeORM runs them by their names' timestamps.
 */
export const VSS_SCHEMA: MigrationSet = {
  migrations: [...VSS_MIGRATIONS, ...AUDIT_MIGRATIONS],
  migrationsTableName: VSS_MIGRATIONS_TABLE,
};
