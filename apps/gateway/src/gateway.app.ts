import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { collectDefaultMetrics } from 'prom-client';
import { ApiKeys } from '@vss/api-keys';
import {
  CIVIL_EVENT_SERVICE_NAME,
  COVERAGE_SERVICE_NAME,
  GATEWAY_PROTO_FILES,
  RECONCILIATION_SERVICE_NAME,
  VSS_GATEWAY_V1_PACKAGE_NAME,
} from '@vss/contracts';
import { startInfrastructure } from '@vss/core';
import { Clock, type GatewayConfig, grpcServer, PinoNestLogger, setServing } from '@vss/platform';
import { GatewayModule } from './gateway.module';

export const GATEWAY_SERVICES = [
  COVERAGE_SERVICE_NAME,
  CIVIL_EVENT_SERVICE_NAME,
  RECONCILIATION_SERVICE_NAME,
].map((s) => `${VSS_GATEWAY_V1_PACKAGE_NAME}.${s}`);

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
  const infrastructure = await startInfrastructure(config, {
    app: 'gateway',
    jobs: { expireInSeconds: 60, maintenanceIntervalSeconds: 60, poolSize: 2 },
    audit: { flushMs: config.AUDIT_FLUSH_MS, maxBatch: config.AUDIT_MAX_BATCH },
    clock: options.clock,
  });
  const { logger } = infrastructure;
  const keys = new ApiKeys(infrastructure.pool);
  collectDefaultMetrics();

  const app = await NestFactory.create(GatewayModule.forRoot(infrastructure, config, keys), {
    logger: new PinoNestLogger(logger),
    bodyParser: true,
  });
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
      await infrastructure.close();
    },
  };
}
