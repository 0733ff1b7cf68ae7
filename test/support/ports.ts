export { freePort } from '@vss/persistence';
