import * as grpc from '@grpc/grpc-js';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseTlsFiles, ensurePki } from '@vss/pki';
import type { EmbeddedTls } from '@vss/persistence';
import { registerTrust } from '../tools/trust';

/** A throwaway PKI for a benchmark run: every app serves and calls over TLS, as deployed. */
export interface BenchPki {
  /** TLS settings of an app, as environment variables (the gateway's audit key included). */
  env(app: 'gateway' | 'worker' | 'population-registry'): Record<string, string>;
  /** A client's credentials: the CA trusted, and a system certificate presented when named. */
  credentials(certificate?: 'gateway' | 'worker' | 'cli'): grpc.ChannelCredentials;
  /** Registers the gateway's audit key and the gateway's and worker's certificates as registry peers, in the database at `ownerUrl`. */
  register(ownerUrl: string): Promise<void>;
  /** The embedded PostgreSQL's certificate: it serves TLS only, as deployed. */
  database(): EmbeddedTls;
  remove(): void;
}

export async function benchPki(): Promise<BenchPki> {
  const dir = join(tmpdir(), `vss-bench-pki-${process.pid}`);
  await ensurePki(dir);
  const file = (name: string) => join(dir, name);
  return {
    env: (app) => ({
      TLS_CA_FILE: file('ca.crt'),
      TLS_CERT_FILE: file(`${app}.crt`),
      TLS_KEY_FILE: file(`${app}.key`),
      ...(app === 'gateway' ? { AUDIT_SIGNING_KEY_FILE: file('audit-signing.key') } : {}),
    }),
    credentials: (certificate) =>
      grpc.credentials.createSsl(
        readFileSync(file('ca.crt')),
        certificate ? readFileSync(file(`${certificate}.key`)) : null,
        certificate ? readFileSync(file(`${certificate}.crt`)) : null,
      ),
    register: async (ownerUrl) => {
      await registerTrust(ownerUrl, dir, 'bench gateway');
    },
    database: () => databaseTlsFiles(dir),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
