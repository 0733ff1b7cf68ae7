export * from './api/civil-events.module';
export * from './engine/civil-events.jobs';
export * from './api/procedures.service';
export type { StateCountRow, StepAttemptRow } from './procedure-reads.repository';
