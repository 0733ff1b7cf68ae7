import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Base salaries of 2017–2019, so that deaths of those years in old records can be assessed. */
export class OlderBaseSalaries1763900000200 implements MigrationInterface {
  name = 'OlderBaseSalaries1763900000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      INSERT INTO vss.rates (code, effective_from, amount_vnd, legal_basis) VALUES
        ('BASE_SALARY', '2017-07-01', 1300000, 'Decree 47/2017/ND-CP'),
        ('BASE_SALARY', '2018-07-01', 1390000, 'Decree 72/2018/ND-CP')
      ON CONFLICT DO NOTHING`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM vss.rates WHERE code = 'BASE_SALARY' AND effective_from < '2019-07-01'`);
  }
}
