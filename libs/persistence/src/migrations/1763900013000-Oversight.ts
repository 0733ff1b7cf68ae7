import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the officers who oversee the gateway read in the console.
 *
 * - `procedure_step_attempts`: every attempt at a procedure's step — when it started and ended,
 *   how it ended (done, skipped, to be retried, stopped for review or for an approver) and its
 *   error — written by the worker as it claims and finishes a step, so that a procedure's
 *   timeline shows each attempt and its duration, not only the last. An attempt with no end is
 *   one whose worker stopped mid-step (the sweeper or the queue gave the step out again).
 * - `reconciliation_findings_sic_idx`: the findings about a person, by the social insurance codes
 *   of their records (the person's page).
 */
export class Oversight1763900013000 implements MigrationInterface {
  name = 'Oversight1763900013000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE vss.procedure_step_attempts (
        procedure_id uuid NOT NULL REFERENCES vss.procedures ON DELETE CASCADE,
        step text NOT NULL,
        attempt integer NOT NULL CHECK (attempt > 0),
        started_at timestamptz NOT NULL DEFAULT now(),
        ended_at timestamptz,
        result text CHECK (result IN ('DONE', 'SKIPPED', 'RETRY', 'REVIEW', 'APPROVAL')),
        error text,
        PRIMARY KEY (procedure_id, step, attempt),
        CHECK ((ended_at IS NULL) = (result IS NULL))
      )`);
    await q.query(
      `CREATE INDEX reconciliation_findings_sic_idx ON vss.reconciliation_findings (social_insurance_code)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX vss.reconciliation_findings_sic_idx`);
    await q.query(`DROP TABLE vss.procedure_step_attempts`);
  }
}
