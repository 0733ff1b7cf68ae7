import { Pool } from 'pg';
import { DEMO_PEOPLE, loadPopulation } from '@vss/synthetic';
import { createTestDatabase, type TestDatabase } from '../support/database';

const OPTIONS = { citizens: 3000, seed: 7, asOf: '2025-11-23' };
let first: TestDatabase;
let second: TestDatabase;

beforeAll(async () => {
  [first, second] = await Promise.all([createTestDatabase('seed1'), createTestDatabase('seed2')]);
});

afterAll(async () => {
  await Promise.all([first?.drop(), second?.drop()]);
});

async function withPool<T>(url: string, work: (pool: Pool) => Promise<T>): Promise<T> {
  const pool = new Pool({ connectionString: url, max: 4 });
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
}

const fingerprint = (pool: Pool) =>
  pool
    .query(
      `SELECT (SELECT md5(string_agg(c::text, ',' ORDER BY citizen_id)) FROM npd.citizens c) AS citizens,
              (SELECT md5(string_agg(p.social_insurance_code || p.full_name || p.date_of_birth, ',' ORDER BY p.social_insurance_code))
                 FROM vss.participants p) AS participants,
              (SELECT md5(string_agg(t::text, ',' ORDER BY social_insurance_code)) FROM synth.truth t) AS truth`,
    )
    .then((r) => r.rows[0]);

describe('seeding with COPY', () => {
  it('loads the same population for the same seed, demo people included', async () => {
    const a = await withPool(first.url, async (pool) => {
      const report = await loadPopulation(pool, OPTIONS);
      // Plus the few registry-only people some discrepancies need (tone-only namesakes, owners of mistyped IDs).
      expect(report.rows['npd.citizens']).toBeGreaterThanOrEqual(OPTIONS.citizens);
      expect(report.rows['npd.citizens']).toBeLessThanOrEqual(OPTIONS.citizens * 1.01);
      return fingerprint(pool);
    });
    const b = await withPool(second.url, async (pool) => {
      await loadPopulation(pool, OPTIONS);
      return fingerprint(pool);
    });
    expect(a).toEqual(b);
    await withPool(first.url, async (pool) => {
      const covered = DEMO_PEOPLE.find((p) => p.key === 'COVERED_ADULT')!;
      const { rows } = await pool.query('SELECT full_name FROM npd.citizens WHERE citizen_id = $1', [
        covered.citizenId,
      ]);
      expect(rows[0]?.full_name).toBe(covered.fullName);
    });
  });

  it('records a truth row for injected discrepancies that points at real records', async () => {
    await withPool(first.url, async (pool) => {
      const { rows } = await pool.query(
        `SELECT t.outcome, count(*)::int AS n, count(p.social_insurance_code)::int AS with_record
         FROM synth.truth t LEFT JOIN vss.participants p USING (social_insurance_code) GROUP BY t.outcome`,
      );
      expect(rows.length).toBeGreaterThan(3);
      for (const row of rows) expect(row.with_record).toBe(row.n);
    });
  });

  it('refuses to load into a seeded database unless asked to reset', async () => {
    await withPool(first.url, async (pool) => {
      await expect(loadPopulation(pool, OPTIONS)).rejects.toThrow(/already/i);
      const report = await loadPopulation(pool, { ...OPTIONS, citizens: 500, reset: true });
      expect(report.rows['npd.citizens']).toBe(500);
      const { rows } = await pool.query('SELECT count(*)::int AS n FROM npd.citizens');
      expect(rows[0].n).toBe(500);
    });
  });
});
