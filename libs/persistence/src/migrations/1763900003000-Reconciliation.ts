import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reconciliation of insurance records against the population registry: runs, the partitions
 * of the key space their work is split into (each with its checkpoint), the findings, and the
 * running candidate lists of records without a citizen ID.
 */
export class Reconciliation1763900003000 implements MigrationInterface {
  name = 'Reconciliation1763900003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE vss.reconciliation_runs (
        run_id uuid PRIMARY KEY,
        scope_kind text NOT NULL CHECK (scope_kind IN ('ALL', 'PROVINCE', 'CHANGED_SINCE')),
        scope_value text NOT NULL DEFAULT '',
        scope_key text GENERATED ALWAYS AS (scope_kind || ':' || scope_value) STORED,
        state text NOT NULL DEFAULT 'QUEUED'
          CHECK (state IN ('QUEUED', 'RUNNING', 'COMPLETED', 'CANCELLED', 'FAILED')),
        dry_run boolean NOT NULL,
        find_missing_id_candidates boolean NOT NULL,
        -- Counted when the run starts; a changed-since run adds the records it discovers.
        records_total bigint,
        -- Records classified when the run is finished off (those without a citizen ID).
        final_processed bigint NOT NULL DEFAULT 0,
        final_counts jsonb NOT NULL DEFAULT '{}',
        started_by text NOT NULL,
        started_by_label text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        error text
      )`);
    // One run per scope at a time: the database refuses a second, whatever the gateway checked.
    await q.query(`
      CREATE UNIQUE INDEX reconciliation_runs_one_active_per_scope
        ON vss.reconciliation_runs (scope_key) WHERE state IN ('QUEUED', 'RUNNING')`);
    await q.query(
      `CREATE INDEX reconciliation_runs_created_idx ON vss.reconciliation_runs (created_at DESC, run_id)`,
    );
    await q.query(`
      CREATE TABLE vss.reconciliation_partitions (
        run_id uuid NOT NULL REFERENCES vss.reconciliation_runs ON DELETE CASCADE,
        partition_no integer NOT NULL,
        kind text NOT NULL CHECK (kind IN ('REGISTRY_RANGE', 'RECORDS', 'CHANGED_CITIZENS')),
        -- Key range [lower, upper): citizen IDs or social insurance codes; '' is open.
        lower_bound text NOT NULL,
        upper_bound text NOT NULL,
        -- The last key whose chunk is committed; NULL before the first chunk.
        checkpoint text,
        done boolean NOT NULL DEFAULT false,
        processed bigint NOT NULL DEFAULT 0,
        counts jsonb NOT NULL DEFAULT '{}',
        chunks integer NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (run_id, partition_no)
      )`);
    await q.query(`
      CREATE TABLE vss.reconciliation_findings (
        finding_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        run_id uuid NOT NULL REFERENCES vss.reconciliation_runs ON DELETE CASCADE,
        outcome text NOT NULL,
        social_insurance_code text NOT NULL,
        citizen_id text,
        province_code text NOT NULL,
        differences jsonb NOT NULL DEFAULT '[]',
        resolved_citizen_id text,
        candidates jsonb NOT NULL DEFAULT '[]',
        duplicate_codes text[] NOT NULL DEFAULT '{}',
        date_of_death date,
        detail text NOT NULL,
        applied_at timestamptz,
        -- A chunk replayed after a crash cannot write a finding twice.
        UNIQUE (run_id, social_insurance_code, outcome)
      )`);
    await q.query(`
      CREATE INDEX reconciliation_findings_list_idx ON vss.reconciliation_findings (run_id, outcome, finding_id)`);
    await q.query(`
      CREATE TABLE vss.reconciliation_candidates (
        run_id uuid NOT NULL REFERENCES vss.reconciliation_runs ON DELETE CASCADE,
        partition_no integer NOT NULL,
        social_insurance_code text NOT NULL,
        candidates jsonb NOT NULL,
        PRIMARY KEY (run_id, partition_no, social_insurance_code)
      )`);
    // The records candidate search starts from, without reading the whole table each time.
    await q.query(`
      CREATE INDEX participants_without_citizen_idx ON vss.participants (social_insurance_code)
        WHERE citizen_id IS NULL`);
    // A province run pages through one province's records by code.
    await q.query(`
      CREATE INDEX participants_province_code_idx ON vss.participants (province_code, social_insurance_code)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX vss.participants_province_code_idx`);
    await q.query(`DROP INDEX vss.participants_without_citizen_idx`);
    await q.query(`DROP TABLE vss.reconciliation_candidates`);
    await q.query(`DROP TABLE vss.reconciliation_findings`);
    await q.query(`DROP TABLE vss.reconciliation_partitions`);
    await q.query(`DROP TABLE vss.reconciliation_runs`);
  }
}
