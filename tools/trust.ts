import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { registerSigningKey } from '@vss/audit';
import { PKI_FILES } from '@vss/pki';
import { registerSystemPeers } from '../apps/population-registry/src/peers/registry-peers.repository';

/**
 * What a deployment's operator registers, from a folder holding the gateway's audit public key
 * and the gateway's and worker's certificates (a PKI folder, or `certs export`'s `trust`): the
 * audit key, whose tree heads the database then takes, and the two certificates as the
 * registry's peers with their rights. As the owner of the database at `ownerUrl`; idempotent.
 * `npm start`, `db setup --trust`, the tests' set-up and the benchmarks all do it this way.
 * Returns the audit key's ID.
 */
export async function registerTrust(ownerUrl: string, dir: string, holder = 'gateway'): Promise<string> {
  const pool = new Pool({ connectionString: ownerUrl, max: 1 });
  try {
    const keyId = await registerSigningKey(
      pool,
      createPublicKey(readFileSync(join(dir, PKI_FILES.auditPublicKey))),
      holder,
    );
    await registerSystemPeers(pool, (name) => readFileSync(join(dir, PKI_FILES.certificate(name)), 'utf8'));
    return keyId;
  } finally {
    await pool.end();
  }
}
