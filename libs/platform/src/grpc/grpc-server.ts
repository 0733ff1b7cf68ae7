import type { Server, ServerCredentials } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { Transport, type GrpcOptions } from '@nestjs/microservices';
import { HealthImplementation } from 'grpc-health-check';
import { join } from 'node:path';
import { PROTO_LOADER_OPTIONS, protoRoot } from '@vss/contracts';

export interface GrpcServerSpec {
  package: string | string[];
  protoFiles: string[];
  host: string;
  port: number;
  maxMessageBytes: number;
  /** Fully qualified service names reported by grpc.health.v1. */
  services: string[];
  /** TLS (grpcServerCredentials) or, in development only, plaintext. */
  credentials: ServerCredentials;
}

export interface GrpcServerSetup {
  options: GrpcOptions;
  health: HealthImplementation;
}

/**
 * gRPC server options shared by our servers: proto-loader options in step with ts-proto,
 * message-size limits, graceful shutdown, grpc.health.v1 and server reflection.
 */
export function grpcServer(spec: GrpcServerSpec): GrpcServerSetup {
  const health = new HealthImplementation({ '': 'NOT_SERVING' });
  for (const service of spec.services) health.setStatus(service, 'NOT_SERVING');
  const root = protoRoot();
  const options: GrpcOptions = {
    transport: Transport.GRPC,
    options: {
      url: `${spec.host}:${spec.port}`,
      package: spec.package,
      protoPath: spec.protoFiles.map((f) => join(root, f)),
      loader: { ...PROTO_LOADER_OPTIONS, includeDirs: [root] },
      maxReceiveMessageLength: spec.maxMessageBytes,
      maxSendMessageLength: spec.maxMessageBytes,
      gracefulShutdown: true,
      credentials: spec.credentials,
      onLoadPackageDefinition: (definition: unknown, server: Server) => {
        health.addToServer(server);
        new ReflectionService(definition as ConstructorParameters<typeof ReflectionService>[0]).addToServer(
          server,
        );
      },
    },
  };
  return { options, health };
}

/** Marks every service (and the server as a whole) as serving or not. */
export function setServing(setup: GrpcServerSetup, services: string[], serving: boolean): void {
  const value = serving ? 'SERVING' : 'NOT_SERVING';
  setup.health.setStatus('', value);
  for (const s of services) setup.health.setStatus(s, value);
}
