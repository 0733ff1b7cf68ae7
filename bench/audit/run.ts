import 'reflect-metadata';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import {
  AuditTrail,
  type AuditEntry,
  ENTRY_COLUMNS,
  registerSigningKey,
  signCheckpoint,
  verifyChain,
} from '@vss/audit';
import { freshDatabase } from '../procedures/system';

/**
 * `npm run bench:audit [-- --entries N]`
 *
 * Appends N audit entries (1,000,000 by default) through the gateway's AuditTrail — group
 * commit, 256 callers at once, as the lookup path writes them — signs a checkpoint, then
 * measures `audit verify` (hash chain and checkpoint) over all of them. The baseline, in the
 * same run, is reading the same rows in the same pages without hashing: verify's ratio to it
 * is the cost of the checking itself.
 */
const { values: opts } = parseArgs({
  options: { entries: { type: 'string', default: '1000000' }, callers: { type: 'string', default: '256' } },
});
const ENTRIES = Number(opts.entries);
const CALLERS = Number(opts.callers);
const say = (line = '') => process.stdout.write(`${line}\n`);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function entry(n: number): AuditEntry {
  return {
    caller: {
      id: 'k7xq2m9p4r1s',
      label: 'Bệnh viện Đa khoa tỉnh (facility 01001)',
      role: 'clinic',
      facilityCode: '01001',
    },
    action: 'coverage.lookup',
    subjectCitizenId: `0010${String(85_000_000 + (n % 9_000_000)).padStart(8, '0')}`,
    purpose: 'reception',
    outcome: n % 10 === 0 ? 'NOT_COVERED:CARD_EXPIRED' : 'COVERED',
    detail: {
      identity: 'NOT_CHECKED',
      visit_date: '2026-12-01',
      channel: 'grpc',
      subject: 'citizen_id',
      social_insurance_code: '0100000001',
    },
  };
}

async function main(): Promise<void> {
  say(
    `audit benchmark: ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const db = await freshDatabase(process.env.DATABASE_URL);
  const pool = new Pool({ connectionString: db.url, max: 8 });
  try {
    const trail = new AuditTrail(pool, { flushMs: 2, maxBatch: 500 });
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CALLERS }, async () => {
        while (next < ENTRIES) await trail.record(entry(next++));
      }),
    );
    await trail.close();
    const appendMs = Date.now() - started;
    say(
      `appended ${ENTRIES.toLocaleString('en')} entries in ${secs(appendMs)} (${Math.round(ENTRIES / (appendMs / 1000)).toLocaleString('en')}/s, ${(trail.stats.entries / trail.stats.batches).toFixed(1)} per commit)`,
    );
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    await registerSigningKey(pool, publicKey, 'bench');
    // The first tree head over the whole chain builds every tile of the Merkle tree.
    const signStarted = Date.now();
    await signCheckpoint(pool, privateKey);
    say(
      `first tree head over ${ENTRIES.toLocaleString('en')} entries (every tile built): ${secs(Date.now() - signStarted)}`,
    );

    // Baseline: the same rows, the same pages, nothing checked.
    const readStarted = Date.now();
    let read = 0;
    for (let from = 1; ;) {
      const { rows } = await pool.query<unknown[]>({
        text: `SELECT ${ENTRY_COLUMNS}, hash FROM vss.audit_events WHERE seq >= $1 ORDER BY audit_events.seq LIMIT 10000`,
        values: [from],
        rowMode: 'array',
      });
      read += rows.length;
      if (rows.length < 10_000) break;
      from += rows.length;
    }
    const readMs = Date.now() - readStarted;

    const verifyStarted = Date.now();
    const report = await verifyChain(pool, {
      publicKeys: [createPublicKey(publicKey.export({ type: 'spki', format: 'pem' }))],
    });
    const verifyMs = Date.now() - verifyStarted;
    if (report.problem || report.entries !== ENTRIES || read !== ENTRIES) {
      throw new Error(`verify did not pass: ${JSON.stringify(report)} (read ${read})`);
    }
    say(`read back (baseline): ${secs(readMs)}`);
    say(
      `audit verify: intact through ${report.intactThrough}, ${report.checkpointsVerified} checkpoint, ${secs(verifyMs)} ` +
        `(${Math.round(ENTRIES / (verifyMs / 1000)).toLocaleString('en')} entries/s), ratio to reading ${(verifyMs / readMs).toFixed(2)}`,
    );
  } finally {
    await pool.end();
    await db.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:audit failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
