import 'reflect-metadata';
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { registerSigningKey } from '@vss/audit';
import { registerSystemPeers } from '../../apps/population-registry/src/peers/registry-peers.repository';

/**
 * What a deployment's operator registers, done for a test database (as its owner): the test
 * PKI's audit key, whose tree heads the database then takes, and the gateway's and worker's
 * certificates as the registry's peers, with their rights.
 */
export async function registerTestTrust(ownerUrl: string, pki: string): Promise<void> {
  const pool = new Pool({ connectionString: ownerUrl, max: 1 });
  try {
    await registerSigningKey(
      pool,
      createPublicKey(readFileSync(join(pki, 'audit-signing.pub'))),
      'test gateway',
    );
    await registerSystemPeers(pool, (name) => readFileSync(join(pki, `${name}.crt`), 'utf8'));
  } finally {
    await pool.end();
  }
}
