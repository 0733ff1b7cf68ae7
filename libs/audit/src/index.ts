export * from './access-history.repository';
export * from './audit-actions';
export * from './audit-trail';
