import type { Command } from 'commander';
import { ApiKeys } from '@vss/api-keys';
import { type Role, ROLES } from '@vss/security';
import { withDatabase } from './context';

const say = (line: string) => process.stdout.write(`${line}\n`);

const withKeys = <T>(work: (keys: ApiKeys) => Promise<T>): Promise<T> =>
  withDatabase((pool) => work(new ApiKeys(pool)), 1);

/**
 * `keys issue|revoke|list`: callers' API keys, straight in the database (an operator's tool,
 * not a remote API). The key is printed once; only its hash is kept.
 */
export function registerKeysCommands(program: Command): void {
  const keys = program.command('keys').description("callers' API keys: issue, revoke, list");

  keys
    .command('issue')
    .description(
      'issue a key: --facility CODE for a clinic, --role admin, --role civil-registry --office CODE',
    )
    .option('--role <role>', `one of ${ROLES.join(', ')} (default: clinic when --facility is given)`)
    .option('--facility <code>', "a clinic's 5-digit facility code")
    .option('--office <code>', "a civil registry office's code")
    .option('--label <text>', 'who holds the key, shown in audit listings')
    .action(async (opts: { role?: string; facility?: string; office?: string; label?: string }) => {
      const role = (opts.role ?? (opts.facility ? 'clinic' : undefined)) as Role | undefined;
      if (!role || !ROLES.includes(role)) {
        throw new Error(`--role must be one of ${ROLES.join(', ')} (or give --facility for a clinic key)`);
      }
      if (opts.facility && role !== 'clinic') throw new Error('--facility goes with clinic keys only');
      if (opts.office && role !== 'civil-registry')
        throw new Error('--office goes with civil-registry keys only');
      const label =
        opts.label ??
        (opts.facility ? `facility ${opts.facility}` : opts.office ? `office ${opts.office}` : role);
      const issued = await withKeys((k) =>
        k.issue({ role, label, facilityCode: opts.facility, officeCode: opts.office }),
      );
      say(`key id   ${issued.keyId}`);
      say(
        `role     ${role}${opts.facility ? ` (facility ${opts.facility})` : ''}${opts.office ? ` (office ${opts.office})` : ''}`,
      );
      say(`label    ${label}`);
      say(`api key  ${issued.apiKey}`);
      say(
        '\nThe key is shown this once; only its hash is stored. Send it as the x-api-key metadata or header.',
      );
    });

  keys
    .command('revoke')
    .description('revoke a key by its id; every gateway refuses it at once (within 5 s at worst)')
    .argument('<keyId>')
    .action(async (keyId: string) => {
      const revoked = await withKeys((k) => k.revoke(keyId));
      if (!revoked) throw new Error(`no active key with id ${keyId} (unknown or already revoked)`);
      say(`revoked ${keyId}`);
    });

  keys
    .command('list')
    .description('every key: id, role, facility or office, label, created, revoked')
    .action(async () => {
      const rows = await withKeys((k) => k.list());
      say(
        [
          'key id'.padEnd(13),
          'role'.padEnd(15),
          'acts for'.padEnd(16),
          'created'.padEnd(20),
          'revoked'.padEnd(20),
          'label',
        ].join(' '),
      );
      for (const r of rows) {
        say(
          [
            r.key_id.padEnd(13),
            r.role.padEnd(15),
            (r.facility_code ?? r.office_code ?? '-').padEnd(16),
            r.created_at.toISOString().slice(0, 19).padEnd(20),
            (r.revoked_at ? r.revoked_at.toISOString().slice(0, 19) : '-').padEnd(20),
            r.label,
          ].join(' '),
        );
      }
      say(`${rows.length} key(s)`);
    });
}
