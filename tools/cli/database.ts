import type { Command } from 'commander';
import { resolve } from 'node:path';
import {
  createRoleStatements,
  databaseRoles,
  grantStatements,
  randomPasswords,
  redactUrl,
  type RolePasswords,
} from '@vss/persistence';
import { VSS_SCHEMA } from '@vss/core';
import { loadToolsConfig } from '@vss/platform';
import { NPD_SCHEMA } from '../../apps/population-registry/src/migrations';
import { migrateAll, prepareDatabase } from '../schemas';
import { registerTrust } from '../trust';

const say = (line: string) => process.stdout.write(`${line}\n`);

/** Passwords from VSS_DB_<ROLE>_PASSWORD when given (Docker secrets, a vault), random otherwise. */
function passwordsFromEnv(): { passwords: RolePasswords; generated: string[] } {
  const passwords = randomPasswords();
  const generated: string[] = [];
  const config = loadToolsConfig();
  const givenPasswords: RolePasswords | Partial<RolePasswords> = {
    owner: config.VSS_DB_OWNER_PASSWORD,
    gateway: config.VSS_DB_GATEWAY_PASSWORD,
    worker: config.VSS_DB_WORKER_PASSWORD,
    registry: config.VSS_DB_REGISTRY_PASSWORD,
  };
  for (const role of Object.keys(passwords) as (keyof RolePasswords)[]) {
    const given = givenPasswords[role];
    if (given) passwords[role] = given;
    else generated.push(role);
  }
  return { passwords, generated };
}

/**
 * `db setup|migrate|grants`: the least-privilege database roles of a DATABASE_URL deployment.
 * `setup` runs once, as a superuser; `migrate` after every upgrade, as the owner.
 */
export function registerDatabaseCommands(program: Command): void {
  const db = program.command('db').description('database roles and migrations: setup, migrate, grants');

  db.command('setup')
    .description(
      'once per server, as a superuser: create the owner and app roles and the database, migrate, grant',
    )
    .requiredOption('--admin-url <url>', "a superuser's URL (its database is only used to connect)")
    .option('--database <name>', 'the database to create and own', 'vss')
    .option('--prefix <prefix>', 'role names are <prefix>_owner, <prefix>_gateway, …', 'vss')
    .option(
      '--trust <dir>',
      "also register what a `certs export` trust folder holds: the gateway's audit public key, and the gateway's and worker's certificates as registry peers",
    )
    .action(async (opts: { adminUrl: string; database: string; prefix: string; trust?: string }) => {
      const { passwords, generated } = passwordsFromEnv();
      const prepared = await prepareDatabase(opts.adminUrl, opts.database, {
        prefix: opts.prefix,
        passwords,
      });
      say(`database ${opts.database} owned by ${prepared.roles.owner}, migrated, app roles granted.\n`);
      if (opts.trust) {
        const keyId = await registerTrust(prepared.ownerUrl, resolve(opts.trust));
        say(
          `registered the gateway's audit key ${keyId} and the gateway's and worker's certificates as registry peers.\n`,
        );
      }
      say(
        `owner (migrations, operator CLI)  ${generated.includes('owner') ? prepared.ownerUrl : redactUrl(prepared.ownerUrl)}`,
      );
      for (const role of ['gateway', 'worker', 'registry'] as const) {
        const url = prepared.urlFor(role);
        say(`${role.padEnd(33)}  ${generated.includes(role) ? url : redactUrl(url)}`);
      }
      if (generated.length > 0)
        say("\nGenerated passwords are shown this once: store them as each app's DATABASE_URL secret.");
    });

  db.command('migrate')
    .description("as the owner (DATABASE_URL): migrate every schema and apply the app roles' grants again")
    .option('--prefix <prefix>', 'role names are <prefix>_gateway, …', 'vss')
    .action(async (opts: { prefix: string }) => {
      const url = loadToolsConfig().DATABASE_URL;
      if (!url) throw new Error("DATABASE_URL is not set: give the owner role's URL");
      await migrateAll(url, databaseRoles(opts.prefix));
      say(
        `migrated ${redactUrl(url)}; grants of ${opts.prefix}_gateway, ${opts.prefix}_worker, ${opts.prefix}_registry applied`,
      );
    });

  db.command('grants')
    .description('print the SQL of the roles and grants, for review or for a DBA to run by hand')
    .option('--prefix <prefix>', 'role names are <prefix>_owner, …', 'vss')
    .action((opts: { prefix: string }) => {
      const roles = databaseRoles(opts.prefix);
      const placeholders = {
        owner: '<owner password>',
        gateway: '<gateway password>',
        worker: '<worker password>',
        registry: '<registry password>',
      };
      say('-- as a superuser, once per server:');
      for (const statement of createRoleStatements(roles, placeholders)) say(`${statement};`);
      say(`CREATE DATABASE vss OWNER ${roles.owner};`);
      say('\n-- as the owner, after `db migrate` (which also runs these):');
      for (const statement of grantStatements(roles, { vss: VSS_SCHEMA, npd: NPD_SCHEMA }))
        say(`${statement};`);
    });
}
