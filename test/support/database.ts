import { randomBytes } from 'node:crypto';
import { dropDatabase, ensureDatabase } from '@vss/persistence';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A database of this test file's own, cloned from the migrated template. */
export async function createTestDatabase(label = 't'): Promise<TestDatabase> {
  const adminUrl = process.env.VSS_TEST_ADMIN_URL;
  const template = process.env.VSS_TEST_TEMPLATE;
  if (!adminUrl || !template) throw new Error('test database server not set up: run the tests through jest');
  const name = `${template}_${label
    .replace(/[^a-z0-9]/gi, '')
    .slice(0, 12)
    .toLowerCase()}_${randomBytes(3).toString('hex')}`;
  await ensureDatabase(adminUrl, name, template);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => dropDatabase(adminUrl, name) };
}
