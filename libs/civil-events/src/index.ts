export * from './civil-events.jobs';
export * from './civil-events.module';
