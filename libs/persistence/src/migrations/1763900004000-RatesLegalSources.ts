import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Corrects the dated rates. Decree 76/2024/NĐ-CP raised the standard social assistance level to
 * 500,000 VND from 1 July 2024 (Article 1(2)), not from 1 January 2025; the 2025-01-01 row never
 * described a rate in force and is replaced by the 2024-07-01 one. The 270,000 VND level of
 * Decree 136/2013/NĐ-CP, in force until 30 June 2021, is added, and every row now names its
 * decree and article. Procedures assessed before this migration are not reassessed: see
 * docs/operations.md for finding the funeral cost support paid at the old rate.
 */
export class RatesLegalSources1763900004000 implements MigrationInterface {
  name = 'RatesLegalSources1763900004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `DELETE FROM vss.rates WHERE code = 'SOCIAL_ASSISTANCE_STANDARD' AND effective_from = '2025-01-01'`,
    );
    await q.query(`
      INSERT INTO vss.rates (code, effective_from, amount_vnd, legal_basis) VALUES
        ('BASE_SALARY', '2017-07-01', 1300000, 'Decree 47/2017/NĐ-CP, Article 3(2)'),
        ('BASE_SALARY', '2018-07-01', 1390000, 'Decree 72/2018/NĐ-CP, Article 3(2)'),
        ('BASE_SALARY', '2019-07-01', 1490000, 'Decree 38/2019/NĐ-CP, Article 3(2)'),
        ('BASE_SALARY', '2023-07-01', 1800000, 'Decree 24/2023/NĐ-CP, Article 3(2)'),
        ('BASE_SALARY', '2024-07-01', 2340000, 'Decree 73/2024/NĐ-CP, Article 3(2)'),
        ('SOCIAL_ASSISTANCE_STANDARD', '2014-01-01', 270000, 'Decree 136/2013/NĐ-CP, Article 4(1)'),
        ('SOCIAL_ASSISTANCE_STANDARD', '2021-07-01', 360000, 'Decree 20/2021/NĐ-CP, Article 4(1)'),
        ('SOCIAL_ASSISTANCE_STANDARD', '2024-07-01', 500000,
         'Decree 76/2024/NĐ-CP, Article 1(2), amending Article 4(1) of Decree 20/2021/NĐ-CP')
      ON CONFLICT (code, effective_from) DO UPDATE
        SET amount_vnd = EXCLUDED.amount_vnd, legal_basis = EXCLUDED.legal_basis`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DELETE FROM vss.rates WHERE code = 'SOCIAL_ASSISTANCE_STANDARD' AND effective_from IN ('2014-01-01', '2024-07-01')`,
    );
    await q.query(`INSERT INTO vss.rates (code, effective_from, amount_vnd, legal_basis)
                   VALUES ('SOCIAL_ASSISTANCE_STANDARD', '2025-01-01', 500000, 'Decree 76/2024/ND-CP')`);
  }
}
