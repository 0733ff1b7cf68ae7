import {
  createOwnedDatabase,
  createRoleStatements,
  databaseRoles,
  type AppRole,
  type DatabaseRoles,
  grantStatements,
  type RolePasswords,
  runStatements,
  urlAs,
} from '@vss/persistence';
import { migrateSchemas } from '@vss/persistence/migrate';
import { VSS_SCHEMA } from '@vss/core';
import { PROCEDURE_STEP_QUEUE, PROCEDURE_STEP_QUEUE_RETRY } from '@vss/domain/linked-procedures';
import {
  FINDINGS_APPLY_QUEUE,
  FINDINGS_APPLY_QUEUE_RETRY,
  RECONCILIATION_QUEUE,
} from '@vss/domain/reconciliation-runs';
import { ensureQueue, startJobQueue } from '@vss/platform';
import { SYNTH_SCHEMA } from '@vss/synthetic';
import { Client } from 'pg';
import { NPD_SCHEMA } from '../apps/population-registry/src/migrations';

/**
 * Every schema of the system in the order they depend on each other: the registry stub's
 * `npd`, the gateway and worker's `vss`, the generator's `synth`.
 */
export const ALL_SCHEMAS = [NPD_SCHEMA, VSS_SCHEMA, SYNTH_SCHEMA];

/**
 * What `npm run migrate`, `npm start`, the seeder, the benchmarks and the tests run as the
 * owner role: every schema migrated, the job queue's schema and queues created (apps cannot
 * create them: a queue is a table), then each app role's grants applied again.
 */
export async function migrateAll(ownerUrl: string, roles?: DatabaseRoles): Promise<void> {
  await migrateSchemas(ownerUrl, ALL_SCHEMAS);
  const boss = await startJobQueue({
    url: ownerUrl,
    expireInSeconds: 60,
    maintenanceIntervalSeconds: 60,
    poolSize: 1,
    applicationName: 'migrate:jobs',
    supervise: false,
  });
  try {
    await ensureQueue(boss, PROCEDURE_STEP_QUEUE, { ...PROCEDURE_STEP_QUEUE_RETRY });
    await ensureQueue(boss, RECONCILIATION_QUEUE);
    await ensureQueue(boss, FINDINGS_APPLY_QUEUE, { ...FINDINGS_APPLY_QUEUE_RETRY });
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
  if (roles) await runStatements(ownerUrl, grantStatements(roles, { vss: VSS_SCHEMA, npd: NPD_SCHEMA }));
}

export interface PreparedDatabase {
  roles: DatabaseRoles;
  /** The owner's URL: migrations, the seeder, the operator CLI on a laptop. */
  ownerUrl: string;
  /** An app's own login. */
  urlFor(role: AppRole): string;
}

/**
 * A database set up the way a deployment is, from a superuser's URL: the roles (created or
 * given these passwords), the database owned by the owner role (taken over from whoever owned
 * it, for data folders made before the roles existed), migrated, each app role granted what it
 * needs. `npm start`, the tests and the fault tests all run on this.
 */
export async function prepareDatabase(
  adminUrl: string,
  database: string,
  options: { prefix?: string; passwords: RolePasswords },
): Promise<PreparedDatabase> {
  const roles = databaseRoles(options.prefix);
  await runStatements(adminUrl, createRoleStatements(roles, options.passwords));
  await createOwnedDatabase(adminUrl, database, roles.owner);
  const url = new URL(adminUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  await takeOwnership(url.toString(), roles.owner);
  const ownerUrl = urlAs(url.toString(), roles.owner, options.passwords.owner);
  await migrateAll(ownerUrl, roles);
  return {
    roles,
    ownerUrl,
    urlFor: (role) => urlAs(url.toString(), roles[role], options.passwords[role]),
  };
}

/** Hands the database and everything in our schemas to the owner role (as a superuser). */
async function takeOwnership(superuserDatabaseUrl: string, owner: string): Promise<void> {
  const client = new Client({ connectionString: superuserDatabaseUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(`
      DO $$
      DECLARE o text := ${literal(owner)}; r record;
      BEGIN
        EXECUTE format('ALTER DATABASE %I OWNER TO %I', current_database(), o);
        FOR r IN SELECT nspname FROM pg_namespace
                  WHERE nspname IN ('vss', 'npd', 'synth', 'pgboss') AND nspowner <> o::regrole LOOP
          EXECUTE format('ALTER SCHEMA %I OWNER TO %I', r.nspname, o);
        END LOOP;
        FOR r IN SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE (n.nspname IN ('vss', 'npd', 'synth', 'pgboss')
                         OR (n.nspname = 'public' AND c.relname LIKE '%migrations'))
                    AND c.relkind IN ('r', 'p', 'v', 'm', 'S') AND c.relowner <> o::regrole
                    -- a table's own sequences follow the table
                    AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d
                              WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))) LOOP
          EXECUTE format('ALTER %s %I.%I OWNER TO %I',
            CASE r.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
            r.nspname, r.relname, o);
        END LOOP;
        FOR r IN SELECT p.oid::regprocedure AS fn FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                  WHERE n.nspname IN ('vss', 'npd', 'synth', 'pgboss') AND p.proowner <> o::regrole LOOP
          EXECUTE format('ALTER ROUTINE %s OWNER TO %I', r.fn, o);
        END LOOP;
        FOR r IN SELECT t.oid::regtype AS ty FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                  WHERE n.nspname IN ('vss', 'npd', 'synth', 'pgboss') AND t.typtype = 'e' AND t.typowner <> o::regrole LOOP
          EXECUTE format('ALTER TYPE %s OWNER TO %I', r.ty, o);
        END LOOP;
      END $$`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;
