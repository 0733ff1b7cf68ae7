import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { Pool } from 'pg';
import { AuditTrail } from '@vss/audit';
import { DeathRecorder, ParticipantCorrections } from '@vss/insurance-records';
import { ApplyRepository } from '../src/apply.repository';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';

/**
 * ApplyRepository's batch walk on a real database: for any number of findings and any batch
 * size, walking batch after batch from each batch's last finding applies every one, once.
 */
const ADMIN = { id: 'k1', label: 'test admin', role: 'admin', via: 'api-key' } as const;

let db: TestDatabase;
let pool: Pool;
let audit: AuditTrail;
let apply: ApplyRepository;
let serial = 0;

beforeAll(async () => {
  db = await createTestDatabase('applybatches');
  pool = new Pool({ connectionString: db.url, max: 4 });
  audit = new AuditTrail(pool, { flushMs: 1, maxBatch: 100 });
  apply = new ApplyRepository(pool, new ParticipantCorrections(), new DeathRecorder(), audit);
});

afterAll(async () => {
  await audit?.close();
  await pool?.end();
  await db?.drop();
});

/** A completed run with `n` name mismatches, each on a record of its own. */
async function runWith(n: number): Promise<string> {
  const runId = randomUUID();
  await pool.query(
    `INSERT INTO vss.reconciliation_runs (run_id, scope_kind, scope_value, dry_run, find_missing_id_candidates,
       started_by, started_by_label, state) VALUES ($1, 'PROVINCE', $2, false, false, 'k1', 'admin', 'COMPLETED')`,
    [runId, runId],
  );
  const first = serial;
  serial += n;
  await pool.query(
    `INSERT INTO vss.participants (social_insurance_code, full_name, date_of_birth, gender, province_code)
     SELECT lpad(i::text, 10, '0'), 'Le Thi B', '1990', 'F', '001' FROM generate_series($1::int + 1, $2::int) i`,
    [first, serial],
  );
  await pool.query(
    `INSERT INTO vss.reconciliation_findings (run_id, outcome, social_insurance_code, province_code, differences, detail)
     SELECT $1, 'FIELD_MISMATCH', lpad(i::text, 10, '0'), '001',
            '[{"field":"full_name","insuranceValue":"Le Thi B","registryValue":"Lê Thị B"}]', 'x'
       FROM generate_series($2::int + 1, $3::int) i`,
    [runId, first, serial],
  );
  return runId;
}

describe('ApplyRepository.applyBatch', () => {
  it('applies every finding once for any data size and batch size', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 150 }), fc.integer({ min: 1, max: 40 }), async (n, size) => {
        const runId = await runWith(n);
        const filter = { runId, outcomes: ['FIELD_MISMATCH' as const], provinceCode: null };
        let after = '0';
        let applied = 0;
        for (;;) {
          const batch = await apply.applyBatch(filter, after, size, ADMIN);
          applied += batch.applied.FIELD_MISMATCH ?? 0;
          expect(batch.stale).toBe(0);
          if (batch.lastFindingId === null) break;
          after = batch.lastFindingId;
        }
        expect(applied).toBe(n);
        const { rows } = await pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM vss.reconciliation_findings WHERE run_id = $1 AND applied_at IS NULL`,
          [runId],
        );
        expect(rows[0].n).toBe(0);
      }),
      { numRuns: 25 },
    );
  });
});
