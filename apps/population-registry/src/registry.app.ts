import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import {
  NPD_REGISTRY_V1_PACKAGE_NAME,
  POPULATION_REGISTRY_SERVICE_NAME,
} from '@vss/contracts/generated/npd/registry/v1/registry';
import { REGISTRY_PROTO_FILES } from '@vss/contracts';
import { checkDatabaseReachable, createPool, requireMigrated } from '@vss/persistence';
import {
  type Clock,
  createLogger,
  databaseLossReporter,
  grpcReflection,
  grpcServer,
  grpcServerCredentials,
  PinoNestLogger,
  type RegistryConfig,
  setServing,
  tlsFiles,
} from '@vss/platform';
import { FaultInjector } from './faults/fault-injection';
import { NPD_SCHEMA } from './migrations';
import { RegistryPeers } from './peers/registry-peers';
import { RegistryModule } from './registry.module';

export const REGISTRY_SERVICE = `${NPD_REGISTRY_V1_PACKAGE_NAME}.${POPULATION_REGISTRY_SERVICE_NAME}`;

export interface RunningRegistry {
  address: string;
  faults: FaultInjector;
  close(): Promise<void>;
}

/** Serves (on a migrated `npd` schema) npd.registry.v1 over gRPC. */
export async function startRegistry(
  config: RegistryConfig & { DATABASE_URL: string },
  options: { clock?: Clock } = {},
): Promise<RunningRegistry> {
  const logger = createLogger('population-registry', config.LOG_LEVEL);
  const tls = tlsFiles(config, 'population-registry');
  await checkDatabaseReachable(config.DATABASE_URL);
  await requireMigrated(config.DATABASE_URL, NPD_SCHEMA, 'npd');
  const pool = createPool(config.DATABASE_URL, config.DB_POOL_SIZE, 'population-registry', {
    onError: databaseLossReporter(logger),
  });
  const faults = new FaultInjector({
    latencyMs: config.REGISTRY_FAULT_LATENCY_MS,
    unavailableRate: config.REGISTRY_FAULT_UNAVAILABLE_RATE,
    refuseAll: config.REGISTRY_FAULT_REFUSE_ALL,
  });
  const grpc = grpcServer({
    package: NPD_REGISTRY_V1_PACKAGE_NAME,
    protoFiles: REGISTRY_PROTO_FILES,
    host: config.BIND_HOST,
    port: config.REGISTRY_GRPC_PORT,
    maxMessageBytes: config.GRPC_MAX_MESSAGE_BYTES,
    maxConcurrentStreams: config.GRPC_MAX_CONCURRENT_STREAMS,
    services: [REGISTRY_SERVICE],
    credentials: await grpcServerCredentials(tls, { requireClientCertificate: true }),
    reflection: grpcReflection(config),
  });
  const peers = tls ? new RegistryPeers(pool, logger) : undefined;
  await peers?.start();
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(
    RegistryModule.forRoot({
      pool,
      faults,
      peers,
      logger,
      clock: options.clock,
    }),
    { ...grpc.options, logger: new PinoNestLogger(logger) },
  );
  await app.listen();
  setServing(grpc, [REGISTRY_SERVICE], true);
  const address = `${config.BIND_HOST}:${config.REGISTRY_GRPC_PORT}`;
  logger.info({ address, tls: tls !== undefined }, 'population registry serving');
  return {
    address,
    faults,
    async close() {
      setServing(grpc, [REGISTRY_SERVICE], false);
      await app.close();
      await peers?.close();
      await pool.end();
    },
  };
}
