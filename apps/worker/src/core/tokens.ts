/** Injection tokens of the worker's shared infrastructure. */
export const PG_POOL = Symbol('PG_POOL');
export const JOB_QUEUE = Symbol('JOB_QUEUE');
export const LOGGER = Symbol('LOGGER');
export const WORKER_CONFIG = Symbol('WORKER_CONFIG');
