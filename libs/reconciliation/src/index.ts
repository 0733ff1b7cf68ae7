export * from './reconciliation.jobs';
export * from './reconciliation.module';
