import { randomBytes } from 'node:crypto';
import { type AppRole, dropDatabase, ensureDatabase, type RolePasswords, urlAs } from '@vss/persistence';

export interface TestDatabase {
  /** A superuser's URL: what a test seeds, inspects or tampers with. */
  url: string;
  name: string;
  /** An app's own login on this database, with exactly the grants a deployment gives it. */
  urlFor(role: AppRole | 'owner'): string;
  drop(): Promise<void>;
}

/** The roles of this test run (global-setup creates them, with a prefix of the run's own). */
export function testRoles(): { prefix: string; passwords: RolePasswords } {
  const raw = process.env.VSS_TEST_ROLES;
  if (!raw) throw new Error('test roles not set up: run the tests through jest');
  return JSON.parse(raw) as { prefix: string; passwords: RolePasswords };
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
  const { prefix, passwords } = testRoles();
  return {
    url: url.toString(),
    name,
    urlFor: (role) => urlAs(url.toString(), `${prefix}_${role}`, passwords[role]),
    drop: () => dropDatabase(adminUrl, name),
  };
}
