import { migrateSchemas, VSS_SCHEMA } from '@vss/persistence';
import { SYNTH_SCHEMA } from '@vss/synthetic';
import { NPD_SCHEMA } from '../apps/population-registry/src/migrations';

/**
 * Every schema of the system in the order they depend on each other: the registry stub's
 * `npd`, the gateway and worker's `vss`, the generator's `synth`. What `npm start`, the
 * seeder, the benchmarks and the tests migrate; each app migrates only its own.
 */
export const ALL_SCHEMAS = [NPD_SCHEMA, VSS_SCHEMA, SYNTH_SCHEMA];

export async function migrateAll(url: string): Promise<void> {
  await migrateSchemas(url, ALL_SCHEMAS);
}
