import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import { PROTO_LOADER_OPTIONS, protoRoot } from '@vss/contracts';

type ServiceCtor = grpc.ServiceClientConstructor;

const cache = new Map<string, grpc.GrpcObject>();

/** Loads .proto files the way our servers do, so clients and servers agree on every option. */
export function loadGrpcObject(protoFiles: string[]): grpc.GrpcObject {
  const key = protoFiles.join(',');
  let loaded = cache.get(key);
  if (!loaded) {
    const root = protoRoot();
    const definition = protoLoader.loadSync(
      protoFiles.map((f) => join(root, f)),
      { ...PROTO_LOADER_OPTIONS, includeDirs: [root] },
    );
    loaded = grpc.loadPackageDefinition(definition);
    cache.set(key, loaded);
  }
  return loaded;
}

/** The client constructor of a fully qualified service name, e.g. `npd.registry.v1.PopulationRegistry`. */
export function serviceClient(protoFiles: string[], fullName: string): ServiceCtor {
  let node: unknown = loadGrpcObject(protoFiles);
  for (const part of fullName.split('.')) node = (node as Record<string, unknown>)[part];
  if (typeof node !== 'function')
    throw new Error(`service ${fullName} not found in ${protoFiles.join(', ')}`);
  return node as ServiceCtor;
}

/** Calls a unary method with a deadline and metadata, as a promise. */
export function unary<Req, Res>(
  client: grpc.Client,
  method: string,
  request: Req,
  options: { deadlineMs: number; metadata?: grpc.Metadata },
): Promise<Res> {
  return new Promise((resolve, reject) => {
    const fn = (client as unknown as Record<string, (...args: unknown[]) => void>)[method];
    fn.call(
      client,
      request,
      options.metadata ?? new grpc.Metadata(),
      { deadline: Date.now() + options.deadlineMs },
      (error: grpc.ServiceError | null, response: Res) => (error ? reject(error) : resolve(response)),
    );
  });
}
