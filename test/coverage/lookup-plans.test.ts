import { CoverageRecordsRepository } from '@vss/insurance-records';
import { createPool } from '@vss/persistence';
import { createTestDatabase, type TestDatabase } from '../support/database';

/**
 * The lookups pool plans each prepared statement once per connection: the coverage read's
 * `citizen_id = ANY($1)` is the hottest query of the system, and left to itself PostgreSQL plans
 * it anew for the values of each call (custom plans) before it may settle on a generic one.
 */
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('lookupplans');
});
afterAll(() => db?.drop());

/** Runs the coverage read `times` on one connection and says how PostgreSQL planned it there. */
async function plansOfCoverageRead(genericPlans: boolean, times: number) {
  // One connection, so that every call and the question below share a session.
  const pool = createPool(db.url, 1, 'test:lookups', { genericPlans });
  try {
    const records = new CoverageRecordsRepository(pool);
    for (let i = 0; i < times; i++) {
      await records.recordsOf(
        Array.from({ length: 1 + (i % 4) }, (_, j) => `0010900${String(i * 10 + j).padStart(5, '0')}`),
      );
    }
    const { rows } = await pool.query<{ generic_plans: string; custom_plans: string }>(
      `SELECT generic_plans::text, custom_plans::text FROM pg_prepared_statements
        WHERE name = 'vss-coverage-by-citizen-ids'`,
    );
    return { generic: Number(rows[0].generic_plans), custom: Number(rows[0].custom_plans) };
  } finally {
    await pool.end();
  }
}

describe('the lookups pool', () => {
  it('plans the coverage read once per connection, never for the values of a call', async () => {
    expect(await plansOfCoverageRead(true, 8)).toEqual({ generic: 8, custom: 0 });
  });

  it('is unlike a default pool, where PostgreSQL plans the first calls for their values', async () => {
    const plans = await plansOfCoverageRead(false, 8);
    expect(plans.custom).toBeGreaterThanOrEqual(5);
  });
});
