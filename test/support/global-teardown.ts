import { rmSync } from 'node:fs';
import { databaseRoles, dropDatabase, type EmbeddedDatabase, runStatements } from '@vss/persistence';

export default async function globalTeardown(): Promise<void> {
  const adminUrl = process.env.VSS_TEST_ADMIN_URL;
  const template = process.env.VSS_TEST_TEMPLATE;
  const embedded = (globalThis as Record<string, unknown>).__VSS_EMBEDDED__ as EmbeddedDatabase | undefined;
  if (embedded) {
    await embedded.stop();
  } else if (adminUrl && template) {
    await dropDatabase(adminUrl, template);
    const roles = process.env.VSS_TEST_ROLES
      ? (JSON.parse(process.env.VSS_TEST_ROLES) as { prefix: string })
      : undefined;
    if (roles) {
      const names = Object.values(databaseRoles(roles.prefix));
      await runStatements(
        adminUrl,
        names.map((n) => `DROP ROLE IF EXISTS "${n}"`),
      ).catch(() => undefined);
    }
  }
  if (process.env.VSS_TEST_PKI) rmSync(process.env.VSS_TEST_PKI, { recursive: true, force: true });
}
