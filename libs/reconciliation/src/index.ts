export * from './api/reconciliation.module';
export * from './engine/reconciliation.jobs';
export * from './match-models';
export * from './model-trainer';
export { toRegistryPerson } from './registry-person';
export * from './api/runs.service';
export * from './api/findings.service';
export * from './run-report.repository';
