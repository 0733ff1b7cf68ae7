import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadToolsConfig } from '@vss/platform';

/** What a running `npm start` tells the CLI and the demo: where things are, and demo keys. */
export interface RuntimeInfo {
  databaseUrl: string;
  gatewayGrpc: string;
  gatewayHttp: string;
  registryGrpc: string;
  /** /metrics, for holders of a certificate registered to an operator. */
  operatorHttp: string;
  /** The development CA every example trusts. */
  caCertificate: string;
  /** The demo clinic's client certificate and key (mTLS). */
  clinicCertificate: { cert: string; key: string };
  /** Operator demo.admin's client certificate and key: what the operator port (/metrics) admits. */
  operatorCertificate: { cert: string; key: string };
  keys: {
    clinic: string;
    clinicFacility: string;
    civilRegistry: string;
    civilRegistryOffice: string;
    /** The demo administrator's key, issued to operator demo.admin (operator, reviewer). */
    admin: string;
    /** The demo approver's key, issued to operator demo.approver (approver, auditor). */
    approver: string;
  };
  /** The operator console and the demo operators' sign-in (password and TOTP key). */
  console: {
    url: string;
    operators: Array<{ login: string; roles: string[]; password: string; totpSecret: string }>;
  };
}

export function dataDir(): string {
  return resolve(loadToolsConfig().VSS_DATA_DIR);
}

const file = () => join(dataDir(), 'runtime.json');

export function readRuntime(): RuntimeInfo | undefined {
  return existsSync(file()) ? (JSON.parse(readFileSync(file(), 'utf8')) as RuntimeInfo) : undefined;
}

export function writeRuntime(info: RuntimeInfo): void {
  mkdirSync(dataDir(), { recursive: true });
  // Holds demo API keys: readable by the owner only.
  writeFileSync(file(), JSON.stringify(info, null, 2), { mode: 0o600 });
}
