import { execFile } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { Pool } from 'pg';
import {
  AuditTrail,
  chainHash,
  checkpointLine,
  type AuditEntry,
  type EntryFields,
  loadSigningKey,
  parseCheckpointLines,
  signCheckpoint,
  storedCheckpoints,
  verifyChain,
  WORKER_ACTOR,
} from '@vss/audit';
import { withTransaction, rollback } from '@vss/platform';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { REHASH_CHAIN } from '../support/audit';
import { pkiFile } from '../support/tls';

/**
 * The tamper-evident audit trail: every entry chained by hash with a gap-free sequence, the
 * head signed into checkpoints, and `audit verify` finding every kind of tampering a database
 * superuser can do. Entries are written as the gateway's own role (no INSERT grant: only
 * vss.audit_append); tampering is done as the superuser.
 */

const CLI = join(__dirname, '..', '..', 'dist', 'tools', 'cli.js');
const signingKey = () => loadSigningKey(readFileSync(pkiFile('audit-signing.key'), 'utf8'));
const publicKey = (): KeyObject => createPublicKey(readFileSync(pkiFile('audit-signing.pub')));

const entry = (n: number, extra: Partial<AuditEntry> = {}): AuditEntry => ({
  caller: { id: 'k1', label: 'test clinic', role: 'clinic', facilityCode: '01001' },
  action: 'coverage.lookup',
  subjectCitizenId: `0010900${String(n).padStart(5, '0')}`,
  purpose: 'reception',
  outcome: 'COVERED',
  detail: { n },
  ...extra,
});

interface World {
  db: TestDatabase;
  superuser: Pool;
  gateway: Pool;
  worker: Pool;
  audit: AuditTrail;
  /** The worker's trail: it appends the linked procedures' entries. */
  workerAudit: AuditTrail;
}

async function world(label: string): Promise<World> {
  const db = await createTestDatabase(label);
  const superuser = new Pool({ connectionString: db.url, max: 2 });
  const gateway = new Pool({ connectionString: db.urlFor('gateway'), max: 6 });
  const worker = new Pool({ connectionString: db.urlFor('worker'), max: 6 });
  return {
    db,
    superuser,
    gateway,
    worker,
    audit: new AuditTrail(gateway, { flushMs: 1, maxBatch: 50 }),
    workerAudit: new AuditTrail(worker, { flushMs: 1, maxBatch: 50 }),
  };
}

async function close(w: World): Promise<void> {
  await w.audit.close();
  await w.workerAudit.close();
  await w.gateway.end();
  await w.worker.end();
  await w.superuser.end();
  await w.db.drop();
}

/** As the superuser: the append-only trigger off for the length of `work`. */
async function tamper(w: World, sql: string): Promise<void> {
  await w.superuser.query(`
    BEGIN;
    ALTER TABLE vss.audit_events DISABLE TRIGGER audit_events_append_only;
    ${sql};
    ALTER TABLE vss.audit_events ENABLE TRIGGER audit_events_append_only;
    COMMIT;`);
}

/** `npm run cli -- audit …` as the owner, against this world's database: exit code and output. */
const auditCli =
  (w: World) =>
  (...args: string[]) =>
    promisify(execFile)(process.execPath, [CLI, 'audit', ...args], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: w.db.urlFor('owner'), VSS_DATA_DIR: '/nonexistent' },
    }).then(
      (r) => ({ code: 0, out: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    );

const verify = (w: World, from?: bigint) => verifyChain(w.superuser, { publicKeys: [publicKey()], from });

describe('the chain', () => {
  let w: World;
  beforeAll(async () => {
    w = await world('auditchain');
  });
  afterAll(() => close(w));

  it('gives concurrent entries, batched or in transactions (some rolled back), gap-free positions and receipts', async () => {
    const receipts = await Promise.all(Array.from({ length: 300 }, (_, i) => w.audit.record(entry(i))));
    const within = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        withTransaction(w.worker, async (client) => {
          await w.workerAudit.recordWithin(
            client,
            entry(1000 + i, { caller: WORKER_ACTOR, action: 'insurance.card.issue' }),
          );
          return i % 3 === 0 ? rollback(undefined) : undefined;
        }),
      ),
    );
    expect(within).toHaveLength(20);
    expect(w.audit.stats.batches).toBeLessThan(300); // group commit kept its batching
    const { rows } = await w.superuser.query<{ n: string; min: string; max: string }>(
      `SELECT count(*)::text AS n, min(seq)::text AS min, max(seq)::text AS max FROM vss.audit_events`,
    );
    // 300 batched + 13 committed transactions (7 of 20 rolled back), numbered 1..313 without a gap
    expect(rows[0]).toEqual({ n: '313', min: '1', max: '313' });
    const stored = await w.superuser.query<{ event_id: string; seq: string; hash: string }>(
      `SELECT event_id::text, seq::text, encode(hash, 'hex') AS hash FROM vss.audit_events WHERE event_id = ANY($1::uuid[])`,
      [receipts.map((r) => r.eventId)],
    );
    const byId = new Map(stored.rows.map((r) => [r.event_id, r]));
    for (const receipt of receipts) {
      expect(byId.get(receipt.eventId)).toEqual({
        event_id: receipt.eventId,
        seq: receipt.seq,
        hash: receipt.hash,
      });
    }
    // Intact, but nothing signed yet: nothing proves it was not rewritten whole.
    expect(await verify(w)).toEqual({
      intactThrough: '313',
      entries: 313,
      checkpointsVerified: 0,
      staged: 0,
      problem: expect.objectContaining({ kind: 'unanchored' }),
    });
    // The 13 committed transactions' entries were numbered as they committed: no gap.
    const numbers = await w.superuser.query<{ n: string }>(
      `SELECT (detail->>'staged') AS n FROM vss.audit_events WHERE detail ? 'staged' ORDER BY 1::int`,
    );
    expect(numbers.rows.map((r) => Number(r.n)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 13 }, (_, i) => i + 1),
    );
  });

  it('chains, at the next append, what a transaction staged when its process died before chaining it', async () => {
    const worker = await w.worker.connect();
    try {
      await worker.query('BEGIN');
      await worker.query(`SELECT vss.audit_stage($1::jsonb)`, [
        JSON.stringify([
          {
            event_id: '00000000-0000-4000-8000-00000000abcd',
            occurred_at: new Date().toISOString(),
            caller: 'linked-procedure worker (worker)',
            caller_role: 'system',
            action: 'insurance.card.issue',
            purpose: 'linked-procedure',
            outcome: 'ISSUED',
            detail: {},
          },
        ]),
      ]);
      await worker.query('COMMIT'); // and then nothing: the process "died"
    } finally {
      worker.release();
    }
    expect((await verify(w)).staged).toBe(1);
    const receipt = await w.audit.record(entry(2000));
    const report = await verify(w);
    expect(report).toMatchObject({ staged: 0, intactThrough: receipt.seq });
    const { rows } = await w.superuser.query(
      `SELECT seq::text FROM vss.audit_events WHERE event_id = '00000000-0000-4000-8000-00000000abcd'`,
    );
    expect(BigInt(rows[0].seq)).toBe(BigInt(receipt.seq) - 1n);
  });

  it('hashes any text the way the verifier reads it back (JSON escaping of PostgreSQL and JavaScript agree)', async () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => s.replaceAll('\u0000', ''));
    await fc.assert(
      fc.asyncProperty(
        text,
        text,
        fc.dictionary(
          fc.string({ maxLength: 8 }).map((s) => s.replaceAll('\u0000', '')),
          text,
        ),
        async (label, outcome, detail) => {
          await w.audit.record(entry(1, { caller: { id: 'x', label, role: 'admin' }, outcome, detail }));
        },
      ),
      { numRuns: 150 },
    );
    await signCheckpoint(w.gateway, signingKey());
    const report = await verify(w);
    expect(report.problem).toBeUndefined();
    expect(report.entries).toBeGreaterThan(450);
  });

  it('signs the head into tree heads that verify with the trusted key only', async () => {
    await w.audit.record(entry(3000));
    const checkpoint = await signCheckpoint(w.gateway, signingKey());
    expect(checkpoint).toMatchObject({ rootHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(await signCheckpoint(w.gateway, signingKey())).toBeUndefined(); // head unmoved
    const report = await verify(w);
    expect(report.checkpointsVerified).toBe(2);
    const stranger = generateKeyPairSync('ed25519').publicKey;
    const untrusted = await verifyChain(w.superuser, { publicKeys: [stranger] });
    expect(untrusted.problem).toMatchObject({ kind: 'checkpoint' });
    expect(untrusted.problem?.message).toMatch(/not a trusted audit key/);
  });
});

describe('tampering found by audit verify', () => {
  let w: World;
  beforeEach(async () => {
    w = await world('audittamper');
    await Promise.all(Array.from({ length: 100 }, (_, i) => w.audit.record(entry(i))));
    await signCheckpoint(w.gateway, signingKey());
    expect((await verify(w)).problem).toBeUndefined();
  });
  afterEach(() => close(w));

  it('an updated entry', async () => {
    await tamper(w, `UPDATE vss.audit_events SET outcome = 'NOT_COVERED' WHERE seq = 42`);
    expect(await verify(w)).toMatchObject({ intactThrough: '41', problem: { kind: 'changed', seq: '42' } });
  });

  it('a removed entry', async () => {
    await tamper(w, `DELETE FROM vss.audit_events WHERE seq = 17`);
    expect(await verify(w)).toMatchObject({
      intactThrough: '16',
      problem: { kind: 'removed', seq: '17', message: 'entry 17 was removed' },
    });
  });

  it('an inserted entry, chained correctly and the rest renumbered', async () => {
    const { rows } = await w.superuser.query<{ hash: Buffer }>(
      `SELECT hash FROM vss.audit_events WHERE seq = 60`,
    );
    const forged: EntryFields = [
      '61',
      '00000000-0000-4000-8000-000000000061',
      '2025-01-01T00:00:00.000000Z',
      'forger (f)',
      'admin',
      null,
      null,
      'coverage.lookup',
      '001090000000',
      'reception',
      'COVERED',
      '{}',
    ];
    const hash = chainHash(rows[0].hash, forged);
    await tamper(
      w,
      `UPDATE vss.audit_events SET seq = seq + 1000 WHERE seq > 60;
       UPDATE vss.audit_events SET seq = seq - 999 WHERE seq > 1000;
       INSERT INTO vss.audit_events (seq, hash, event_id, occurred_at, caller, caller_role, action,
         subject_citizen_id, purpose, outcome, detail)
       VALUES (61, '\\x${hash.toString('hex')}', '${forged[1]}', '2025-01-01T00:00:00Z', 'forger (f)', 'admin',
         'coverage.lookup', '001090000000', 'reception', 'COVERED', '{}')`,
    );
    expect(await verify(w)).toMatchObject({ problem: { kind: 'inserted', seq: '61' } });
  });

  it('a truncated tail, by the checkpoint that covered it', async () => {
    await tamper(w, `DELETE FROM vss.audit_events WHERE seq > 90`);
    expect(await verify(w)).toMatchObject({ intactThrough: '90', problem: { kind: 'truncated', seq: '91' } });
  });

  it('a rewritten chain (every hash recomputed), by the signed checkpoint', async () => {
    await tamper(
      w,
      `UPDATE vss.audit_events SET outcome = 'NOT_COVERED' WHERE seq = 5;
       ${REHASH_CHAIN}`,
    );
    expect(await verify(w)).toMatchObject({ problem: { kind: 'changed', seq: '100' } });
  });

  it('a forged checkpoint', async () => {
    await w.superuser.query(`
      BEGIN;
      ALTER TABLE vss.audit_checkpoints DISABLE TRIGGER audit_checkpoints_append_only;
      UPDATE vss.audit_checkpoints SET hash = decode(repeat('ab', 32), 'hex');
      COMMIT;`);
    expect(await verify(w)).toMatchObject({ problem: { kind: 'checkpoint' } });
  });

  /** What a witness file holds: the checkpoints as they were signed, kept outside the database. */
  const witnessOf = async (w: World) =>
    parseCheckpointLines(
      (await storedCheckpoints(w.superuser)).map((c) => `${checkpointLine(c)}\n`).join(''),
      'witness',
    );
  const dropCheckpoints = (w: World) =>
    w.superuser.query(`
      BEGIN;
      ALTER TABLE vss.audit_checkpoints DISABLE TRIGGER audit_checkpoints_no_truncate;
      TRUNCATE vss.audit_checkpoints;
      ALTER TABLE vss.audit_checkpoints ENABLE TRIGGER audit_checkpoints_no_truncate;
      COMMIT;`);

  it('a truncated tail with the checkpoints that covered it, by the witness', async () => {
    const witness = await witnessOf(w);
    await tamper(w, `DELETE FROM vss.audit_events WHERE seq > 90`);
    await dropCheckpoints(w);
    // The database alone no longer proves anything …
    expect(await verify(w)).toMatchObject({ intactThrough: '90', problem: { kind: 'unanchored' } });
    // … the witness does.
    expect(await verifyChain(w.superuser, { publicKeys: [publicKey()], witness })).toMatchObject({
      intactThrough: '90',
      problem: { kind: 'truncated', seq: '91' },
    });
  });

  it('a chain rewritten and re-signed with the audit key, by the witness', async () => {
    const witness = await witnessOf(w);
    await tamper(
      w,
      `UPDATE vss.audit_events SET outcome = 'NOT_COVERED' WHERE seq = 5;
       ${REHASH_CHAIN}`,
    );
    await dropCheckpoints(w);
    expect(await signCheckpoint(w.superuser, signingKey())).toBeDefined();
    // With the key that sits next to it, the database's own checkpoints vouch for the forgery …
    expect((await verify(w)).problem).toBeUndefined();
    // … the tree head witnessed before does not.
    expect(await verifyChain(w.superuser, { publicKeys: [publicKey()], witness })).toMatchObject({
      problem: { kind: 'changed', seq: '100' },
    });
  });

  /** Stages an entry as the worker and commits, without chaining it (as a process that died). */
  const stageOnly = async (w: World, n: number): Promise<string> => {
    const eventId = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    const client = await w.worker.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT vss.audit_stage($1::jsonb)`, [
        JSON.stringify([
          {
            event_id: eventId,
            occurred_at: new Date().toISOString(),
            caller: 'linked-procedure worker (worker)',
            caller_role: 'system',
            action: 'insurance.card.issue',
            purpose: 'linked-procedure',
            outcome: 'ISSUED',
          },
        ]),
      ]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    return eventId;
  };

  it('a staged entry removed before it was chained, by the gap in the staged numbers', async () => {
    await stageOnly(w, 500);
    const removed = await w.superuser.query(`DELETE FROM vss.audit_pending WHERE event_id = $1`, [
      await stageOnly(w, 501),
    ]);
    expect(removed.rowCount).toBe(1);
    await stageOnly(w, 502);
    await w.workerAudit.chained();
    await signCheckpoint(w.gateway, signingKey());
    expect(await verify(w)).toMatchObject({
      problem: {
        kind: 'dropped',
        message: expect.stringMatching(/^staged entry numbered 2 never reached the chain/),
      },
    });
  });

  it('the last staged entry removed, by the numbers handed out', async () => {
    await stageOnly(w, 500);
    await w.workerAudit.chained();
    expect((await verify(w)).problem).toBeUndefined();
    await w.superuser.query(`DELETE FROM vss.audit_pending WHERE event_id = $1`, [await stageOnly(w, 501)]);
    expect(await verify(w)).toMatchObject({ problem: { kind: 'dropped' } });
  });

  it('from the CLI: intact, then the first tampered entry with exit code 2', async () => {
    const run = auditCli(w);
    const intact = await run('verify', '--public-key', pkiFile('audit-signing.pub'));
    expect(intact).toMatchObject({ code: 0 });
    expect(intact.out).toMatch(/^intact through 100: 100 entries from 1, 1 signed checkpoint\(s\) verified/);
    await tamper(w, `UPDATE vss.audit_events SET detail = '{"n": 7}' WHERE seq = 30`);
    const found = await run('verify', '--from', '10', '--public-key', pkiFile('audit-signing.pub'));
    expect(found.code).toBe(2);
    expect(found.out).toMatch(/^TAMPERED \(changed\) at entry 30: entry 30 does not match its hash/);
    expect(found.out).toMatch(/intact from 10 through 29/);
  });

  it('from the CLI: no checkpoint to trust exits 2; a witness exported before catches what followed', async () => {
    const run = auditCli(w);
    const dir = mkdtempSync(join(tmpdir(), 'vss-witness-'));
    const file = join(dir, 'witness.jsonl');
    try {
      expect(await run('checkpoints', 'export', '--out', file)).toMatchObject({ code: 0 });
      const witnessed = await run('verify', '--witness', file, '--public-key', pkiFile('audit-signing.pub'));
      expect(witnessed.out).toMatch(
        /^intact through 100: 100 entries from 1, 1 witnessed checkpoint\(s\) verified/,
      );
      await tamper(w, `DELETE FROM vss.audit_events WHERE seq > 80`);
      await dropCheckpoints(w);
      const alone = await run('verify', '--public-key', pkiFile('audit-signing.pub'));
      expect(alone.code).toBe(2);
      expect(alone.out).toMatch(/^UNANCHORED at entry 80: there is no signed checkpoint to trust/);
      const caught = await run('verify', '--witness', file, '--public-key', pkiFile('audit-signing.pub'));
      expect(caught.code).toBe(2);
      expect(caught.out).toMatch(/^TAMPERED \(truncated\) at entry 81: the chain ends at entry 80/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
