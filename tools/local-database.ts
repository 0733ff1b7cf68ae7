import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type EmbeddedDatabase,
  randomPasswords,
  type RolePasswords,
  startEmbeddedPostgres,
} from '@vss/persistence';
import { databaseTlsFiles, ensurePki } from '@vss/pki';
import { type PreparedDatabase, prepareDatabase } from './schemas';

export const EMBEDDED_DATABASE = 'vss';

/**
 * The laptop's database: the embedded PostgreSQL in `<data>/postgres`, set up as a deployment
 * is (TLS only, with the certificate of `<data>/pki`; an owner role, one role per app with its grants), the roles' passwords made once and
 * kept in `<data>/database-roles.json` (0600).
 */
export async function localDatabase(
  dataDir: string,
): Promise<{ embedded: EmbeddedDatabase; prepared: PreparedDatabase }> {
  const pki = join(dataDir, 'pki');
  await ensurePki(pki); // kept as it is when `npm start` made it already
  const embedded = await startEmbeddedPostgres({
    dataDir: join(dataDir, 'postgres'),
    tls: databaseTlsFiles(pki),
  });
  try {
    const prepared = await prepareDatabase(embedded.adminUrl, EMBEDDED_DATABASE, {
      passwords: rolePasswords(dataDir),
    });
    return { embedded, prepared };
  } catch (error) {
    await embedded.stop();
    throw error;
  }
}

function rolePasswords(dataDir: string): RolePasswords {
  const file = join(dataDir, 'database-roles.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as RolePasswords;
  const passwords = randomPasswords();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(passwords, null, 2), { mode: 0o600 });
  return passwords;
}
