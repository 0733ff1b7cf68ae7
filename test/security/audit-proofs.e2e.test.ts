import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RFC9162 } from '@transmute/rfc9162';
import type * as grpc from '@grpc/grpc-js';
import { Pool } from 'pg';
import type { GetAuditProofResponse, LookupCoverageResponse } from '@vss/contracts';
import { serviceClient, unary } from '@vss/registry-client';
import {
  call,
  failure,
  FACILITY,
  PEOPLE,
  startCoverageWorld,
  withKey,
  type CoverageWorld,
} from '../coverage/coverage.harness';
import { REHASH_CHAIN } from '../support/audit';
import { pkiFile, testCredentials } from '../support/tls';

/**
 * A clinic checks that its answer was logged, with the public key and hashes only: the receipt
 * of a lookup, proved included in a tree head the gateway signed and wrote to its witness file
 * (outside the database), and that tree head proved a prefix of the next one. The proofs are
 * checked by an RFC 9162 implementation written outside this project (@transmute/rfc9162), and
 * the signature by Node's own Ed25519. A chain rewritten in the database is caught by the
 * consistency proof against the witnessed root.
 */

const CLI = join(__dirname, '..', '..', 'dist', 'tools', 'cli.js');
let world: CoverageWorld;
let audit: grpc.Client;
let dir: string;
let witnessFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vss-proofs-'));
  witnessFile = join(dir, 'witness.jsonl');
  world = await startCoverageWorld('auditproofs', {
    AUDIT_WITNESS_FILE: witnessFile,
    AUDIT_CHECKPOINT_SECONDS: 1,
  });
  const Audit = serviceClient(['vss/gateway/v1/audit.proto'], 'vss.gateway.v1.AuditService');
  audit = new Audit(world.gateway.grpcAddress, testCredentials());
});

afterAll(async () => {
  audit?.close();
  await world?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface WitnessLine {
  tree_size: string;
  root_hash: string;
  chain_hash: string;
  signed_at: string;
  key_id: string;
  signature: string;
}

const witnessed = (): WitnessLine[] =>
  existsSync(witnessFile)
    ? readFileSync(witnessFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as WitnessLine)
    : [];

/** Waits for the gateway to sign (and witness) a tree head covering entry `seq`. */
async function witnessedThrough(seq: string): Promise<WitnessLine> {
  for (let i = 0; i < 100; i++) {
    const line = witnessed().find((w) => BigInt(w.tree_size) >= BigInt(seq));
    if (line) return line;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no tree head through entry ${seq} was witnessed`);
}

const proof = (request: object, apiKey = world.keys.clinic) =>
  unary<object, GetAuditProofResponse>(audit, 'getAuditProof', request, {
    deadlineMs: 10_000,
    metadata: withKey(apiKey),
  });

const bytes = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'));

/**
 * Whether the outside implementation finds the proof's tree head consistent with a tree head the
 * clinic kept. It keeps the first root at the front of the path when the first size is a power
 * of two (see libs/audit/src/merkle.spec.ts).
 */
function consistentWith(kept: WitnessLine, got: GetAuditProofResponse): Promise<boolean> {
  const m = Number(kept.tree_size);
  const path = got.consistencyPath.map(bytes);
  return RFC9162.verifyConsistencyProof(bytes(kept.root_hash), bytes(got.treeHead!.rootHash), {
    log_id: '',
    tree_size_1: m,
    tree_size_2: Number(got.treeHead!.treeSize),
    consistency_path: (m & (m - 1)) === 0 ? [bytes(kept.root_hash), ...path] : path,
  });
}

const lookup = () =>
  call<LookupCoverageResponse>(
    world.client,
    'lookupCoverage',
    { citizenId: PEOPLE.covered, facilityCode: FACILITY, purpose: 'reception' },
    world.keys.clinic,
  );

describe("a clinic's receipt, proved against the witnessed tree head", () => {
  let first: { line: WitnessLine; receipt: { seq: string; hash: string } };

  it('is included in a tree head the gateway signed and witnessed outside the database', async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, () => lookup()));
    const { receipt } = answers[answers.length - 1];
    const line = await witnessedThrough(receipt!.seq);
    const got = await proof({ receipt });
    // The tree head answered is one the witness holds, signed by the gateway's audit key.
    const head = got.treeHead!;
    const same = witnessed().find((w) => w.tree_size === head.treeSize)!;
    expect(same).toEqual({
      tree_size: head.treeSize,
      root_hash: head.rootHash,
      chain_hash: head.chainHash,
      signed_at: head.signedAt,
      key_id: head.keyId,
      signature: head.signature,
    });
    const statement =
      `vss-audit-tree-head/v1\ntree_size=${head.treeSize}\nroot_hash=${head.rootHash}\n` +
      `chain_hash=${head.chainHash}\nsigned_at=${head.signedAt}\n`;
    const publicKey = createPublicKey(readFileSync(pkiFile('audit-signing.pub')));
    expect(verify(null, Buffer.from(statement), publicKey, Buffer.from(head.signature, 'base64'))).toBe(true);
    // The inclusion proof, checked by the outside implementation with hashes only.
    expect(got.leafIndex).toBe(String(BigInt(receipt!.seq) - 1n));
    const included = await RFC9162.verifyInclusionProof(
      bytes(head.rootHash),
      await RFC9162.leaf(bytes(receipt!.hash)),
      {
        log_id: '',
        tree_size: Number(head.treeSize),
        leaf_index: Number(got.leafIndex),
        inclusion_path: got.inclusionPath.map(bytes),
      },
    );
    expect(included).toBe(true);
    // Nothing in it but hashes and the tree head: no other entry's content.
    const text = JSON.stringify(got);
    for (const personal of [PEOPLE.covered, 'Nguyễn', 'reception']) expect(text).not.toContain(personal);
    expect(BigInt(line.tree_size)).toBeGreaterThanOrEqual(BigInt(receipt!.seq));
    first = { line: same, receipt: receipt! };
  });

  it('a later tree head extends the one the clinic verified (consistency proof)', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => lookup()));
    const { receipt } = answers[answers.length - 1];
    await witnessedThrough(receipt!.seq);
    const got = await proof({ receipt, firstTreeSize: first.line.tree_size });
    const head = got.treeHead!;
    expect(BigInt(head.treeSize)).toBeGreaterThan(BigInt(first.line.tree_size));
    expect(await consistentWith(first.line, got)).toBe(true);
  });

  it('refuses a receipt it did not give, and names the field of a malformed one', async () => {
    const wrong = { seq: first.receipt.seq, hash: 'ab'.repeat(32) };
    expect(await failure(proof({ receipt: wrong }))).toMatchObject({
      code: 'NOT_FOUND',
      errorCode: 'AUDIT_RECEIPT_NOT_FOUND',
    });
    expect(await failure(proof({ receipt: { seq: 'x', hash: first.receipt.hash } }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'receipt.seq',
    });
    expect(await failure(proof({ receipt: first.receipt, firstTreeSize: '999999999' }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'first_tree_size',
    });
    expect(await failure(proof({ receipt: first.receipt }, 'not-a-key'))).toMatchObject({
      code: 'UNAUTHENTICATED',
    });
  });

  it('is checked from the CLI as a clinic would, with the public key and hashes only', async () => {
    const run = (...args: string[]) =>
      promisify(execFile)(process.execPath, [CLI, 'audit', 'prove', ...args], {
        env: {
          PATH: process.env.PATH ?? '',
          VSS_GATEWAY_ADDRESS: world.gateway.grpcAddress,
          VSS_API_KEY: world.keys.clinic,
          VSS_CA_FILE: pkiFile('ca.crt'),
          VSS_DATA_DIR: '/nonexistent',
        },
      }).then(
        (r) => ({ code: 0, out: r.stdout }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
      );
    const key = ['--public-key', pkiFile('audit-signing.pub')];
    const proved = await run(
      first.receipt.seq,
      first.receipt.hash,
      ...key,
      '--first-tree-size',
      first.line.tree_size,
      '--first-root',
      first.line.root_hash,
    );
    expect(proved.code).toBe(0);
    expect(proved.out).toMatch(/signature verified/);
    expect(proved.out).toMatch(new RegExp(`receipt    entry ${first.receipt.seq}: included`));
    expect(proved.out).toMatch(/is a prefix of this one/);
    const forgedRoot = await run(
      first.receipt.seq,
      first.receipt.hash,
      ...key,
      '--first-tree-size',
      first.line.tree_size,
      '--first-root',
      'ab'.repeat(32),
    );
    expect(forgedRoot.code).toBe(2);
    expect(forgedRoot.out).toMatch(/is NOT a prefix of this one: the log was rewritten/);
    const stranger = await run(first.receipt.seq, first.receipt.hash, '--public-key', pkiFile('gateway.crt'));
    expect(stranger.code).not.toBe(0);
  });

  it('a chain rewritten in the database fails the consistency proof against the witnessed root', async () => {
    const superuser = new Pool({ connectionString: world.db.url, max: 1 });
    try {
      await superuser.query(`
        BEGIN;
        ALTER TABLE vss.audit_events DISABLE TRIGGER audit_events_append_only;
        ALTER TABLE vss.audit_checkpoints DISABLE TRIGGER audit_checkpoints_no_truncate;
        UPDATE vss.audit_events SET outcome = 'NOT_COVERED:NO_CARD' WHERE seq = 3;
        ${REHASH_CHAIN};
        TRUNCATE vss.audit_checkpoints;
        ALTER TABLE vss.audit_checkpoints ENABLE TRIGGER audit_checkpoints_no_truncate;
        ALTER TABLE vss.audit_events ENABLE TRIGGER audit_events_append_only;
        COMMIT;`);
    } finally {
      await superuser.end();
    }
    // The gateway goes on signing, now over the rewritten chain.
    const { receipt } = await lookup();
    for (let i = 0; i < 100; i++) {
      const heads = witnessed().filter((w) => BigInt(w.tree_size) >= BigInt(receipt!.seq));
      if (heads.length > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const got = await proof({ receipt, firstTreeSize: first.line.tree_size });
    expect(await consistentWith(first.line, got)).toBe(false);
  });
});
