import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reconciliation by a versioned model: a run records the model it started with (version and
 * the file's SHA-256), so that it can be finished and reproduced with the same parameters; a
 * finding keeps the model's per-field evidence of a FIELD_MISMATCH. Runs from before have none.
 */
export class MatchModels1763900008000 implements MigrationInterface {
  name = 'MatchModels1763900008000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE vss.reconciliation_runs
        ADD COLUMN model_version text,
        ADD COLUMN model_digest text CHECK (model_digest ~ '^[0-9a-f]{64}$'),
        ADD CONSTRAINT reconciliation_runs_model_check CHECK ((model_version IS NULL) = (model_digest IS NULL))`);
    await q.query(`ALTER TABLE vss.reconciliation_findings ADD COLUMN evidence jsonb NOT NULL DEFAULT '[]'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE vss.reconciliation_findings DROP COLUMN evidence`);
    await q.query(`
      ALTER TABLE vss.reconciliation_runs DROP CONSTRAINT reconciliation_runs_model_check,
        DROP COLUMN model_digest, DROP COLUMN model_version`);
  }
}
