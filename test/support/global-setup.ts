import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropDatabase, randomPasswords, startEmbeddedPostgres } from '@vss/persistence';
import { databaseTlsFiles, ensurePki } from '@vss/pki';
import { prepareDatabase } from '../../tools/schemas';
import { registerTestTrust } from './trust';

/**
 * One PostgreSQL for the whole run: the server at DATABASE_URL when set, otherwise an
 * embedded one in a throwaway folder on a free port. A template database is migrated once;
 * each test file then clones it (see database.ts), so files run in parallel in isolation.
 */
export default async function globalSetup(): Promise<void> {
  const runId = `${process.pid}_${randomBytes(3).toString('hex')}`;
  const pki = join(tmpdir(), `vss-test-pki-${runId}`);
  await ensurePki(pki);
  process.env.VSS_TEST_PKI = pki;
  let adminUrl: string;
  const external = process.env.DATABASE_URL;
  if (external) {
    const url = new URL(external);
    url.pathname = '/postgres';
    adminUrl = url.toString();
  } else {
    const embedded = await startEmbeddedPostgres({
      dataDir: join(tmpdir(), `vss-test-pg-${runId}`),
      throwaway: true,
      tls: databaseTlsFiles(pki),
    });
    (globalThis as Record<string, unknown>).__VSS_EMBEDDED__ = embedded;
    adminUrl = embedded.adminUrl;
  }
  const template = `vss_template_${runId}`;
  // Roles of this run's own (roles belong to the server, and a DATABASE_URL server may be shared).
  const roles = {
    prefix: `vss_t${runId.replace(/[^a-z0-9]/gi, '').toLowerCase()}`,
    passwords: randomPasswords(),
  };
  process.env.VSS_TEST_ROLES = JSON.stringify(roles);
  try {
    const prepared = await prepareDatabase(adminUrl, template, roles);
    await registerTestTrust(prepared.ownerUrl, pki);
  } catch (error) {
    await dropDatabase(adminUrl, template);
    throw error;
  }
  process.env.VSS_TEST_ADMIN_URL = adminUrl;
  process.env.VSS_TEST_TEMPLATE = template;
}
