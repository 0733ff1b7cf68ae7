import type { Command } from 'commander';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  checkpointLine,
  checkpointVerifies,
  leafHash,
  loadSigningKey,
  parseCheckpointLines,
  registerSigningKey,
  retireSigningKey,
  signCheckpoint,
  storedCheckpoints,
  verifyChain,
  verifyConsistency,
  verifyInclusion,
} from '@vss/audit';
import type { GetAuditProofResponse } from '@vss/contracts';
import { PKI_FILES } from '@vss/pki';
import { dataDir } from '../runtime';
import { callGateway, withDatabase } from './context';

const say = (line: string) => process.stdout.write(`${line}\n`);

/** Public keys from files (default: the development key's .pub). */
function publicKeysFrom(files: string[] | undefined): KeyObject[] {
  return (files ?? [join(dataDir(), 'pki', PKI_FILES.auditPublicKey)]).map((file) => {
    const path = resolve(file);
    if (!existsSync(path)) throw new Error(`no public key at ${path}: pass --public-key`);
    return createPublicKey(readFileSync(path));
  });
}

/**
 * `audit verify|checkpoint|checkpoints export|keys`: proves the audit trail. Verify trusts only
 * the public keys it is given (default: the development key's .pub), never a key the database
 * could have replaced, and with --witness only the checkpoints kept outside the database.
 */
export function registerAuditCommands(program: Command): void {
  const audit = program
    .command('audit')
    .description('the tamper-evident audit trail: verify, checkpoint, checkpoints export, keys');

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
    .option(
      '--witness <file...>',
      "trust only the checkpoints in these witness files (the gateways' AUDIT_WITNESS_FILE, or `audit checkpoints export`), none from the database",
    )
    .action(async (opts: { from: string; publicKey?: string[]; witness?: string[] }) => {
      if (!/^[1-9][0-9]{0,18}$/.test(opts.from)) throw new Error('--from must be a whole number ≥ 1');
      const keys = publicKeysFrom(opts.publicKey);
      const witness = opts.witness?.flatMap((file) => {
        const path = resolve(file);
        if (!existsSync(path)) throw new Error(`no witness file at ${path}`);
        return parseCheckpointLines(readFileSync(path, 'utf8'), file);
      });
      const started = Date.now();
      const report = await withDatabase((pool) =>
        verifyChain(pool, { from: BigInt(opts.from), publicKeys: keys, witness }),
      );
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const trusted = witness ? `witnessed checkpoint(s)` : `signed checkpoint(s)`;
      if (report.problem) {
        const what =
          report.problem.kind === 'unanchored' ? 'UNANCHORED' : `TAMPERED (${report.problem.kind})`;
        say(`${what} at entry ${report.problem.seq}: ${report.problem.message}`);
        say(
          `hashes intact from ${opts.from} through ${report.intactThrough} (${report.entries} entries, ` +
            `${report.checkpointsVerified} ${trusted} verified, ${seconds} s)`,
        );
        process.exitCode = 2;
        return;
      }
      say(
        `intact through ${report.intactThrough}: ${report.entries} entries from ${opts.from}, ` +
          `${report.checkpointsVerified} ${trusted} verified, in ${seconds} s` +
          (report.staged > 0 ? ` (${report.staged} staged entries not chained yet)` : ''),
      );
    });

  audit
    .command('prove')
    .description(
      'check a receipt as a clinic would: its proof from the gateway (GetAuditProof), verified here with the audit public key and hashes only',
    )
    .argument('<seq>', "the receipt's seq")
    .argument('<hash>', "the receipt's hash")
    .option(
      '--first-tree-size <n>',
      'a tree size verified before, with --first-root: prove the new tree head extends it',
    )
    .option('--first-root <hex>', 'the root of that tree, as verified then')
    .option(
      '--public-key <file...>',
      `the gateways' audit public keys (default <VSS_DATA_DIR>/pki/${PKI_FILES.auditPublicKey})`,
    )
    .option('--wait <seconds>', 'wait this long for a tree head covering the receipt', '90')
    .action(
      async (
        seq: string,
        hash: string,
        opts: { firstTreeSize?: string; firstRoot?: string; publicKey?: string[]; wait: string },
      ) => {
        if ((opts.firstTreeSize === undefined) !== (opts.firstRoot === undefined))
          throw new Error('--first-tree-size and --first-root go together');
        const keys = publicKeysFrom(opts.publicKey);
        const until = Date.now() + Number(opts.wait) * 1000;
        let proof: GetAuditProofResponse;
        for (;;) {
          try {
            proof = await callGateway<GetAuditProofResponse>(
              { proto: 'vss/gateway/v1/audit.proto', name: 'vss.gateway.v1.AuditService' },
              'getAuditProof',
              { receipt: { seq, hash }, firstTreeSize: opts.firstTreeSize ?? '' },
              'clinic',
            );
            break;
          } catch (error) {
            if (!/^FAILED_PRECONDITION/.test((error as Error).message) || Date.now() > until) throw error;
            say('not in a signed tree head yet; waiting for the next one…');
            await new Promise((r) => setTimeout(r, 5000));
          }
        }
        const head = proof.treeHead!;
        const key = keys.find((k) =>
          checkpointVerifies({ seq: head.treeSize, hash: head.chainHash, ...head }, k),
        );
        const size = Number(head.treeSize);
        const root = Buffer.from(head.rootHash, 'hex');
        const included = verifyInclusion(
          Number(proof.leafIndex),
          size,
          leafHash(Buffer.from(hash, 'hex')),
          proof.inclusionPath.map((h) => Buffer.from(h, 'hex')),
          root,
        );
        const consistent =
          opts.firstTreeSize === undefined ||
          verifyConsistency(
            Number(opts.firstTreeSize),
            size,
            Buffer.from(opts.firstRoot!, 'hex'),
            root,
            proof.consistencyPath.map((h) => Buffer.from(h, 'hex')),
          );
        say(`tree head  ${head.treeSize} entries, root ${head.rootHash}`);
        say(
          `           signed ${head.signedAt} by key ${head.keyId}: ${key ? 'signature verified' : 'NOT signed by a trusted key'}`,
        );
        say(
          `receipt    entry ${seq}: ${included ? 'included' : 'NOT included'} (${proof.inclusionPath.length} hash${proof.inclusionPath.length === 1 ? '' : 'es'})`,
        );
        if (opts.firstTreeSize !== undefined)
          say(
            `history    the tree of ${opts.firstTreeSize} entries ${consistent ? 'is a prefix of this one' : 'is NOT a prefix of this one: the log was rewritten'}`,
          );
        if (!key || !included || !consistent) process.exitCode = 2;
      },
    );

  const checkpoints = audit.command('checkpoints').description('the signed tree heads of the chain');
  checkpoints
    .command('export')
    .description(
      'write every signed checkpoint as a JSON line (a witness file `audit verify --witness` reads)',
    )
    .option('--from <n>', 'from entry n', '1')
    .option('--out <file>', 'write to this file instead of standard output')
    .action(async (opts: { from: string; out?: string }) => {
      if (!/^[1-9][0-9]{0,18}$/.test(opts.from)) throw new Error('--from must be a whole number ≥ 1');
      const rows = await withDatabase((pool) => storedCheckpoints(pool, BigInt(opts.from)));
      const text = rows.map((c) => `${checkpointLine(c)}\n`).join('');
      if (opts.out) {
        writeFileSync(resolve(opts.out), text, { mode: 0o640 });
        say(`${rows.length} checkpoint(s) written to ${resolve(opts.out)}`);
      } else process.stdout.write(text);
    });

  const keys = audit.command('keys').description('the keys whose tree heads the database takes');
  keys
    .command('register')
    .description("register a gateway's audit public key (each gateway signs with a key of its own)")
    .requiredOption('--public-key <file>', "the gateway's ed25519 public key (PEM)")
    .requiredOption('--holder <name>', 'which gateway holds the private key, e.g. gateway-hn-1')
    .action(async (opts: { publicKey: string; holder: string }) => {
      const [key] = publicKeysFrom([opts.publicKey]);
      if (key.asymmetricKeyType !== 'ed25519')
        throw new Error('--public-key: an audit key is an ed25519 key');
      if (!/^[\w .:-]{1,80}$/.test(opts.holder))
        throw new Error('--holder: 1–80 letters, digits, spaces, . : _ -');
      const keyId = await withDatabase((pool) => registerSigningKey(pool, key, opts.holder));
      say(`audit key ${keyId} registered for ${opts.holder}`);
    });
  keys
    .command('retire')
    .description('refuse tree heads signed with a key from now on (those signed before still verify)')
    .argument('<keyId>', 'the key ID (16 hex digits)')
    .action(async (keyId: string) => {
      if (!/^[0-9a-f]{16}$/.test(keyId)) throw new Error('keyId: 16 lower-case hex digits');
      const retired = await withDatabase((pool) => retireSigningKey(pool, keyId));
      say(retired ? `audit key ${keyId} retired` : `no registered, unretired audit key ${keyId}`);
      if (!retired) process.exitCode = 1;
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
      say(`tree head at entry ${checkpoint.seq}`);
      say(`root       ${checkpoint.rootHash}`);
      say(`chain hash ${checkpoint.hash}`);
      say(`signed at  ${checkpoint.signedAt} by key ${checkpoint.keyId}`);
      say(`signature  ${checkpoint.signature}`);
    });
}
