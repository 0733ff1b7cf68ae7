import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How often the sweeper has handed a procedure's step, or a run's partition, a new job because
 * its job was gone (the queue's retries spent, or lost): bounded, after which the procedure goes
 * to review and the run fails, each with the reason.
 */
export class Sweeps1763900006020 implements MigrationInterface {
  name = 'Sweeps1763900006020';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE vss.procedures ADD COLUMN sweeps integer NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE vss.reconciliation_partitions ADD COLUMN sweeps integer NOT NULL DEFAULT 0`);
    await q.query(`
      CREATE INDEX procedures_unsettled_idx ON vss.procedures (updated_at)
      WHERE state IN ('ACCEPTED', 'RUNNING', 'WAITING_RETRY')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX vss.procedures_unsettled_idx`);
    await q.query(`ALTER TABLE vss.reconciliation_partitions DROP COLUMN sweeps`);
    await q.query(`ALTER TABLE vss.procedures DROP COLUMN sweeps`);
  }
}
