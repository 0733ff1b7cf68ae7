import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { collectDefaultMetrics } from 'prom-client';
import { GATEWAY_PROTO_FILES, VSS_GATEWAY_V1_PACKAGE_NAME } from '@vss/contracts';
import {
  checkDatabaseReachable,
  createDataSource,
  createPool,
  migrate,
  VSS_MIGRATIONS,
  VSS_ENTITIES,
  VSS_MIGRATIONS_TABLE,
} from '@vss/persistence';
import {
  Clock,
  createLogger,
  type GatewayConfig,
  grpcServer,
  PinoNestLogger,
  setServing,
  startJobQueue,
} from '@vss/platform';
import { RegistryClient } from '@vss/registry-client';
import { ApiKeys, AuditTrail } from '@vss/security';
import { GatewayModule } from './gateway.module';

export const GATEWAY_SERVICES = ['CoverageService', 'CivilEventService', 'ReconciliationService'].map(
  (s) => `${VSS_GATEWAY_V1_PACKAGE_NAME}.${s}`,
);

export interface RunningGateway {
  grpcAddress: string;
  httpAddress: string;
  close(): Promise<void>;
}

/** Migrates the `vss` schema, then serves gRPC and the HTTP facade side by side. */
export async function startGateway(
  config: GatewayConfig & { DATABASE_URL: string },
  options: { clock?: Clock } = {},
): Promise<RunningGateway> {
  const logger = createLogger('gateway', config.LOG_LEVEL);
  await checkDatabaseReachable(config.DATABASE_URL);
  const dataSource = createDataSource({
    url: config.DATABASE_URL,
    migrations: VSS_MIGRATIONS,
    migrationsTableName: VSS_MIGRATIONS_TABLE,
    entities: VSS_ENTITIES,
    poolSize: 4,
    applicationName: 'gateway:orm',
  });
  await dataSource.initialize();
  await migrate(dataSource);
  const pool = createPool(config.DATABASE_URL, config.DB_POOL_SIZE, 'gateway');
  const jobs = await startJobQueue({
    url: config.DATABASE_URL,
    expireInSeconds: 60,
    maintenanceIntervalSeconds: 60,
    poolSize: 2,
    applicationName: 'gateway:jobs',
  });
  const registry = new RegistryClient({
    address: config.REGISTRY_ADDRESS,
    peerToken: config.REGISTRY_PEER_TOKEN,
    deadlineMs: config.REGISTRY_DEADLINE_MS,
  });
  const audit = new AuditTrail(pool, { flushMs: config.AUDIT_FLUSH_MS, maxBatch: config.AUDIT_MAX_BATCH });
  const keys = new ApiKeys(pool);
  const clock = options.clock ?? new Clock();
  collectDefaultMetrics();

  const app = await NestFactory.create(
    GatewayModule.forRoot({ config, pool, dataSource, jobs, registry, audit, keys, logger, clock }),
    { logger: new PinoNestLogger(logger), bodyParser: true },
  );
  app.enableShutdownHooks([]);
  const grpc = grpcServer({
    package: VSS_GATEWAY_V1_PACKAGE_NAME,
    protoFiles: GATEWAY_PROTO_FILES,
    host: config.BIND_HOST,
    port: config.GATEWAY_GRPC_PORT,
    maxMessageBytes: config.GRPC_MAX_MESSAGE_BYTES,
    services: GATEWAY_SERVICES,
  });
  app.connectMicroservice<MicroserviceOptions>(grpc.options, { inheritAppConfig: true });
  await app.startAllMicroservices();
  await app.listen(config.GATEWAY_HTTP_PORT, config.BIND_HOST);
  setServing(grpc, GATEWAY_SERVICES, true);
  const grpcAddress = `${config.BIND_HOST}:${config.GATEWAY_GRPC_PORT}`;
  const httpAddress = `http://${config.BIND_HOST}:${config.GATEWAY_HTTP_PORT}`;
  logger.info({ grpcAddress, httpAddress }, 'gateway serving');
  return {
    grpcAddress,
    httpAddress,
    async close() {
      setServing(grpc, GATEWAY_SERVICES, false);
      await app.close(); // graceful: in-flight calls finish first
      await audit.close();
      registry.close();
      await jobs.stop({ graceful: true, wait: true, timeout: 5000 }).catch(() => undefined);
      await pool.end();
      await dataSource.destroy();
    },
  };
}
