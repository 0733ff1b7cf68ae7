import { NpdCitizens1763900000000 } from './1763900000000-NpdCitizens';
import { NpdDemographicSearch1763900008100 } from './1763900008100-NpdDemographicSearch';
import { NpdRegistryPeers1763900019000 } from './1763900019000-NpdRegistryPeers';

/** Every migration of the registry stub's `npd` schema, in order. */
export const NPD_MIGRATIONS = [
  NpdCitizens1763900000000,
  NpdDemographicSearch1763900008100,
  NpdRegistryPeers1763900019000,
];

export const NPD_MIGRATIONS_TABLE = 'npd_migrations';

/** The `npd` schema's migration history. */
export const NPD_SCHEMA = { migrations: NPD_MIGRATIONS, migrationsTableName: NPD_MIGRATIONS_TABLE };
