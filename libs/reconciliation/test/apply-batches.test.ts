import fc from 'fast-check';
import { Pool } from 'pg';
import { AuditTrail } from '@vss/audit';
import { DeathRecorder, InsuranceRecordsRepository } from '@vss/insurance-records';
import { FindingsApplier } from '../src/engine/findings-applier';
import { FindingsRepository } from '../src/findings.repository';
import { newParticipants } from '../../insurance-records/test/factories';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { newFindings, newRun } from './factories';

/**
 * FindingsApplier's batch walk on a real database: for any number of findings and any batch
 * size, walking batch after batch from each batch's last finding applies every one, once.
 */
const ADMIN = { id: 'k1', label: 'test admin', role: 'admin', via: 'api-key' } as const;

let db: TestDatabase;
let pool: Pool;
let audit: AuditTrail;
let apply: FindingsApplier;
let serial = 0;

beforeAll(async () => {
  db = await createTestDatabase('applybatches');
  pool = new Pool({ connectionString: db.url, max: 4 });
  audit = new AuditTrail(pool, { flushMs: 1, maxBatch: 100 });
  const records = new InsuranceRecordsRepository();
  apply = new FindingsApplier(pool, new FindingsRepository(pool), records, new DeathRecorder(records), audit);
});

afterAll(async () => {
  await audit?.close();
  await pool?.end();
  await db?.drop();
});

/** A completed run with `n` name mismatches, each on a record of its own. */
async function runWith(n: number): Promise<string> {
  const runId = await newRun(pool);
  const codes = Array.from({ length: n }, () => String(++serial).padStart(10, '0'));
  await newParticipants(
    pool,
    codes.map((code) => ({
      socialInsuranceCode: code,
      fullName: 'Le Thi B',
      dateOfBirth: '1990',
      gender: 'F',
    })),
  );
  await newFindings(
    pool,
    runId,
    codes.map((code) => ({
      outcome: 'FIELD_MISMATCH',
      socialInsuranceCode: code,
      differences: [{ field: 'full_name', insuranceValue: 'Le Thi B', registryValue: 'Lê Thị B' }],
      detail: 'x',
    })),
  );
  return runId;
}

describe('FindingsApplier.applyBatch', () => {
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
