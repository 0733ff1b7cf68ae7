export * from './coverage.module';
export * from './coverage.service';
export * from './coverage.records';
export * from './coverage.metrics';
export * from './person.service';
export { BATCH_LIMIT } from './coverage.request';
