import type { Command } from 'commander';
import {
  OfficesRepository,
  OperatorCredentialsRepository,
  OperatorsRepository,
  parseOperatorRoles,
  totpCode,
} from '@vss/authority';
import { OPERATOR_ROLES } from '@vss/domain';
import { cliContext, withDatabase } from './context';

const say = (line: string) => process.stdout.write(`${line}\n`);

const withOperators = <T>(work: (operators: OperatorsRepository) => Promise<T>): Promise<T> =>
  withDatabase((pool) => work(new OperatorsRepository(pool)), 1);

/**
 * `operators add|list|disable|roles` and `offices list`: the people whose credentials act as
 * them, and the civil registry offices a key may name; straight in the database, as the owner.
 * `--by` names the security administrator who made the change (kept on the operator's row).
 */
export function registerOperatorsCommands(program: Command): void {
  const operators = program.command('operators').description('named operators: add, list, disable, roles');

  operators
    .command('add')
    .description('add a person; then issue their admin key: keys issue --role admin --operator LOGIN')
    .argument('<login>', 'e.g. nguyen.thi.ha')
    .requiredOption('--name <text>', 'display name, e.g. "Nguyễn Thị Hà"')
    .requiredOption('--roles <list>', `comma-separated: ${OPERATOR_ROLES.join(', ')}`)
    .option('--by <login>', 'who adds them (recorded)', 'cli')
    .action(async (login: string, opts: { name: string; roles: string; by: string }) => {
      const roles = parseOperatorRoles(opts.roles);
      const added = await withOperators((o) => o.add({ login, displayName: opts.name, roles, by: opts.by }));
      say(`operator ${added.login} (${added.displayName}): ${added.roles.join(', ')}`);
      await sayEnrolmentLink(added.login);
      say(`for gRPC and the CLI: npm run cli -- keys issue --role admin --operator ${added.login}`);
    });

  operators
    .command('enrol')
    .description(
      'send a new one-time console enrolment link: resets the password and second factor (a lost phone, a forgotten password)',
    )
    .argument('<login>')
    .action(async (login: string) => sayEnrolmentLink(login));

  operators
    .command('unlock')
    .description('lift the lock on a login after too many failed console sign-ins')
    .argument('<login>')
    .action(async (login: string) => {
      const found = await withDatabase((pool) => new OperatorCredentialsRepository(pool).unlock(login), 1);
      say(found ? `console sign-in of ${login} unlocked` : `${login} has no console credentials`);
    });

  program
    .command('totp')
    .description("the 6-digit code an authenticator app shows now for a key (the demo operators' keys)")
    .argument('<key>', 'the base32 authenticator key')
    .action((key: string) => {
      say(totpCode(key.replace(/\s+/g, '').toUpperCase()));
    });

  operators
    .command('list')
    .description('every operator: login, name, roles, active')
    .action(async () => {
      const rows = await withOperators((o) => o.list());
      for (const r of rows) {
        const state = r.active
          ? 'active'
          : `disabled ${r.disabledAt!.toISOString().slice(0, 10)} by ${r.disabledBy}`;
        say(`${r.login.padEnd(24)} ${r.displayName.padEnd(28)} ${r.roles.join(',').padEnd(40)} ${state}`);
      }
      say(`${rows.length} operator(s)`);
    });

  operators
    .command('disable')
    .description('disable an operator: every key and certificate of theirs stops working at once')
    .argument('<login>')
    .option('--by <login>', 'who disables them (recorded)', 'cli')
    .action(async (login: string, opts: { by: string }) => {
      const found = await withOperators((o) => o.disable(login, opts.by));
      if (!found) throw new Error(`no operator has the login ${login}`);
      say(`operator ${login} disabled${found.disabledBy === opts.by ? '' : ' (already)'}`);
    });

  operators
    .command('roles')
    .description("replace an operator's roles")
    .argument('<login>')
    .argument('<roles>', `comma-separated: ${OPERATOR_ROLES.join(', ')}`)
    .action(async (login: string, text: string) => {
      const roles = parseOperatorRoles(text);
      const found = await withOperators((o) => o.setRoles(login, roles));
      if (!found) throw new Error(`no operator has the login ${login}`);
      say(`operator ${login}: ${found.roles.join(', ')}`);
    });

  const offices = program.command('offices').description('registered civil registry offices');
  offices
    .command('list')
    .description('the offices a civil-registry key may name, with the area each serves')
    .option('--province <code>', 'only this province (e.g. 001)')
    .action(async (opts: { province?: string }) => {
      const rows = await withDatabase((pool) => new OfficesRepository(pool).list(opts.province), 1);
      for (const r of rows) {
        say(
          `${r.officeCode.padEnd(18)} ${r.level.padEnd(9)} ${r.provinceCode} ${r.active ? '' : '(inactive) '}${r.name}`,
        );
      }
      say(`${rows.length} office(s)`);
    });
}

/** Prints the one-time link by which an operator sets their console password and second factor. */
async function sayEnrolmentLink(login: string): Promise<void> {
  const sent = await withDatabase((pool) => new OperatorCredentialsRepository(pool).sendEnrolment(login), 1);
  const base = cliContext().gatewayHttp.replace(/\/$/, '');
  say(
    `console enrolment link for ${login}, valid until ${sent.expiresAt.toISOString()}; give it to them only:`,
  );
  say(`  ${base}/console/enrol/${sent.token}`);
}
