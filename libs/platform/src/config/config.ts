import { LimitSpecError, parseLimitSpec, ROLE_DEFAULTS, type Role } from '@vss/domain';
import { z } from 'zod';
import { defaultSecrets, type SecretBearing } from './deployment-checks';

/** Thrown at start-up when environment variables are missing or malformed; lists every problem. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
  }
}

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
const postgresUrl = z
  .string()
  .refine((v) => /^postgres(ql)?:\/\/.+/.test(v), 'must be a postgres:// URL')
  .optional();

/** A role's limits: its defaults with what the variable changes (`rate=20,daily=off`, …). */
const roleLimits = (role: Role) =>
  z
    .string()
    .default('')
    .transform((text, context) => {
      try {
        return parseLimitSpec(text, ROLE_DEFAULTS[role]);
      } catch (error) {
        if (!(error instanceof LimitSpecError)) throw error;
        context.addIssue({ code: 'custom', message: error.message });
        return z.NEVER;
      }
    });

const common = {
  /** `production` makes every laptop allowance (plaintext, default passwords, unsigned audit) an error. */
  NODE_ENV: z.string().optional(),
  DATABASE_URL: postgresUrl,
  /** Where `npm start` keeps the embedded PostgreSQL data when DATABASE_URL is unset. */
  VSS_DATA_DIR: z.string().default('.data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Address the servers bind; 127.0.0.1 on a laptop, 0.0.0.0 in a container. */
  BIND_HOST: z.string().default('127.0.0.1'),
  GRPC_MAX_MESSAGE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(4 * 1024 * 1024),
  /** Calls one client connection may have open at once (HTTP/2 max concurrent streams). */
  GRPC_MAX_CONCURRENT_STREAMS: z.coerce.number().int().min(1).default(1000),
  /**
   * gRPC server reflection, which lists every service and message to anyone who connects,
   * before authentication. Unset: on a laptop, off when deployed (grpcReflection()).
   */
  GRPC_REFLECTION: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1' || v === 'yes')),
  /** Connections of the general pool: admin work, procedures, reconciliation, the worker's steps. */
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** Connections kept for coverage lookups and authentication alone. */
  DB_LOOKUP_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(8),
  /** Connections kept for the audit trail alone. */
  DB_AUDIT_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(4),
  /** Connections watches read from (one LISTEN connection per process tells them when). */
  DB_WATCH_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(2),
  /** How long a query waits for a connection to the database before it fails. */
  DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
  /** Longest statement of the general, audit and watch pools. */
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  /** Longest statement of a lookup (a lookup's whole budget is far less). */
  DB_LOOKUP_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(2000),
  /** Watch streams are pushed by NOTIFY; while the LISTEN connection is down they look this often. */
  WATCH_FALLBACK_POLL_MS: z.coerce.number().int().min(100).default(2000),
  /** Longest wait before an audit batch is committed (group commit). */
  AUDIT_FLUSH_MS: z.coerce.number().int().min(0).default(2),
  /** Most audit entries one group commit writes. */
  AUDIT_MAX_BATCH: z.coerce.number().int().min(1).default(500),
  /**
   * Development only: serve and call without TLS. Refused with NODE_ENV=production or a
   * listener off loopback.
   */
  VSS_PLAINTEXT: flag(false),
  /** The CA every peer's certificate is checked against; default `<VSS_DATA_DIR>/pki/ca.crt`. */
  TLS_CA_FILE: z.string().min(1).optional(),
  /** This app's certificate; default `<VSS_DATA_DIR>/pki/<app>.crt`. */
  TLS_CERT_FILE: z.string().min(1).optional(),
  /** This app's private key; default `<VSS_DATA_DIR>/pki/<app>.key`. */
  TLS_KEY_FILE: z.string().min(1).optional(),
};

export const registryConfigSchema = z.object({
  ...common,
  REGISTRY_GRPC_PORT: port(50052),
  /** Fault injection for tests: added latency per call. */
  REGISTRY_FAULT_LATENCY_MS: z.coerce.number().int().min(0).default(0),
  /** Fault injection for tests: share of calls answered UNAVAILABLE, 0..1. */
  REGISTRY_FAULT_UNAVAILABLE_RATE: z.coerce.number().min(0).max(1).default(0),
  /** Fault injection for tests: refuse every call with UNAVAILABLE. */
  REGISTRY_FAULT_REFUSE_ALL: flag(false),
});

export const gatewayConfigSchema = z.object({
  ...common,
  GATEWAY_GRPC_PORT: port(50051),
  GATEWAY_HTTP_PORT: port(8080),
  /**
   * On SIGTERM: watch streams end at once (UNAVAILABLE, reconnect elsewhere); calls in flight get
   * this long to finish before the servers close anyway. The audit trail is flushed either way.
   */
  SHUTDOWN_DRAIN_SECONDS: z.coerce.number().int().min(0).max(600).default(10),
  /** Serves /metrics, apart from the callers' HTTP port; on loopback unless OPERATOR_BIND_HOST says otherwise. */
  OPERATOR_HTTP_PORT: port(9464),
  OPERATOR_BIND_HOST: z.string().default('127.0.0.1'),
  REGISTRY_ADDRESS: z.string().default('localhost:50052'),
  /** Deadline of identity checks against the registry on the lookup path. */
  REGISTRY_LOOKUP_DEADLINE_MS: z.coerce.number().int().min(1).default(250),
  /** Deadline of other registry calls. */
  REGISTRY_DEADLINE_MS: z.coerce.number().int().min(1).default(5000),
  /** The ed25519 key (PKCS#8 PEM) that signs audit checkpoints; default `<VSS_DATA_DIR>/pki/audit-signing.key`. */
  AUDIT_SIGNING_KEY_FILE: z.string().min(1).optional(),
  /**
   * The witness file: every tree head this gateway signs is appended to it as a JSON line, on
   * storage apart from the database's (`audit verify --witness` trusts only such files).
   * Default `<VSS_DATA_DIR>/audit-witness.jsonl`; required when deployed.
   */
  AUDIT_WITNESS_FILE: z.string().min(1).optional(),
  /** How often the head of the audit chain is signed into a checkpoint (when it moved); 0 turns it off. */
  AUDIT_CHECKPOINT_SECONDS: z.coerce.number().int().min(0).default(60),
  /**
   * Per-caller limits of each role, over the built-in defaults (docs/operations.md), e.g.
   * `rate=20,burst=500,daily=10000,calls=32,streams=4,stream-seconds=3600`; `off` lifts one.
   * Per-key limits: `npm run cli -- limits set`.
   */
  CALLER_LIMITS_CLINIC: roleLimits('clinic'),
  CALLER_LIMITS_CIVIL_REGISTRY: roleLimits('civil-registry'),
  CALLER_LIMITS_ADMIN: roleLimits('admin'),
  /**
   * The secret that signs the console's session cookies (32 bytes or more, in a file). Unset on
   * a laptop: `<VSS_DATA_DIR>/console-session.secret`, made on first start; required when deployed.
   */
  CONSOLE_SESSION_SECRET_FILE: z.string().min(1).optional(),
  /**
   * The CA's private key (PEM), for the console to sign client certificates from certificate
   * requests at once. Unset (the default when deployed): the CA's key stays on the operator's
   * machine and requests are signed there (`certs sign`). On a laptop, `.data/pki/ca.key`.
   */
  CONSOLE_CA_KEY_FILE: z.string().min(1).optional(),
  /** Off only to measure what the limits cost (bench:lookup). */
  CALLER_LIMITS_ENABLED: flag(true),
  /** How often a gateway adds its spending to the fleet's (daily quotas) and counts the fleet. */
  CALLER_LIMITS_SYNC_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
  /** Failed authentications one address may make at once, then AUTH_FAILURES_PER_SECOND. */
  AUTH_FAILURES_BURST: z.coerce.number().int().min(1).default(20),
  AUTH_FAILURES_PER_SECOND: z.coerce.number().positive().default(1),
  /** Citizens whose insurance records a gateway keeps in memory (~0.6 KB each; kept coherent by LISTEN/NOTIFY); 0 turns the cache off. */
  COVERAGE_CACHE_ENTRIES: z.coerce.number().int().min(0).default(100_000),
  /** Linked procedures: a claimed step whose worker died is handed out again after this long. */
  JOB_EXPIRE_SECONDS: z.coerce.number().int().min(5).default(30),
  /** How often the gateway's queue looks for expired jobs (the workers look more often). */
  QUEUE_SUPERVISE_SECONDS: z.coerce.number().int().min(1).default(60),
  /** Connections of the job queue's own pool (the gateway only sends jobs). */
  QUEUE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(2),
  /**
   * Civil events: how many days the registration date an office writes may stand from the day
   * the gateway receives the filing (INVALID_ARGUMENT beyond); lateness is decided by receipt.
   */
  REGISTRATION_DATE_TOLERANCE_DAYS: z.coerce.number().int().min(0).max(30).default(3),
  /** ApplyFindings refuses a run that finished more than this many days ago. */
  APPLY_MAX_RUN_AGE_DAYS: z.coerce.number().int().min(1).max(365).default(7),
  /** ApplyFindings of more findings than this waits for an approver (DECEASED_BUT_ACTIVE always does). */
  APPLY_APPROVAL_OVER: z.coerce.number().int().min(0).default(1000),
  /** Reconciliation: key-range partitions a run is split into (each a job a worker can take). */
  RECONCILE_PARTITIONS: z.coerce.number().int().min(1).max(64).default(4),
  /** Reconciliation: the model version (models/*.json) new runs score with; empty for the newest. */
  RECONCILE_MODEL: z.string().default(''),
});

export const workerConfigSchema = z.object({
  ...common,
  REGISTRY_ADDRESS: z.string().default('localhost:50052'),
  REGISTRY_DEADLINE_MS: z.coerce.number().int().min(1).default(5000),
  /** Funeral payouts above this total (VND) wait for an approver. */
  PAYOUT_APPROVAL_THRESHOLD_VND: z.coerce.number().int().min(0).default(50_000_000),
  /** An office's funeral payouts of one day past this number wait for an approver. */
  PAYOUT_DAILY_PER_OFFICE: z.coerce.number().int().min(0).default(20),
  /** A payout to an account or claimant paid for another death within this many months waits for an approver. */
  PAYOUT_REPEAT_MONTHS: z.coerce.number().int().min(0).max(120).default(12),
  /** Steps a worker runs at once. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(8),
  /** A claimed job whose worker died is handed out again after this long. */
  JOB_EXPIRE_SECONDS: z.coerce.number().int().min(5).default(30),
  /** How often the queue looks for expired jobs. */
  QUEUE_SUPERVISE_SECONDS: z.coerce.number().int().min(1).default(5),
  /** Connections of the job queue's own pool (fetching, completing). */
  QUEUE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(4),
  /** How often an idle worker loop asks the queue for a job (pg-boss allows 0.5 s at least). */
  QUEUE_POLL_SECONDS: z.coerce.number().min(0.5).default(0.5),
  /** Linked procedures: first wait after a transient failure (the registry down); doubles per attempt. */
  PROCEDURE_RETRY_BASE_MS: z.coerce.number().int().min(1).default(2000),
  /** Linked procedures: longest wait between attempts; a procedure waits this long at most once the registry is back. */
  PROCEDURE_RETRY_MAX_MS: z.coerce.number().int().min(1).default(60_000),
  /** Times the queue hands out a step's job again when the job itself failed (its worker died, the database was away). */
  PROCEDURE_JOB_RETRY_LIMIT: z.coerce.number().int().min(0).max(100).default(20),
  /**
   * The sweeper: how often a worker looks for procedures and runs that should be running and
   * have no job left (0 turns it off in this worker).
   */
  SWEEP_SECONDS: z.coerce.number().int().min(0).default(30),
  /** The sweeper leaves work alone that changed less than this long ago. */
  SWEEP_GRACE_SECONDS: z.coerce.number().int().min(0).default(120),
  /** New jobs the sweeper gives one procedure step or run partition before it gives up (review, or the run fails). */
  SWEEP_MAX_REQUEUES: z.coerce.number().int().min(0).max(100).default(3),
  /** Reconciliation: partitions a worker works on at once. */
  RECONCILE_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
  /**
   * Reconciliation: citizens per page of the registry's export (the registry allows 5,000). A
   * stream holds up to 16 decoded pages ahead of the reader, so smaller pages keep memory flat;
   * each page costs the worker two queries of our records. At 1 M (docs/benchmarks.md), 1,500
   * measured the same as 2,500 and 5,000 cost the registry a third more CPU for the same export.
   */
  RECONCILE_EXPORT_PAGE_SIZE: z.coerce.number().int().min(1).max(5000).default(2500),
  /** Reconciliation: registry citizens per chunk, the unit committed with its checkpoint. */
  RECONCILE_CHUNK_SIZE: z.coerce.number().int().min(1).max(50_000).default(5000),
  /** Reconciliation: deadline of one export stream (a slice of a run reads one). */
  RECONCILE_EXPORT_DEADLINE_MS: z.coerce.number().int().min(1000).default(600_000),
  /** Reconciliation: records per page of a province or changed-since run (a registry batch holds 1,000). */
  RECONCILE_RECORDS_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(1000),
  /** Applying findings: findings per transaction (each moves the application's checkpoint). */
  APPLY_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(200),
  /** Reconciliation: legacy-ID look-ups in flight at once. */
  RECONCILE_LEGACY_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  /** Reconciliation: the model runs recorded before models were versioned score with; empty for the newest. */
  RECONCILE_MODEL: z.string().default(''),
});

/**
 * What the tools read: the CLI, `npm start`, the seed and the container health check. Each
 * falls back to what `npm start` wrote in VSS_DATA_DIR where a variable is unset.
 */
export const toolsConfigSchema = z.object({
  DATABASE_URL: postgresUrl,
  VSS_DATA_DIR: z.string().default('.data'),
  /** The CA the CLI checks the gateway against; default `<VSS_DATA_DIR>/pki/ca.crt`. */
  VSS_CA_FILE: z.string().min(1).optional(),
  /** The gateway the CLI calls; default what `npm start` runs. */
  VSS_GATEWAY_ADDRESS: z.string().min(1).optional(),
  VSS_GATEWAY_HTTP: z.string().url().optional(),
  /** The key the CLI calls with; default the demo key of the role a command needs. */
  VSS_API_KEY: z.string().min(1).optional(),
  /** Development only: call without TLS. */
  VSS_PLAINTEXT: flag(false),
  /** The population `npm start` seeds on its first run. */
  VSS_DEMO_CITIZENS: z.coerce.number().int().min(100).max(10_000_000).default(10_000),
  /** The ports `npm start` gives the apps (each app's own variable, read again by the app). */
  REGISTRY_GRPC_PORT: port(50052),
  GATEWAY_GRPC_PORT: port(50051),
  GATEWAY_HTTP_PORT: port(8080),
  OPERATOR_HTTP_PORT: port(9464),
  /** `db setup`: the roles' passwords (Docker secrets, a vault); random when unset. */
  VSS_DB_OWNER_PASSWORD: z.string().min(1).optional(),
  VSS_DB_GATEWAY_PASSWORD: z.string().min(1).optional(),
  VSS_DB_WORKER_PASSWORD: z.string().min(1).optional(),
  VSS_DB_REGISTRY_PASSWORD: z.string().min(1).optional(),
  /** `model show`: the model new runs use, as the gateway reads it. */
  RECONCILE_MODEL: z.string().default(''),
  /** The health check's own TLS files (the container's app's). */
  TLS_CA_FILE: z.string().min(1).optional(),
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),
});

export type ToolsConfig = z.infer<typeof toolsConfigSchema>;
export type RegistryConfig = z.infer<typeof registryConfigSchema>;
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
export type WorkerConfig = z.infer<typeof workerConfigSchema>;

/** Validates the environment once; the only place that reads process.env. */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const data = parseEnvironment(schema, env);
  const problems = defaultSecrets(data as SecretBearing, env.NODE_ENV);
  if (problems.length > 0) throw new ConfigError(problems);
  return data;
}

/** loadConfig of the environment with some variables given (a tool acting as an app). */
export function loadConfigWith<S extends z.ZodType>(schema: S, given: Record<string, string>): z.infer<S> {
  return loadConfig(schema, { ...process.env, ...given });
}

/**
 * The tools' configuration (toolsConfigSchema). Tools serve nobody, so the checks of a deployed
 * server's secrets do not apply: `db setup` runs as a superuser whatever its password.
 */
export function loadToolsConfig(env: NodeJS.ProcessEnv = process.env): ToolsConfig {
  return parseEnvironment(toolsConfigSchema, env);
}

function parseEnvironment<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`),
    );
  }
  return parsed.data;
}
