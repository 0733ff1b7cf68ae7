import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A run's finish reads each record's candidate lists of every partition: by the old key
 * (run, partition, record) that look-up scanned all of the run's lists for each record (1 s for
 * 10,793 records at 1 M citizens, on the run's critical path). Keyed (run, record, partition),
 * one key serves it, the upsert of a chunk (the same columns) and a partition's resume (the run's
 * rows, once per index build). The table holds only running runs' lists.
 */
export class CandidatesByRecord1763900009000 implements MigrationInterface {
  name = 'CandidatesByRecord1763900009000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE vss.reconciliation_candidates DROP CONSTRAINT reconciliation_candidates_pkey`);
    await q.query(
      `ALTER TABLE vss.reconciliation_candidates ADD PRIMARY KEY (run_id, social_insurance_code, partition_no)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE vss.reconciliation_candidates DROP CONSTRAINT reconciliation_candidates_pkey`);
    await q.query(
      `ALTER TABLE vss.reconciliation_candidates ADD PRIMARY KEY (run_id, partition_no, social_insurance_code)`,
    );
  }
}
