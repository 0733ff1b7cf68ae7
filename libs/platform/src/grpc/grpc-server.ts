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
  /** Streams (calls) one client connection may have open at once (HTTP/2 SETTINGS). */
  maxConcurrentStreams?: number;
  /** Fully qualified service names reported by grpc.health.v1. */
  services: string[];
  /** TLS (grpcServerCredentials) or, in development only, plaintext. */
  credentials: ServerCredentials;
  /** Server reflection (the services' descriptions, to anyone who connects); off when deployed. */
  reflection: boolean;
  /** The largest request of each method, checked before decoding; unset, `maxMessageBytes` for all. */
  requestLimits?: RequestLimits;
}

/** Request sizes (bytes of the protobuf encoding) per method path, `/package.Service/Method`. */
export interface RequestLimits {
  /** A method not named in `byMethod`. */
  defaultBytes: number;
  byMethod: Readonly<Record<string, number>>;
}

/** Paths (`/package.Service/Method`) of the server-streaming methods of every server set up here. */
const streamingPaths = new Set<string>();

/**
 * True when a call's path names a server-streaming method. grpc-js hands unary and streaming
 * handlers the same kind of call object, so the method's definition is what tells them apart.
 */
export function isServerStreaming(path: string | undefined): boolean {
  return path !== undefined && streamingPaths.has(path);
}

const UNDECODABLE = Symbol('undecodable request');
const TOO_LARGE = Symbol('request too large');

interface MethodDefinitionLike {
  path?: string;
  responseStream?: boolean;
  requestDeserialize?: ((bytes: Buffer) => unknown) & { total?: boolean };
  requestType?: { type?: { name?: string } };
}

/**
 * Records the server-streaming methods, and makes every request decoder total: grpc-js answers
 * INTERNAL for bytes its decoder refuses, so the decoder hands on a marker instead and
 * UndecodableRequestGuard (the first guard of every call) answers INVALID_ARGUMENT. A request
 * larger than its method takes is not decoded at all: its marker makes the guard answer
 * RESOURCE_EXHAUSTED, before authentication and before any object is built from the bytes.
 */
function prepareMethods(definition: Record<string, unknown>, limits: RequestLimits | undefined): void {
  for (const service of Object.values(definition)) {
    if (typeof service !== 'object' || service === null || 'format' in service) continue; // messages, enums
    for (const method of Object.values(service as Record<string, MethodDefinitionLike>)) {
      if (method?.responseStream && method.path) streamingPaths.add(method.path);
      const decode = method?.requestDeserialize;
      if (typeof decode !== 'function' || decode.total) continue;
      const type = method.requestType?.type?.name ?? 'request';
      const limit = limits ? (limits.byMethod[method.path ?? ''] ?? limits.defaultBytes) : Infinity;
      const name = method.path?.split('.').pop() ?? type;
      const total = (bytes: Buffer) => {
        if (bytes.length > limit) {
          return {
            [TOO_LARGE]: `the request is ${bytes.length.toLocaleString('en')} bytes; ${name} takes at most ${limit.toLocaleString('en')}`,
          };
        }
        try {
          return decode(bytes);
        } catch (error) {
          return {
            [UNDECODABLE]: `the request is not a valid ${type} message (${(error as Error).message})`,
          };
        }
      };
      total.total = true;
      method.requestDeserialize = total;
    }
  }
}

/** Why a request was too large for its method to decode, or undefined for one that was not. */
export function oversizeReason(request: unknown): string | undefined {
  return typeof request === 'object' && request !== null
    ? (request as Record<symbol, string | undefined>)[TOO_LARGE]
    : undefined;
}

/** The reason a request could not be decoded, or undefined for a request that was. */
export function undecodableReason(request: unknown): string | undefined {
  return typeof request === 'object' && request !== null
    ? (request as Record<symbol, string | undefined>)[UNDECODABLE]
    : undefined;
}

export interface GrpcServerSetup {
  options: GrpcOptions;
  health: HealthImplementation;
}

/**
 * gRPC server options shared by our servers: proto-loader options in step with ts-proto,
 * message-size limits, graceful shutdown, grpc.health.v1 and (where asked) server reflection.
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
      // The largest request any method takes: grpc-js refuses more before reading it whole.
      maxReceiveMessageLength: spec.requestLimits
        ? Math.min(
            spec.maxMessageBytes,
            Math.max(spec.requestLimits.defaultBytes, ...Object.values(spec.requestLimits.byMethod)),
          )
        : spec.maxMessageBytes,
      maxSendMessageLength: spec.maxMessageBytes,
      gracefulShutdown: true,
      channelOptions: {
        ...(spec.maxConcurrentStreams ? { 'grpc.max_concurrent_streams': spec.maxConcurrentStreams } : {}),
      },
      credentials: spec.credentials,
      onLoadPackageDefinition: (definition: unknown, server: Server) => {
        prepareMethods(definition as Record<string, unknown>, spec.requestLimits);
        health.addToServer(server);
        if (spec.reflection) {
          new ReflectionService(definition as ConstructorParameters<typeof ReflectionService>[0]).addToServer(
            server,
          );
        }
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
