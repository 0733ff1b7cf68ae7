export * from './reconciliation.jobs';
export * from './reconciliation.module';
export * from './match-models';
export * from './model-trainer';
export { toRegistryPerson } from './registry-person';
