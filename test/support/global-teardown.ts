import { dropDatabase, type EmbeddedDatabase } from '@vss/persistence';

export default async function globalTeardown(): Promise<void> {
  const adminUrl = process.env.VSS_TEST_ADMIN_URL;
  const template = process.env.VSS_TEST_TEMPLATE;
  const embedded = (globalThis as Record<string, unknown>).__VSS_EMBEDDED__ as EmbeddedDatabase | undefined;
  if (embedded) {
    await embedded.stop();
  } else if (adminUrl && template) {
    await dropDatabase(adminUrl, template);
  }
}
