/**
 * Injection tokens of the infrastructure every app is built on (see libs/core): the `pg`
 * pool of the hot paths, the job queue, the logger and the app's validated configuration.
 */
export const PG_POOL = Symbol('PG_POOL');
export const JOB_QUEUE = Symbol('JOB_QUEUE');
export const LOGGER = Symbol('LOGGER');
/** The app's configuration object (GatewayConfig in the gateway, WorkerConfig in the worker). */
export const APP_CONFIG = Symbol('APP_CONFIG');
