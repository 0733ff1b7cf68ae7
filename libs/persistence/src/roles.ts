import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { MigrationSet } from './database';

/** The database roles of a deployment: one owner that migrates, one login per app. */
export interface DatabaseRoles {
  /** Owns the schemas; runs migrations. Never used by a running app. */
  owner: string;
  gateway: string;
  worker: string;
  /** The population-registry stub (in production: the NPD's own database, not ours). */
  registry: string;
}

export type AppRole = Exclude<keyof DatabaseRoles, 'owner'>;

/** `vss_owner`, `vss_gateway`, … (a prefix keeps concurrent test runs on one server apart). */
export function databaseRoles(prefix = 'vss'): DatabaseRoles {
  return {
    owner: `${prefix}_owner`,
    gateway: `${prefix}_gateway`,
    worker: `${prefix}_worker`,
    registry: `${prefix}_registry`,
  };
}

export type RolePasswords = Record<keyof DatabaseRoles, string>;

export function randomPasswords(): RolePasswords {
  const one = () => randomBytes(18).toString('base64url');
  return { owner: one(), gateway: one(), worker: one(), registry: one() };
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** The statements a superuser runs once per server: the roles, with their passwords. */
export function createRoleStatements(roles: DatabaseRoles, passwords: RolePasswords): string[] {
  return (Object.keys(roles) as (keyof DatabaseRoles)[]).map(
    (key) =>
      `DO $$ BEGIN
         IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${literal(roles[key])}) THEN
           CREATE ROLE ${ident(roles[key])} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
         END IF;
       END $$;
       ALTER ROLE ${ident(roles[key])} PASSWORD ${literal(passwords[key])}`,
  );
}

/**
 * The callers each app's login appends audit entries for: the gateway's authenticated callers
 * (every role of @vss/domain's ROLES), the worker itself. `database` entries (the money tables'
 * triggers) any login appends, as itself only.
 */
const GATEWAY_CALLER_ROLES = ['clinic', 'civil-registry', 'admin', 'registry-peer'];
const WORKER_CALLER_ROLES = ['system'];

/**
 * What each app may do, granted by the owner after the migrations (grants follow the tables,
 * so they are applied again after every migration). Deny by default: a table not named here is
 * out of reach of every app.
 *
 * - the registry stub reads and writes `npd` and nothing of `vss`;
 * - the gateway and the worker read and write `vss` and the job queue, and nothing of `npd`
 *   (they call the registry over gRPC); neither can change or remove an audit entry, nor
 *   insert one except through vss.audit_append (which chains it), nor disable a trigger (only
 *   the owner can); the worker cannot read API keys or client certificates at all, the gateway
 *   only read them (the operator CLI issues and revokes as the owner);
 * - the gateway cannot write funeral payouts, their adjustments or arrears, insurance records,
 *   cards or benefits (the worker applies what it asks), no app writes rates,
 *   and the worker cannot read the audit trail it appends to;
 * - each app appends audit entries only for the callers it serves (vss.audit_producers), and
 *   only the gateway signs tree heads.
 */
export function grantStatements(
  roles: DatabaseRoles,
  sets: { vss: MigrationSet; npd: MigrationSet },
): string[] {
  const apps = `${ident(roles.gateway)}, ${ident(roles.worker)}`;
  const all = `${apps}, ${ident(roles.registry)}`;
  return [
    `REVOKE ALL ON SCHEMA public FROM PUBLIC`,
    `GRANT USAGE ON SCHEMA public TO ${all}`,
    `REVOKE ALL ON ALL TABLES IN SCHEMA vss, npd, pgboss FROM ${all}`,
    // Functions run with their caller's rights (trigger functions included), except
    // audit_append, which runs as the owner and so is for the apps alone.
    `REVOKE EXECUTE ON FUNCTION vss.audit_append(jsonb), vss.audit_stage(jsonb) FROM PUBLIC`,
    // The registry stub
    `GRANT USAGE ON SCHEMA npd TO ${ident(roles.registry)}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA npd TO ${ident(roles.registry)}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA npd TO ${ident(roles.registry)}`,
    `GRANT SELECT ON public.${ident(sets.npd.migrationsTableName)} TO ${ident(roles.registry)}`,
    // Its peers are registered and revoked by the registry's operator (the owner); it reads them.
    `REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON npd.registry_peers FROM ${ident(roles.registry)}`,
    // The gateway and the worker
    `GRANT USAGE ON SCHEMA vss, pgboss TO ${apps}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA vss TO ${apps}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA vss TO ${apps}`,
    `REVOKE INSERT, UPDATE, DELETE ON vss.audit_events FROM ${apps}`,
    `REVOKE ALL ON vss.audit_pending FROM ${apps}`,
    `REVOKE UPDATE, DELETE ON vss.audit_checkpoints FROM ${apps}`,
    // Tree heads are signed by the gateways (their checkpointer), with keys the operator
    // registered; the tree's tiles are written by the same signer. The worker has none of it.
    `REVOKE ALL ON vss.audit_checkpoints, vss.audit_tree_tiles, vss.audit_signing_keys FROM ${ident(roles.worker)}`,
    `REVOKE UPDATE, DELETE ON vss.audit_tree_tiles FROM ${ident(roles.gateway)}`,
    `REVOKE INSERT, UPDATE, DELETE ON vss.audit_signing_keys FROM ${ident(roles.gateway)}`,
    // Who may append as whom is the owner's to say; staged entries are numbered by the owner's
    // trigger alone (an app taking numbers would fake gaps).
    `REVOKE ALL ON vss.audit_producers FROM ${apps}`,
    // The key of the coverage feed's tokens: the gateway matches them to what it caches.
    `REVOKE ALL ON vss.change_feed_key FROM ${apps}`,
    `GRANT SELECT ON vss.change_feed_key TO ${ident(roles.gateway)}`,
    `REVOKE ALL ON SEQUENCE vss.audit_staged_seq FROM ${apps}`,
    `DELETE FROM vss.audit_producers`,
    `INSERT INTO vss.audit_producers (login, caller_roles) VALUES
       (${literal(roles.gateway)}, ARRAY[${GATEWAY_CALLER_ROLES.map(literal).join(', ')}]),
       (${literal(roles.worker)}, ARRAY[${WORKER_CALLER_ROLES.map(literal).join(', ')}]),
       (${literal(roles.registry)}, ARRAY[]::text[])`,
    // The row that orders the chain's appends is locked by the append function alone.
    `REVOKE ALL ON vss.audit_chain_lock FROM ${apps}`,
    `REVOKE INSERT, UPDATE, DELETE ON vss.api_keys, vss.client_certificates FROM ${apps}`,
    `REVOKE ALL ON vss.api_keys, vss.client_certificates FROM ${ident(roles.worker)}`,
    // The console's callers pages (security administrators) add and revoke keys; a key's last
    // use is noted as it is checked. Triggers hold the rest: a revoked key stays revoked, an
    // expiry only comes closer, an admin key needs a second security administrator's approval.
    `GRANT INSERT, UPDATE (revoked_at, expires_at, last_used_at) ON vss.api_keys TO ${ident(roles.gateway)}`,
    // Likewise client certificates signed from a caller's request, and their revocation.
    `GRANT INSERT, UPDATE (revoked_at) ON vss.client_certificates TO ${ident(roles.gateway)}`,
    // Offices are registered by the operator CLI (as the owner); the apps read them. Operators are
    // added, given roles and disabled by the CLI or by security administrators in the console
    // (the security-admin role only with a second one's approval, by trigger).
    `REVOKE INSERT, UPDATE, DELETE ON vss.operators, vss.civil_registry_offices FROM ${apps}`,
    `GRANT INSERT, UPDATE (roles, active, disabled_at, disabled_by) ON vss.operators TO ${ident(roles.gateway)}`,
    // An operator's password and second factor are set by the operator themselves, in the
    // gateway's console (enrolment, failed sign-ins); the CLI or a security administrator sends
    // the enrolment link. The worker serves no person and reads neither credentials nor sessions.
    `REVOKE INSERT, DELETE ON vss.operator_credentials FROM ${apps}`,
    `GRANT INSERT ON vss.operator_credentials TO ${ident(roles.gateway)}`,
    `REVOKE ALL ON vss.operator_credentials, vss.console_sessions, vss.finding_reviews FROM ${ident(roles.worker)}`,
    // Reviewers' rejections: the worker reads them (a rejected pair is not proposed again).
    `REVOKE INSERT, UPDATE, DELETE ON vss.rejected_pairs FROM ${ident(roles.worker)}`,
    // Per-caller limits are set by the operator; the gateways only read them and count usage.
    `REVOKE INSERT, UPDATE, DELETE ON vss.caller_limits FROM ${apps}`,
    `REVOKE DELETE ON vss.caller_usage FROM ${apps}`,
    `REVOKE ALL ON vss.caller_limits, vss.caller_usage, vss.gateway_instances FROM ${ident(roles.worker)}`,
    // Money: funeral payouts are instructed and settled by the worker's steps and the operators'
    // CLI, rates by migrations; the internet-facing gateway writes none of them and no app
    // writes rates (every change to them is in the audit chain, by trigger, whoever makes it).
    `REVOKE INSERT, UPDATE, DELETE ON vss.funeral_payouts, vss.funeral_adjustments, vss.benefit_arrears FROM ${ident(roles.gateway)}`,
    // Nor insurance records, cards or benefits: applying reconciliation findings is the worker's
    // (the gateway queues an application and reads how it went).
    `REVOKE INSERT, UPDATE, DELETE ON vss.participants, vss.hi_cards, vss.benefits, vss.benefit_payments FROM ${ident(roles.gateway)}`,
    // Save one mark: a person closing a death's revocation in the console (ResolveProcedure) clears
    // the "reinstatement pending" the records carried for it; nothing else of the record.
    `GRANT UPDATE (death_revocation_procedure, updated_at) ON vss.participants TO ${ident(roles.gateway)}`,
    `REVOKE UPDATE, DELETE ON vss.finding_applications FROM ${ident(roles.gateway)}`,
    `REVOKE INSERT, DELETE ON vss.finding_applications FROM ${ident(roles.worker)}`,
    `REVOKE INSERT, UPDATE, DELETE ON vss.rates FROM ${apps}`,
    // The access log is read by the gateway (access history, the console, checkpoints); the
    // worker only appends to it, through the functions.
    `REVOKE SELECT ON vss.audit_events, vss.audit_checkpoints FROM ${ident(roles.worker)}`,
    `GRANT EXECUTE ON FUNCTION vss.audit_append(jsonb), vss.audit_stage(jsonb) TO ${apps}`,
    `GRANT SELECT ON public.${ident(sets.vss.migrationsTableName)} TO ${apps}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA pgboss TO ${apps}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA pgboss TO ${apps}`,
    `GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA pgboss TO ${apps}`,
    // Queues created later (a partition per queue) are the owner's tables too.
    `ALTER DEFAULT PRIVILEGES IN SCHEMA pgboss GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${apps}`,
  ];
}

/** Runs statements on one connection, in one transaction. */
export async function runStatements(url: string, statements: string[]): Promise<void> {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('BEGIN');
    for (const statement of statements) await client.query(statement);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The same server and database as `url`, logged in as another role. */
export function urlAs(url: string, role: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(role);
  u.password = encodeURIComponent(password);
  return u.toString();
}

/** A database owned by the owner role (created by a superuser): its schemas are the owner's. */
export async function createOwnedDatabase(adminUrl: string, name: string, owner: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${ident(name)} OWNER ${ident(owner)}`);
  } finally {
    await client.end();
  }
}

/**
 * Refuses to serve on a schema that is behind the code: apps do not migrate (their roles
 * cannot), the owner does (`npm run migrate`, or `npm start`).
 */
export async function requireMigrated(url: string, set: MigrationSet, what: string): Promise<void> {
  const expected = (set.migrations as unknown as (new () => { name: string })[]).map((M) => new M().name);
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rows } = await client
      .query<{ name: string }>(`SELECT name FROM public.${ident(set.migrationsTableName)}`)
      .catch((error: { code?: string }) => {
        if (error.code === '42P01') return { rows: [] as { name: string }[] };
        throw error;
      });
    const applied = new Set(rows.map((r) => r.name));
    const missing = expected.filter((name) => !applied.has(name));
    if (missing.length > 0) {
      throw new Error(
        `the ${what} schema is not up to date (${missing.length} migration(s) pending, first ${missing[0]}): ` +
          'run `npm run migrate` as the owner role (npm start does it itself)',
      );
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}
