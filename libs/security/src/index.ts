export * from './api-keys';
export * from './audit-trail';
export * from './auth.guard';
export * from './caller';
export * from './change-feed';
export * from './credentials';
export * from './security.errors';
