export * from './console.module';
export * from './sessions/console-sessions';
