export * from './access-history.repository';
export * from './audit-actions';
export * from './audit-trail';
export * from './audit-chain';
export * from './audit-checkpointer';
export * from './audit.metrics';
export * from './audit.module';
export * from './migrations';
