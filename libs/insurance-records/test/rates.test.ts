import { Pool } from 'pg';
import { assessFuneralBenefits, STATUTORY_RATES } from '@vss/domain';
import { withTransaction } from '@vss/platform';
import { InsuranceRecordsRepository } from '../src';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';

/** The rates the services read are the statutory table, row for row, legal sources included. */
let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await createTestDatabase('rates');
  pool = new Pool({ connectionString: db.url, max: 2 });
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const readRates = () => withTransaction(pool, (client) => new InsuranceRecordsRepository().rates(client));

describe('vss.rates after every migration', () => {
  it('holds exactly the statutory rates, each naming its decree and article', async () => {
    const sort = (rows: readonly { code: string; effectiveFrom: string }[]) =>
      [...rows].sort((a, b) => `${a.code}${a.effectiveFrom}`.localeCompare(`${b.code}${b.effectiveFrom}`));
    expect(sort(await readRates())).toEqual(sort(STATUTORY_RATES));
  });

  it('pays funeral cost support of 20 × 500,000 VND for a death on 2024-07-15 (Decree 76/2024/NĐ-CP)', async () => {
    const assessed = assessFuneralBenefits({
      dateOfDeath: '2024-07-15',
      workRelated: false,
      isPensionerOrMonthlyBeneficiary: false,
      compulsoryContributionMonths: 0,
      isSocialAssistanceBeneficiary: true,
      rates: await readRates(),
    });
    expect(assessed.ok && assessed.value.funeralCostSupport).toMatchObject({
      eligible: true,
      amountVnd: 10_000_000,
    });
    expect(assessed.ok && assessed.value.funeralCostSupport.basis).toContain('Decree 76/2024');
  });
});
