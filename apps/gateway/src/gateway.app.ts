import type { NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { collectDefaultMetrics } from 'prom-client';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createPublicKey, type KeyObject, randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { dirname, join, resolve } from 'node:path';
import { ApiKeys, CertificateRegistry } from '@vss/api-keys';
import { consoleSessions, sessionOrUnavailable, watchEndedSessions } from '@vss/console';
import { type Caller, SecurityErrorCode, securityError } from '@vss/security';
import { callerLimits } from '@vss/limits';
import { AuditCheckpointer, loadSigningKey, signingKeyProblem } from '@vss/audit';
import {
  CIVIL_EVENT_SERVICE_NAME,
  COVERAGE_SERVICE_NAME,
  GATEWAY_PROTO_FILES,
  RECONCILIATION_SERVICE_NAME,
  VSS_GATEWAY_V1_PACKAGE_NAME,
} from '@vss/contracts';
import { startInfrastructure } from '@vss/core';
import { CertificateAuthority, PKI_FILES } from '@vss/pki';
import {
  Clock,
  ConfigError,
  type GatewayConfig,
  AppError,
  isDeployed,
  grpcReflection,
  type OperatorPortAdmission,
  grpcServer,
  grpcServerCredentials,
  httpsOptions,
  PinoNestLogger,
  refreshHttpsCertificates,
  setServing,
  startOperatorServer,
  tlsFiles,
} from '@vss/platform';
import { GatewayModule } from './gateway.module';
import { gatewayRequestLimits } from './request-limits';
import helmet from 'helmet';

export const GATEWAY_SERVICES = [
  COVERAGE_SERVICE_NAME,
  CIVIL_EVENT_SERVICE_NAME,
  RECONCILIATION_SERVICE_NAME,
].map((s) => `${VSS_GATEWAY_V1_PACKAGE_NAME}.${s}`);

export interface RunningGateway {
  grpcAddress: string;
  /** `https://host:port` (`http://` only in plaintext development). */
  httpAddress: string;
  /** Where /metrics is served. */
  operatorAddress: string;
  close(): Promise<void>;
}

/**
 * The key that signs audit checkpoints: AUDIT_SIGNING_KEY_FILE, else the PKI folder's. Outside
 * a laptop a missing key stops the start-up; on a laptop the chain is kept unsigned.
 */
function auditSigningKey(config: GatewayConfig): KeyObject | undefined {
  const path = resolve(
    config.AUDIT_SIGNING_KEY_FILE ?? join(config.VSS_DATA_DIR, 'pki', 'audit-signing.key'),
  );
  if (!existsSync(path)) {
    if (config.AUDIT_SIGNING_KEY_FILE || isDeployed(config, config.NODE_ENV)) {
      throw new ConfigError([
        `AUDIT_SIGNING_KEY_FILE: ${path} does not exist; create it with \`npm run cli -- certs init\` or point AUDIT_SIGNING_KEY_FILE at the gateway's ed25519 audit key`,
      ]);
    }
    return undefined;
  }
  return loadSigningKey(readFileSync(path, 'utf8'));
}

/**
 * Where signed tree heads are witnessed: AUDIT_WITNESS_FILE, else the data folder's. Outside a
 * laptop it must be named (storage apart from the database's).
 */
function auditWitnessFile(config: GatewayConfig): string {
  if (config.AUDIT_WITNESS_FILE) return resolve(config.AUDIT_WITNESS_FILE);
  if (isDeployed(config, config.NODE_ENV)) {
    throw new ConfigError([
      'AUDIT_WITNESS_FILE: required when deployed: a file on storage apart from the database, where every signed tree head is appended',
    ]);
  }
  return resolve(join(config.VSS_DATA_DIR, 'audit-witness.jsonl'));
}

/**
 * The gateway's audit key must be registered (`audit keys register`) for the database to take
 * its tree heads. Outside a laptop an unregistered key stops the start-up.
 */
async function requireRegisteredKey(pool: Pool, key: KeyObject, config: GatewayConfig, logger: Logger) {
  const problem = await signingKeyProblem(pool, key);
  if (!problem) return;
  if (isDeployed(config, config.NODE_ENV)) throw new ConfigError([`AUDIT_SIGNING_KEY_FILE: ${problem}`]);
  logger.warn(`${problem}; until then no tree heads are signed`);
}

/**
 * The secret that signs the console's session cookies: CONSOLE_SESSION_SECRET_FILE, else the
 * data folder's. Outside a laptop it must be given; on a laptop it is made on first start.
 */
function consoleSessionSecret(config: GatewayConfig): string {
  const path = resolve(
    config.CONSOLE_SESSION_SECRET_FILE ?? join(config.VSS_DATA_DIR, 'console-session.secret'),
  );
  if (!existsSync(path)) {
    if (config.CONSOLE_SESSION_SECRET_FILE || isDeployed(config, config.NODE_ENV)) {
      throw new ConfigError([
        `CONSOLE_SESSION_SECRET_FILE: ${path} does not exist; write 32 or more random bytes there (e.g. \`openssl rand -hex 32\`), readable by the gateway only`,
      ]);
    }
    mkdirSync(dirname(path), { recursive: true });
    try {
      writeFileSync(path, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another gateway on this laptop made it first: use theirs, so sessions hold across both.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const secret = readFileSync(path, 'utf8').trim();
  if (secret.length < 32) {
    throw new ConfigError([
      `CONSOLE_SESSION_SECRET_FILE: ${path} holds ${secret.length} characters; at least 32`,
    ]);
  }
  return secret;
}

/**
 * The CA the console signs certificate requests with: CONSOLE_CA_KEY_FILE with the CA of
 * TLS_CA_FILE; on a laptop, the development CA's key in `<VSS_DATA_DIR>/pki` when it is there.
 * Deployed without CONSOLE_CA_KEY_FILE: none (requests are signed on the CA's machine).
 */
async function consoleCertificateAuthority(
  config: GatewayConfig,
  tls: ReturnType<typeof tlsFiles>,
): Promise<CertificateAuthority | undefined> {
  if (!tls) return undefined;
  const keyFile =
    config.CONSOLE_CA_KEY_FILE ??
    (isDeployed(config, config.NODE_ENV) ? undefined : join(config.VSS_DATA_DIR, 'pki', PKI_FILES.caKey));
  if (!keyFile || (!config.CONSOLE_CA_KEY_FILE && !existsSync(keyFile))) return undefined;
  if (!existsSync(keyFile)) {
    throw new ConfigError([`CONSOLE_CA_KEY_FILE: ${keyFile} does not exist`]);
  }
  return CertificateAuthority.load(readFileSync(tls.caFile, 'utf8'), readFileSync(keyFile, 'utf8'));
}

/** The longest one step of a shutdown may take before the next goes on without it. */
const SHUTDOWN_STEP_MS = 15_000;

/**
 * One step of the shutdown, given SHUTDOWN_STEP_MS at most: a step that does not finish (a
 * connection that never answers) must not keep the rest — the pools, the job queue — open for
 * ever. It is named in a process warning, so that the cause can be found.
 */
async function boundedStep(close: () => Promise<void> | void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<'slow'>((resolve) => {
    timer = setTimeout(() => resolve('slow'), SHUTDOWN_STEP_MS);
    timer.unref();
  });
  const result = await Promise.race([
    Promise.resolve()
      .then(close)
      .then(() => 'done' as const),
    slow,
  ]);
  clearTimeout(timer);
  if (result === 'slow') {
    process.emitWarning(
      `gateway shutdown: \`${close.toString().replace(/\s+/g, ' ').slice(0, 120)}\` did not finish in ${SHUTDOWN_STEP_MS / 1000} s; going on without it`,
    );
  }
}

let processMetrics = false;
/** Node's own metrics (CPU, memory, event loop), registered once per process however many gateways it runs. */
function collectProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  collectDefaultMetrics();
}

/** Serves gRPC and the HTTP facade side by side, over TLS, on a migrated `vss` schema. */
/**
 * The operator port's admission: a client certificate registered to a named operator (an admin
 * certificate, `certs issue --role admin --operator`), not revoked, not expired, its operator
 * active — the same checks as a gRPC call's. A clinic's or an office's certificate of the same CA,
 * or a system's, is refused.
 */
function operatorCertificatesOnly(certificates: CertificateRegistry): OperatorPortAdmission {
  return async (certificate) => {
    let caller: Caller;
    try {
      caller = await certificates.authenticate(certificate);
    } catch (error) {
      if (error instanceof AppError) return error.message;
      throw error;
    }
    return caller.operator
      ? undefined
      : `the certificate is registered for a ${caller.role} caller, not to an operator`;
  };
}

export async function startGateway(
  config: GatewayConfig & { DATABASE_URL: string },
  options: { clock?: Clock } = {},
): Promise<RunningGateway> {
  const tls = tlsFiles(config, 'gateway');
  const signingKey = auditSigningKey(config);
  const witnessFile = auditWitnessFile(config);
  const infrastructure = await startInfrastructure(config, {
    app: 'gateway',
    tls,
    clock: options.clock,
  });
  // What has started, closed in the reverse order: by close(), or at once if the start fails
  // half-way (a port taken, say), so that nothing of a failed start keeps running.
  const started: Array<() => Promise<void> | void> = [() => infrastructure.close()];
  const closeStarted = async () => {
    for (const close of started.splice(0).reverse()) await boundedStep(close);
  };
  try {
    const { logger } = infrastructure;
    if (signingKey) await requireRegisteredKey(infrastructure.pools.audit, signingKey, config, logger);
    const checkpoints = signingKey
      ? new AuditCheckpointer(infrastructure.pools.audit, signingKey, logger, witnessFile)
      : undefined;
    if (!signingKey)
      logger.warn('no audit signing key: the audit chain is kept but no checkpoints are signed');
    checkpoints?.start(config.AUDIT_CHECKPOINT_SECONDS);
    started.push(
      () => checkpoints?.stop(),
      () => infrastructure.audit.close(),
    );
    const keys = new ApiKeys(infrastructure.pools.lookups);
    const limits = callerLimits(infrastructure.pools.lookups, config, logger);
    await limits.start();
    started.push(() => limits.close());
    const certificates = new CertificateRegistry(infrastructure.pools.lookups);
    // A revoked key or certificate ends its caller's open streams at once, in every gateway.
    const endStreams = (code: SecurityErrorCode, what: string) => (callerId: string) => {
      const ended = limits.endStreamsOf(
        callerId,
        securityError(code, `${what} ${callerId} has been revoked; its streams are closed`),
      );
      if (ended > 0) logger.info({ caller: callerId, streams: ended }, 'revoked caller: open streams ended');
    };
    keys.onRevoked(endStreams(SecurityErrorCode.RevokedKey, 'API key'));
    const endedSessions = watchEndedSessions(infrastructure.pool, (callerId) => {
      const ended = limits.endStreamsOf(
        callerId,
        securityError(SecurityErrorCode.NotSignedIn, 'the console session has ended; sign in again'),
      );
      if (ended > 0)
        logger.info({ caller: callerId, streams: ended }, 'console session ended: open streams ended');
    });
    started.push(() => endedSessions.close());
    certificates.onRevoked(endStreams(SecurityErrorCode.RevokedCertificate, 'client certificate'));
    collectProcessMetrics();

    const app = await NestFactory.create(
      GatewayModule.forRoot(
        infrastructure,
        config,
        { keys, certificates, limits },
        {
          auditPublicKeys: signingKey ? [createPublicKey(signingKey)] : [],
          certificateAuthority: await consoleCertificateAuthority(config, tls),
        },
      ),
      {
        logger: new PinoNestLogger(logger),
        bodyParser: true,
        ...(tls ? { httpsOptions: httpsOptions(tls) as NestApplicationOptions['httpsOptions'] } : {}),
      },
    );
    app.enableShutdownHooks([]);
    // The console's sessions, before its pages; a database that cannot be reached is a 503 page.
    const sessions = consoleSessions({
      pool: infrastructure.pool,
      secret: consoleSessionSecret(config),
      tls: tls !== undefined,
    });
    started.push(() => sessions.close());
    app.use(
      '/console',
      sessionOrUnavailable(sessions.middleware, (res) =>
        res
          .status(503)
          .type('text/plain')
          .send('the console cannot reach its database; try again in a minute'),
      ),
    );
    // Every HTTP answer: no framework named (X-Powered-By), no content sniffing, and over TLS a
    // browser told to come back over TLS only (HSTS); the JSON facade serves no page to frame.
    app.use(
      helmet({ strictTransportSecurity: tls ? { maxAge: 31_536_000, includeSubDomains: true } : false }),
    );
    // Graceful: calls in flight finish first, for SHUTDOWN_DRAIN_SECONDS at most.
    started.push(async () => {
      const drained = await Promise.race([
        app.close().then(() => true),
        new Promise<false>((r) => setTimeout(() => r(false), config.SHUTDOWN_DRAIN_SECONDS * 1000).unref()),
      ]);
      if (!drained) {
        logger.warn(
          { drainSeconds: config.SHUTDOWN_DRAIN_SECONDS },
          'calls still open after the drain time; stopping anyway',
        );
      }
    });
    // Before that, watch streams end (UNAVAILABLE: reconnect elsewhere); they would hold it.
    started.push(() => infrastructure.changes.close());
    const grpc = grpcServer({
      package: VSS_GATEWAY_V1_PACKAGE_NAME,
      protoFiles: GATEWAY_PROTO_FILES,
      host: config.BIND_HOST,
      port: config.GATEWAY_GRPC_PORT,
      maxMessageBytes: config.GRPC_MAX_MESSAGE_BYTES,
      requestLimits: gatewayRequestLimits(config.GRPC_MAX_MESSAGE_BYTES),
      maxConcurrentStreams: config.GRPC_MAX_CONCURRENT_STREAMS,
      services: GATEWAY_SERVICES,
      credentials: await grpcServerCredentials(tls, { requireClientCertificate: false }),
      reflection: grpcReflection(config),
    });
    app.connectMicroservice<MicroserviceOptions>(grpc.options, { inheritAppConfig: true });
    await app.startAllMicroservices();
    await app.listen(config.GATEWAY_HTTP_PORT, config.BIND_HOST);
    started.push(tls ? refreshHttpsCertificates(app.getHttpServer(), tls) : () => undefined);
    const operator = await startOperatorServer({
      host: config.OPERATOR_BIND_HOST,
      port: config.OPERATOR_HTTP_PORT,
      tls,
      admit: operatorCertificatesOnly(certificates),
    });
    started.push(() => operator.close());
    setServing(grpc, GATEWAY_SERVICES, true);
    started.push(() => setServing(grpc, GATEWAY_SERVICES, false));
    const grpcAddress = `${config.BIND_HOST}:${config.GATEWAY_GRPC_PORT}`;
    const httpAddress = `${tls ? 'https' : 'http'}://${config.BIND_HOST}:${config.GATEWAY_HTTP_PORT}`;
    logger.info(
      { grpcAddress, httpAddress, operatorAddress: operator.url, tls: tls !== undefined },
      'gateway serving',
    );
    return { grpcAddress, httpAddress, operatorAddress: operator.url, close: closeStarted };
  } catch (error) {
    await closeStarted().catch(() => undefined);
    throw error;
  }
}
