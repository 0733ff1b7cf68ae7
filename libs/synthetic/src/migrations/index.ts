import { SynthTruth1763900000100 } from './1763900000100-SynthTruth';

/** Every migration of the generator's `synth` schema, in order. */
export const SYNTH_MIGRATIONS = [SynthTruth1763900000100];

export const SYNTH_MIGRATIONS_TABLE = 'synth_migrations';

/** The `synth` schema's migration history. */
export const SYNTH_SCHEMA = { migrations: SYNTH_MIGRATIONS, migrationsTableName: SYNTH_MIGRATIONS_TABLE };
