export * from './auth-throttle';
export * from './caller-limits';
export * from './limits.errors';
export * from './limits.interceptor';
export * from './limits.module';
export * from './limit-overrides';
