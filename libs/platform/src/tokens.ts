/**
 * Injection tokens of the infrastructure every app is built on (see libs/core): the `pg`
 * pool of the hot paths, the job queue, the logger and the app's validated configuration.
 */
export const PG_POOL = Symbol('PG_POOL');
/**
 * The pool of coverage lookups and of authentication, apart from everything else, so that no
 * other work (admin listings, watches, reconciliation) can take its connections.
 */
export const LOOKUP_POOL = Symbol('LOOKUP_POOL');
/** The pool watches read changed procedures and runs from (they are pushed by LISTEN/NOTIFY). */
export const WATCH_POOL = Symbol('WATCH_POOL');
export const JOB_QUEUE = Symbol('JOB_QUEUE');
export const LOGGER = Symbol('LOGGER');
/** The app's configuration object (GatewayConfig in the gateway, WorkerConfig in the worker). */
export const APP_CONFIG = Symbol('APP_CONFIG');
/** The app's audit trail (started with the infrastructure; libs/audit's AuditModule provides it as AuditTrail). */
export const AUDIT_TRAIL = Symbol('AUDIT_TRAIL');
/** The process's ChangeHub: one LISTEN connection for every watch stream. */
export const CHANGE_HUB = Symbol('CHANGE_HUB');
