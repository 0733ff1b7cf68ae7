import type { Command } from 'commander';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CertificateRegistry } from '@vss/api-keys';
import {
  APP_FILES,
  CertificateAuthority,
  CertificateRequestError,
  ensurePki,
  exportAppFiles,
  isSystemSubject,
  PKI_FILES,
  type SignedCertificate,
  writePrivateFile,
} from '@vss/pki';
import { dataDir } from '../runtime';
import { withDatabase } from './context';

const say = (line: string) => process.stdout.write(`${line}\n`);
const CALLER_ROLES = ['clinic', 'civil-registry', 'admin'] as const;
type CallerRole = (typeof CALLER_ROLES)[number];

function pkiDir(opts: { pki?: string }): string {
  return resolve(opts.pki ?? join(dataDir(), 'pki'));
}

const withRegistry = <T>(work: (registry: CertificateRegistry) => Promise<T>): Promise<T> =>
  withDatabase((pool) => work(new CertificateRegistry(pool)), 1);

/**
 * `certs init|issue|list|revoke`: the gateway's certificate authority and the calling systems'
 * client certificates. Runs where the CA key is (an operator's machine), writing to the
 * database as the owner; a revocation reaches every gateway at once (NOTIFY).
 */
export function registerCertsCommands(program: Command): void {
  const certs = program
    .command('certs')
    .description("the gateway's CA and callers' client certificates: init, issue, list, revoke");

  certs
    .command('init')
    .description('create the CA, every system certificate and the audit signing key (keeps what exists)')
    .option('--pki <dir>', 'folder of the CA and certificates (default <VSS_DATA_DIR>/pki)')
    .option(
      '--host <system:name...>',
      "a server's own host name or address beside localhost, e.g. gateway:gw.vss.gov.vn population-registry:npd.internal",
    )
    .action(async (opts: { pki?: string; host?: string[] }) => {
      const hosts: Record<string, string[]> = {};
      for (const entry of opts.host ?? []) {
        const [system, name] = entry.split(/:(.*)/s, 2);
        if (!name || !['gateway', 'population-registry'].includes(system)) {
          throw new Error(
            `--host ${entry}: name the server it is for, gateway:<name> or population-registry:<name> (a certificate names its own server only)`,
          );
        }
        (hosts[system] ??= []).push(name);
      }
      const report = await ensurePki(pkiDir(opts), { hosts });
      say(
        report.created.length
          ? `created:\n  ${report.created.join('\n  ')}`
          : `nothing to do in ${report.dir}`,
      );
      say(`\nKeep ${join(report.dir, PKI_FILES.caKey)} off the servers: gateways need only ca.crt.`);
    });

  certs
    .command('export')
    .description(
      "copy each app's own files into <out>/<app>/ (and what the operator registers into <out>/trust/): no CA key",
    )
    .option('--pki <dir>', 'folder of the CA and certificates (default <VSS_DATA_DIR>/pki)')
    .requiredOption('--out <dir>', 'where the per-app folders are written')
    .action((opts: { pki?: string; out: string }) => {
      const written = exportAppFiles(pkiDir(opts), resolve(opts.out));
      say(`${written.length} files written under ${resolve(opts.out)}: ${Object.keys(APP_FILES).join(', ')}`);
    });

  certs
    .command('issue')
    .description(
      "issue a caller's client certificate: --member --subsystem and --facility CODE, --office CODE or --role admin",
    )
    .requiredOption('--member <code>', 'the calling organisation, e.g. BV-01001 (a hospital), UBND-001-00001')
    .requiredOption('--subsystem <code>', "the organisation's system, e.g. his, civil-registry")
    .option(
      '--role <role>',
      `one of ${CALLER_ROLES.join(', ')} (default: clinic with --facility, civil-registry with --office)`,
    )
    .option('--facility <code>', "a clinic's 5-digit facility code")
    .option('--office <code>', "a civil registry office's code")
    .option('--operator <login>', 'admin certificates: the named operator it is issued to, who it acts as')
    .option('--label <text>', 'shown in audit listings')
    .option('--days <n>', 'validity in days', (v) => Number(v), 397)
    .option(
      '--csr <file>',
      "the caller's certificate request (PEM): its key is certified, and no key is made or written here",
    )
    .option('--out <dir>', 'where the certificate and key are written', '.')
    .option('--pki <dir>', 'folder of the CA (default <VSS_DATA_DIR>/pki)')
    .action(
      async (opts: {
        member: string;
        subsystem: string;
        role?: string;
        facility?: string;
        office?: string;
        operator?: string;
        label?: string;
        days: number;
        csr?: string;
        out: string;
        pki?: string;
      }) => {
        const role = (opts.role ??
          (opts.facility ? 'clinic' : opts.office ? 'civil-registry' : undefined)) as CallerRole | undefined;
        if (!role || !CALLER_ROLES.includes(role)) {
          throw new Error(
            `--role must be one of ${CALLER_ROLES.join(', ')} (or give --facility or --office)`,
          );
        }
        if (role === 'clinic' && !/^[0-9]{5}$/.test(opts.facility ?? ''))
          throw new Error('a clinic certificate needs --facility with a 5-digit facility code');
        if (role === 'civil-registry' && !opts.office)
          throw new Error('a civil-registry certificate needs --office');
        if (!Number.isInteger(opts.days) || opts.days < 1 || opts.days > 825)
          throw new Error('--days must be a whole number from 1 to 825');
        const dir = pkiDir(opts);
        const caCert = join(dir, PKI_FILES.caCertificate);
        const caKey = join(dir, PKI_FILES.caKey);
        if (!existsSync(caKey))
          throw new Error(`no CA key at ${caKey}: run \`certs init\` first, or pass --pki`);
        const authority = await CertificateAuthority.load(
          readFileSync(caCert, 'utf8'),
          readFileSync(caKey, 'utf8'),
        );
        const label = opts.label ?? `${opts.member}/${opts.subsystem}`;
        const subject = { member: opts.member, subsystem: opts.subsystem, commonName: label };
        if (isSystemSubject(subject)) {
          throw new Error(
            `--member ${opts.member} --subsystem ${opts.subsystem} is a system's own subject, never a caller's`,
          );
        }
        const issued: SignedCertificate & { privateKeyPem?: string } = opts.csr
          ? await authority
              .issueFromRequest(readFileSync(opts.csr, 'utf8'), { subject, validityDays: opts.days })
              .catch((error: unknown) => {
                throw error instanceof CertificateRequestError
                  ? new Error(`--csr ${opts.csr}: ${error.message}`)
                  : error;
              })
          : await authority.issue({ subject, purpose: 'client', validityDays: opts.days });
        await withRegistry((r) =>
          r.register({
            fingerprint256: issued.fingerprint256,
            serialNumber: issued.serialNumber,
            subject: issued.subject,
            member: opts.member,
            subsystem: opts.subsystem,
            role,
            facilityCode: opts.facility,
            officeCode: opts.office,
            label,
            notAfter: issued.notAfter,
            operatorLogin: opts.operator,
          }),
        );
        mkdirSync(opts.out, { recursive: true });
        const base = join(
          resolve(opts.out),
          `${opts.member}-${opts.subsystem}`.replace(/[^A-Za-z0-9._-]/g, '_'),
        );
        writeFileSync(`${base}.crt`, issued.certificatePem);
        if (issued.privateKeyPem) writePrivateFile(`${base}.key`, issued.privateKeyPem);
        say(`serial       ${issued.serialNumber}`);
        say(`subject      ${issued.subject}`);
        say(
          `role         ${role}${opts.facility ? ` (facility ${opts.facility})` : ''}${opts.office ? ` (office ${opts.office})` : ''}`,
        );
        say(`valid until  ${issued.notAfter.toISOString()}`);
        say(`certificate  ${base}.crt`);
        say(
          issued.privateKeyPem
            ? `private key  ${base}.key (0600: hand it to the caller's system over a secure channel)`
            : 'private key  kept by the caller (the certificate request carried its public half)',
        );
      },
    );

  certs
    .command('list')
    .description('list client certificates')
    .action(async () => {
      const rows = await withRegistry((r) => r.list());
      if (rows.length === 0) say('no client certificates');
      for (const row of rows) {
        const state = row.revoked_at
          ? `revoked ${row.revoked_at.toISOString()}`
          : row.not_after < new Date()
            ? 'expired'
            : `valid until ${row.not_after.toISOString().slice(0, 10)}`;
        const scope = row.facility_code ?? row.office_code ?? '';
        say(
          `${row.serial_number}  ${row.member}/${row.subsystem}  ${row.role}${scope ? ` ${scope}` : ''}  ${state}  ${row.label}`,
        );
      }
    });

  certs
    .command('revoke <serial-or-fingerprint>')
    .description('revoke a client certificate: refused by every gateway at once')
    .action(async (id: string) => {
      const row = await withRegistry((r) => r.revoke(id));
      if (!row) throw new Error(`no unrevoked client certificate with serial or fingerprint ${id}`);
      say(`revoked ${row.serial_number} (${row.member}/${row.subsystem}, ${row.label})`);
    });
}
