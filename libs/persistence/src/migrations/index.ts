import { VssCore1763900000000 } from './1763900000000-VssCore';

/** Every migration of the `vss` schema, in order. Features append theirs here. */
export const VSS_MIGRATIONS = [VssCore1763900000000];

export const VSS_MIGRATIONS_TABLE = 'vss_migrations';
