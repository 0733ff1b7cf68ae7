export * from './api-keys';
export { ADMIN_KEY_DAYS } from './key-format';
export * from './client-certificates';
