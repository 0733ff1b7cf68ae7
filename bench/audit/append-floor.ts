import 'reflect-metadata';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Pool, type PoolClient } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { cpuMsOfTree } from '../support/processes';
import { prepareDatabase } from '../lookup/population';

/**
 * `node dist/bench/audit/append-floor.js [--data-dir DIR] [--size N] [--batch 25] [--batches 1500]`
 *
 * What the hash chain costs PostgreSQL per entry, against the floor of writing the same rows at
 * all. In one run, on bench:lookup's database (seeded and reused with --data-dir, so the chain is
 * as long as the lookups left it), batches of lookup entries as the gateway sends them (one JSON
 * parameter, one transaction each):
 * - through `vss.audit_append`: the chain's lock and head, each entry checked, its canonical text
 *   built and hashed onto the chain, one INSERT;
 * - as one plain INSERT of the same rows with their numbers and a fixed hash, into a copy of the
 *   table holding as many rows and the same indexes (the floor: parsing, heap, indexes, WAL,
 *   commit);
 * - a statement that only receives the parameter (the round trip).
 * Each prints the backend's CPU per batch and per entry (from /proc); the ratio of the chain to the
 * floor is the figure to compare.
 */
const { values: opts } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    size: { type: 'string', default: '1000000' },
    batch: { type: 'string', default: '25' },
    batches: { type: 'string', default: '1500' },
  },
});
const BATCH = Number(opts.batch);
const BATCHES = Number(opts.batches);
const say = (line = '') => process.stdout.write(`${line}\n`);

const COLUMNS = `event_id uuid, occurred_at timestamptz, caller text, caller_role text, facility_code text,
  office_code text, action text, subject_citizen_id text, purpose text, outcome text, detail jsonb`;
const NAMES = `event_id, occurred_at, caller, caller_role, facility_code, office_code, action,
  subject_citizen_id, purpose, outcome, detail`;

const WAYS: Array<{ label: string; text: string }> = [
  {
    label: 'vss.audit_append (the chain)',
    text: `SELECT entry_event_id::text, entry_seq::text, encode(entry_hash, 'hex') AS entry_hash
             FROM vss.audit_append($1::jsonb)`,
  },
  {
    label: 'one INSERT of the same rows (floor)',
    text: `WITH head AS (SELECT f.seq FROM bench_audit_floor f ORDER BY f.seq DESC LIMIT 1)
           INSERT INTO bench_audit_floor (${NAMES}, seq, hash)
           SELECT ${NAMES}, head.seq + x.n, decode(repeat('ab', 32), 'hex')
             FROM head, ROWS FROM (jsonb_to_recordset($1::jsonb) AS (${COLUMNS}))
                  WITH ORDINALITY AS x(${NAMES}, n)
           RETURNING event_id::text, seq::text, encode(hash, 'hex')`,
  },
  { label: 'the parameter received only (round trip)', text: `SELECT length($1::text)` },
];

/** A batch of lookup entries as the gateway's AuditTrail sends it. */
function batchJson(): string {
  const at = new Date().toISOString();
  return JSON.stringify(
    Array.from({ length: BATCH }, (_, i) => ({
      event_id: uuidv7(),
      occurred_at: at,
      caller: 'Bệnh viện Đa khoa tỉnh (k7xq2m9p4r1s)',
      caller_role: 'clinic',
      facility_code: '01001',
      office_code: null,
      action: 'coverage.lookup',
      subject_citizen_id: `0010${String(85_000_000 + Math.floor(Math.random() * 9_000_000) + i).padStart(8, '0')}`,
      purpose: 'reception',
      outcome: 'COVERED',
      detail: {
        identity: 'NOT_CHECKED',
        visit_date: '2026-12-07',
        channel: 'grpc',
        subject: 'citizen_id',
        social_insurance_code: '0100000001',
      },
    })),
  );
}

async function measure(client: PoolClient, backend: number, name: string, text: string) {
  for (let i = 0; i < 200; i++) await client.query({ name, text, values: [batchJson()] });
  const before = cpuMsOfTree(backend);
  const started = performance.now();
  for (let i = 0; i < BATCHES; i++) await client.query({ name, text, values: [batchJson()] });
  const cpuUs = ((cpuMsOfTree(backend) - before) * 1000) / BATCHES;
  return { cpuUs, wallUs: ((performance.now() - started) * 1000) / BATCHES };
}

async function main(): Promise<void> {
  say(
    `audit append floor: ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; batches of ${BATCH}, ${BATCHES} of each`,
  );
  const db = await prepareDatabase({ size: Number(opts.size), dataDir: opts['data-dir'] });
  const pool = new Pool({ connectionString: db.url, max: 1 });
  try {
    const client = await pool.connect();
    try {
      const backend = Number((await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
      await client.query('DROP TABLE IF EXISTS bench_audit_floor');
      await client.query('CREATE TABLE bench_audit_floor (LIKE vss.audit_events INCLUDING ALL)');
      const { rowCount } = await client.query('INSERT INTO bench_audit_floor SELECT * FROM vss.audit_events');
      await client.query('VACUUM ANALYZE bench_audit_floor');
      say(`the chain and its copy hold ${(rowCount ?? 0).toLocaleString('en')} entries`);
      const results = [];
      for (const [i, way] of WAYS.entries())
        results.push(await measure(client, backend, `floor-${i}`, way.text));
      for (const [i, way] of WAYS.entries()) {
        const r = results[i];
        say(
          `${way.label.padEnd(42)} ${r.cpuUs.toFixed(0).padStart(6)} µs CPU a batch, ${(r.cpuUs / BATCH).toFixed(1).padStart(5)} an entry; ${r.wallUs.toFixed(0).padStart(6)} µs a batch by the clock`,
        );
      }
      const [chain, floor] = results;
      say(
        `the chain costs ${(chain.cpuUs / floor.cpuUs).toFixed(2)}× the floor: ${((chain.cpuUs - floor.cpuUs) / BATCH).toFixed(1)} µs an entry more`,
      );
      await client.query('DROP TABLE bench_audit_floor');
    } finally {
      client.release();
    }
  } finally {
    await pool.end();
    await db.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `append floor failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
