import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export * from './generated/vss/gateway/v1/common';
export * from './generated/vss/gateway/v1/coverage';
export * from './generated/vss/gateway/v1/civil_event';
export * from './generated/vss/gateway/v1/reconciliation';
export * from './generated/vss/gateway/v1/approval';
export * from './generated/vss/gateway/v1/audit';
export {
  VSS_GATEWAY_V1_PACKAGE_NAME,
  protobufPackage,
  protobufFileName,
} from './generated/vss/gateway/v1/common';
export * as registry from './generated/npd/registry/v1/registry';

/** The folder holding the .proto files, found from source and from built code alike. */
export function protoRoot(): string {
  let dir = resolve(__dirname);
  for (;;) {
    const candidate = join(dir, 'proto');
    if (existsSync(join(candidate, 'vss', 'gateway', 'v1', 'coverage.proto'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`proto/ not found above ${__dirname}`);
    dir = parent;
  }
}

export const GATEWAY_PROTO_FILES = [
  'vss/gateway/v1/coverage.proto',
  'vss/gateway/v1/civil_event.proto',
  'vss/gateway/v1/reconciliation.proto',
  'vss/gateway/v1/approval.proto',
  'vss/gateway/v1/audit.proto',
];
export const REGISTRY_PROTO_FILES = ['npd/registry/v1/registry.proto'];

/**
 * proto-loader options kept in step with the ts-proto options in buf.gen.yaml:
 * camelCase fields, enums as their names, 64-bit integers as strings, defaults filled.
 */
export const PROTO_LOADER_OPTIONS = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
} as const;
