export * from './auth.guard';
export * from './caller';
export * from './credentials';
export * from './security.errors';
