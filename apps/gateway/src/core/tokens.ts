/** Injection tokens of the gateway's shared infrastructure. */
export const PG_POOL = Symbol('PG_POOL');
export const JOB_QUEUE = Symbol('JOB_QUEUE');
export const LOGGER = Symbol('LOGGER');
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
