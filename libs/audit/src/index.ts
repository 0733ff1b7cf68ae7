export * from './access-history.repository';
export * from './audit-actions';
export * from './audit-trail';
export * from './audit-chain';
export * from './audit-checkpointer';
