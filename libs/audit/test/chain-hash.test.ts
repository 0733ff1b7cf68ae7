import fc from 'fast-check';
import { Pool, type PoolClient } from 'pg';
import { withTransaction } from '@vss/platform';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import {
  AuditAction,
  type AuditEntry,
  AuditTrail,
  chainHash,
  ENTRY_COLUMNS,
  type EntryFields,
  GENESIS_HASH,
} from '../src';

/**
 * The chain's hash is computed twice: by PostgreSQL when vss.audit_append chains an entry
 * (chain.sql.ts) and by `chainHash` when the verifier checks it. On generated entries — any
 * Unicode (astral planes, combining marks, control characters but NUL, which PostgreSQL text
 * cannot hold), absent fields, JSON details with large, negative and fractional numbers —
 * appended directly and staged in a change's transaction, the two agree on every hash.
 */
let db: TestDatabase;
let pool: Pool;
let trail: AuditTrail;

beforeAll(async () => {
  db = await createTestDatabase('chainhash');
  pool = new Pool({ connectionString: db.url, max: 4 });
  trail = new AuditTrail(pool, { flushMs: 1, maxBatch: 50 });
});

afterAll(async () => {
  await trail?.close();
  await pool?.end();
  await db?.drop();
});

const text = (maxLength = 40) =>
  fc
    .string({ unit: 'binary', maxLength })
    .map((s) => s.replaceAll(String.fromCharCode(0), String.fromCharCode(1)));
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const number = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(2 ** 53 + 1, -(2 ** 63), 1e21, 1e-7, -0, 123456789012345680000),
);
const json: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    text(),
    number,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(text(8), tie('value'), { maxKeys: 4 }),
  ),
})).value;

const entry: fc.Arbitrary<AuditEntry> = fc.record({
  caller: fc.record({
    id: text(12),
    label: text(),
    role: fc.constantFrom('clinic', 'civil-registry', 'admin', 'system') as fc.Arbitrary<'admin'>,
    facilityCode: optional(text(5)),
    officeCode: optional(text(8)),
  }),
  action: fc.constantFrom(...Object.values(AuditAction)),
  subjectCitizenId: optional(text(12)),
  facilityCode: optional(text(5)),
  officeCode: optional(text(8)),
  purpose: text(),
  outcome: text(),
  detail: optional(fc.dictionary(text(10), json, { maxKeys: 5 })),
});

/** Every stored entry's hash recomputed by chainHash from the one before it. */
async function recomputedFrom(seq: string): Promise<{ seq: string; stored: string; computed: string }[]> {
  const { rows } = await pool.query<{ fields: EntryFields; hash: Buffer; previous: Buffer | null }>({
    text: `SELECT ARRAY[${ENTRY_COLUMNS}] AS fields, hash,
                  (SELECT p.hash FROM vss.audit_events p WHERE p.seq = audit_events.seq - 1) AS previous
             FROM vss.audit_events WHERE seq > $1 ORDER BY seq`,
    values: [seq],
  });
  return rows.map((r) => ({
    seq: r.fields[0] as string,
    stored: r.hash.toString('hex'),
    computed: chainHash(r.previous ?? GENESIS_HASH, r.fields).toString('hex'),
  }));
}

async function head(): Promise<string> {
  const { rows } = await pool.query<{ seq: string }>(
    `SELECT coalesce(max(seq), 0)::text AS seq FROM vss.audit_events`,
  );
  return rows[0].seq;
}

describe('the chain hash in SQL and in the verifier', () => {
  it('agrees on every entry appended, whatever its text and detail', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 6 }), async (entries) => {
        const before = await head();
        await Promise.all(entries.map((e) => trail.record(e)));
        const hashes = await recomputedFrom(before);
        expect(hashes).toHaveLength(entries.length);
        for (const h of hashes) expect(h.computed).toBe(h.stored);
      }),
      { numRuns: 40 },
    );
  });

  it('agrees on entries staged in a change and chained after its commit', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 4 }), async (entries) => {
        const before = await head();
        await withTransaction(pool, async (client: PoolClient) => {
          await trail.recordWithin(client, ...entries);
        });
        const hashes = await recomputedFrom(before);
        expect(hashes).toHaveLength(entries.length);
        for (const h of hashes) expect(h.computed).toBe(h.stored);
      }),
      { numRuns: 20 },
    );
  });

  it('tells a changed byte: the check is not vacuous', async () => {
    const before = await head();
    await trail.record({
      caller: { id: 'k', label: 'Bệnh viện', role: 'clinic' },
      action: AuditAction.CoverageLookup,
      purpose: 'reception',
      outcome: 'COVERED',
    });
    const [h] = await recomputedFrom(before);
    const { rows } = await pool.query<{ fields: EntryFields; previous: Buffer }>(
      `SELECT ARRAY[${ENTRY_COLUMNS}] AS fields,
              (SELECT p.hash FROM vss.audit_events p WHERE p.seq = $1::bigint - 1) AS previous
         FROM vss.audit_events WHERE seq = $1`,
      [h.seq],
    );
    const changed = [...rows[0].fields] as EntryFields;
    changed[10] = 'NOT_COVERED';
    expect(chainHash(rows[0].previous ?? GENESIS_HASH, changed).toString('hex')).not.toBe(h.stored);
  });
});
