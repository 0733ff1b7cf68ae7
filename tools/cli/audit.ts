import type { Command } from 'commander';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadSigningKey, signCheckpoint, verifyChain } from '@vss/audit';
import { PKI_FILES } from '@vss/pki';
import { dataDir } from '../runtime';
import { withDatabase } from './context';

const say = (line: string) => process.stdout.write(`${line}\n`);

/**
 * `audit verify|checkpoint`: proves the audit trail. Verify trusts only the public keys it is
 * given (default: the development key's .pub), never a key the database could have replaced.
 */
export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the tamper-evident audit trail: verify, checkpoint');

  audit
    .command('verify')
    .description(
      'walk the hash chain and the signed checkpoints; report the first entry changed, removed or inserted',
    )
    .option('--from <n>', 'start at entry n (its predecessor is trusted)', '1')
    .option(
      '--public-key <file...>',
      `trusted audit public keys (default <VSS_DATA_DIR>/pki/${PKI_FILES.auditPublicKey})`,
    )
    .action(async (opts: { from: string; publicKey?: string[] }) => {
      if (!/^[1-9][0-9]{0,18}$/.test(opts.from)) throw new Error('--from must be a whole number ≥ 1');
      const files = opts.publicKey ?? [join(dataDir(), 'pki', PKI_FILES.auditPublicKey)];
      const keys: KeyObject[] = files.map((file) => {
        const path = resolve(file);
        if (!existsSync(path)) throw new Error(`no public key at ${path}: pass --public-key`);
        return createPublicKey(readFileSync(path));
      });
      const started = Date.now();
      const report = await withDatabase((pool) =>
        verifyChain(pool, { from: BigInt(opts.from), publicKeys: keys }),
      );
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      if (report.problem) {
        say(`TAMPERED (${report.problem.kind}) at entry ${report.problem.seq}: ${report.problem.message}`);
        say(
          `intact from ${opts.from} through ${report.intactThrough} (${report.entries} entries, ${seconds} s)`,
        );
        process.exitCode = 2;
        return;
      }
      say(
        `intact through ${report.intactThrough}: ${report.entries} entries from ${opts.from}, ` +
          `${report.checkpointsVerified} signed checkpoint(s) verified, in ${seconds} s` +
          (report.staged > 0 ? ` (${report.staged} staged entries not chained yet)` : ''),
      );
    });

  audit
    .command('checkpoint')
    .description('sign the head of the chain now (the gateway also does it every AUDIT_CHECKPOINT_SECONDS)')
    .option(
      '--key <file>',
      `the ed25519 audit signing key (default <VSS_DATA_DIR>/pki/${PKI_FILES.auditSigningKey})`,
    )
    .action(async (opts: { key?: string }) => {
      const path = resolve(opts.key ?? join(dataDir(), 'pki', PKI_FILES.auditSigningKey));
      if (!existsSync(path)) throw new Error(`no signing key at ${path}: pass --key`);
      const key = loadSigningKey(readFileSync(path, 'utf8'));
      const checkpoint = await withDatabase((pool) => signCheckpoint(pool, key));
      if (!checkpoint) {
        say('the head is already covered by a checkpoint (or the trail is empty)');
        return;
      }
      say(`checkpoint at entry ${checkpoint.seq}`);
      say(`hash       ${checkpoint.hash}`);
      say(`signed at  ${checkpoint.signedAt} by key ${checkpoint.keyId}`);
      say(`signature  ${checkpoint.signature}`);
    });
}
