export * from './api-keys';
export * from './client-certificates';
