/**
 * Synthetic population for development, demos and measurement: a registry of citizens, the
 * insurance records derived from it with injected discrepancies, and the truth of each.
 */
export * from './rows';
export {
  createPopulation,
  DEFAULT_SEED,
  resolveGeneratorOptions,
  type GeneratorOptions,
  type Population,
  type ResolvedGeneratorOptions,
} from './generator';
export { DEMO_PEOPLE, type DemoKey, type DemoPerson } from './demo-people';
export {
  DEFAULT_DISCREPANCY_RATES,
  DISCREPANCY_KINDS,
  OUTCOME_OF,
  resolveRates,
  type DiscrepancyKind,
  type DiscrepancyRates,
} from './discrepancies';
export { facilityCountsByProvince, NATIONAL_FACILITY_COUNT, PEOPLE_PER_FACILITY } from './facilities';
export {
  AlreadySeededError,
  loadPopulation,
  type LoadOptions,
  type LoadProgress,
  type LoadReport,
  type RowCounts,
} from './loader';
export { SYNTH_MIGRATIONS, SYNTH_MIGRATIONS_TABLE, SYNTH_SCHEMA } from './migrations';
