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
      'issue a key: --facility CODE for a clinic, --role admin --operator LOGIN, --role civil-registry --office CODE',
    )
    .option('--role <role>', `one of ${ROLES.join(', ')} (default: clinic when --facility is given)`)
    .option('--facility <code>', "a clinic's 5-digit facility code")
    .option('--office <code>', "a civil registry office's code")
    .option('--operator <login>', 'admin keys: the named operator the key is issued to, who it acts as')
    .option('--days <n>', 'days until the key expires (admin keys: 90 unless given; others: never)')
    .option('--label <text>', 'who holds the key, shown in audit listings')
    .action(
      async (opts: {
        role?: string;
        facility?: string;
        office?: string;
        operator?: string;
        days?: string;
        label?: string;
      }) => {
        const role = (opts.role ?? (opts.facility ? 'clinic' : undefined)) as Role | undefined;
        if (!role || !ROLES.includes(role)) {
          throw new Error(`--role must be one of ${ROLES.join(', ')} (or give --facility for a clinic key)`);
        }
        if (opts.facility && role !== 'clinic') throw new Error('--facility goes with clinic keys only');
        if (opts.office && role !== 'civil-registry')
          throw new Error('--office goes with civil-registry keys only');
        const label =
          opts.label ??
          (opts.facility
            ? `facility ${opts.facility}`
            : opts.office
              ? `office ${opts.office}`
              : opts.operator
                ? `operator ${opts.operator}`
                : role);
        const issued = await withKeys((k) =>
          k.issue({
            role,
            label,
            facilityCode: opts.facility,
            officeCode: opts.office,
            operatorLogin: opts.operator,
            validDays: opts.days === undefined ? undefined : Number(opts.days),
          }),
        );
        printIssued(issued, role, label, opts);
      },
    );

  keys
    .command('rotate')
    .description('a new key with the same role and binding; the old one keeps working for --grace-hours (24)')
    .argument('<keyId>')
    .option('--grace-hours <n>', 'hours the old key keeps working (0: revoked at once)', '24')
    .action(async (keyId: string, opts: { graceHours: string }) => {
      const rotated = await withKeys((k) => k.rotate(keyId, Number(opts.graceHours)));
      say(`key id   ${rotated.keyId}`);
      say(`api key  ${rotated.apiKey}`);
      if (rotated.expiresAt) say(`expires  ${rotated.expiresAt.toISOString()}`);
      say(`old key ${keyId} works until ${rotated.previousUntil.toISOString()}`);
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
    .description('every key: id, role, facility or office, label, created, expires, revoked, last used')
    .action(async () => {
      const rows = await withKeys((k) => k.list());
      say(
        [
          'key id'.padEnd(13),
          'role'.padEnd(15),
          'acts for'.padEnd(16),
          'created'.padEnd(20),
          'expires'.padEnd(20),
          'revoked'.padEnd(20),
          'last used'.padEnd(20),
          'label',
        ].join(' '),
      );
      for (const r of rows) {
        say(
          [
            r.key_id.padEnd(13),
            r.role.padEnd(15),
            (r.facility_code ?? r.office_code ?? r.operator ?? '-').padEnd(16),
            r.created_at.toISOString().slice(0, 19).padEnd(20),
            (r.expires_at ? r.expires_at.toISOString().slice(0, 19) : '-').padEnd(20),
            (r.revoked_at ? r.revoked_at.toISOString().slice(0, 19) : '-').padEnd(20),
            (r.last_used_at ? r.last_used_at.toISOString().slice(0, 16) : '-').padEnd(20),
            r.label,
          ].join(' '),
        );
      }
      say(`${rows.length} key(s)`);
    });
}

function printIssued(
  issued: { keyId: string; apiKey: string; expiresAt?: Date },
  role: Role,
  label: string,
  opts: { facility?: string; office?: string; operator?: string },
): void {
  const of = opts.facility
    ? ` (facility ${opts.facility})`
    : opts.office
      ? ` (office ${opts.office})`
      : opts.operator
        ? ` (operator ${opts.operator}: acts as them)`
        : '';
  say(`key id   ${issued.keyId}`);
  say(`role     ${role}${of}`);
  say(`label    ${label}`);
  if (issued.expiresAt) say(`expires  ${issued.expiresAt.toISOString()}`);
  say(`api key  ${issued.apiKey}`);
  say('\nThe key is shown this once; only its hash is stored. Send it as the x-api-key metadata or header.');
}
