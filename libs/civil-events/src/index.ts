export * from './api/civil-events.module';
export * from './engine/civil-events.jobs';
