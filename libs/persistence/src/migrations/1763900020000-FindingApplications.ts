import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Applications of reconciliation findings, done by the worker. The internet-facing gateway asks
 * (an application row and its job, in one transaction, or in the approval's decision); the
 * worker applies the findings a batch per transaction, each batch moving the application's
 * checkpoint and counts in the same transaction, so a killed worker resumes where it stopped
 * and nothing is counted twice. The gateway reads the row to answer the caller.
 */
export class FindingApplications1763900020000 implements MigrationInterface {
  name = 'FindingApplications1763900020000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE vss.finding_applications (
        application_id uuid PRIMARY KEY,
        run_id uuid NOT NULL REFERENCES vss.reconciliation_runs ON DELETE CASCADE,
        outcomes text[] NOT NULL CHECK (cardinality(outcomes) > 0),
        finding_ids bigint[] NOT NULL DEFAULT '{}',
        requested_by_id text NOT NULL,
        requested_by text NOT NULL,
        approval_id uuid REFERENCES vss.approvals,
        approved_by text,
        state text NOT NULL DEFAULT 'QUEUED' CHECK (state IN ('QUEUED', 'RUNNING', 'DONE', 'FAILED')),
        after_finding_id bigint NOT NULL DEFAULT 0,
        applied jsonb NOT NULL DEFAULT '{}',
        stale integer NOT NULL DEFAULT 0,
        skipped integer NOT NULL DEFAULT 0,
        alive_again bigint[],
        error text,
        sweeps integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        CHECK ((approval_id IS NULL) = (approved_by IS NULL)),
        CHECK ((state IN ('DONE', 'FAILED')) = (finished_at IS NOT NULL))
      )`);
    await q.query(`
      CREATE INDEX finding_applications_open ON vss.finding_applications (updated_at)
        WHERE state IN ('QUEUED', 'RUNNING')`);
    await q.query(`CREATE INDEX finding_applications_run ON vss.finding_applications (run_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE vss.finding_applications`);
  }
}
