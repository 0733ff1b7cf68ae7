import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The operator console: how a named operator proves who they are in a browser, and the
 * server-side sessions that follow.
 *
 * - `operator_credentials`: one row per operator who was sent an enrolment link. The CLI (as
 *   the owner) writes the link's hash; the gateway sets the password (scrypt) and the TOTP secret
 *   when the operator enrols, and counts failed sign-ins. The last TOTP time step used is kept so
 *   that a code is accepted once.
 * - `console_sessions`: the sessions of the console, in the shape its session store reads
 *   (sid, sess, expire); the operator is lifted out of the JSON so that disabling an operator
 *   deletes their sessions in the same statement (a trigger), and the gateway refuses any that
 *   remain on the next request anyway.
 * - `finding_reviews`: the review workbench's state of a finding — who has it open (a claim),
 *   and the reviewer's decision with a note.
 * - `rejected_pairs`: what reviewers rejected, by the fingerprint of the two records' contents
 *   (`reconciliation_findings.pair_fingerprint`): a later run proposes the same pair again only
 *   when either record changed.
 */
export class Console1763900012000 implements MigrationInterface {
  name = 'Console1763900012000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE vss.operator_credentials (
        operator_id uuid PRIMARY KEY REFERENCES vss.operators,
        password_hash text,
        totp_secret text,
        totp_last_step bigint,
        enrolment_token_hash text UNIQUE,
        enrolment_expires_at timestamptz,
        enrolled_at timestamptz,
        failed_sign_ins integer NOT NULL DEFAULT 0 CHECK (failed_sign_ins >= 0),
        locked_until timestamptz,
        last_sign_in_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((password_hash IS NULL) = (totp_secret IS NULL)),
        CHECK ((enrolment_token_hash IS NULL) = (enrolment_expires_at IS NULL))
      )`);
    await q.query(`
      CREATE TABLE vss.console_sessions (
        sid text PRIMARY KEY,
        sess json NOT NULL,
        expire timestamptz NOT NULL,
        operator_id uuid GENERATED ALWAYS AS ((sess ->> 'operatorId')::uuid) STORED
      )`);
    await q.query(`CREATE INDEX console_sessions_expire_idx ON vss.console_sessions (expire)`);
    await q.query(
      `CREATE INDEX console_sessions_operator_idx ON vss.console_sessions (operator_id) WHERE operator_id IS NOT NULL`,
    );
    await q.query(`
      CREATE FUNCTION vss.operator_sessions_end() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT NEW.active OR NEW.roles IS DISTINCT FROM OLD.roles THEN
          DELETE FROM vss.console_sessions WHERE operator_id = NEW.operator_id;
          -- Every gateway ends the operator's live streams (a run's progress) at once.
          PERFORM pg_notify('vss_console_sessions_ended', NEW.login);
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER operators_sessions_end AFTER UPDATE ON vss.operators
      FOR EACH ROW EXECUTE FUNCTION vss.operator_sessions_end()`);
    await q.query(`ALTER TABLE vss.reconciliation_findings ADD COLUMN pair_fingerprint text`);
    await q.query(`
      CREATE TABLE vss.finding_reviews (
        finding_id bigint PRIMARY KEY REFERENCES vss.reconciliation_findings ON DELETE CASCADE,
        run_id uuid NOT NULL REFERENCES vss.reconciliation_runs ON DELETE CASCADE,
        claimed_by text,
        claimed_by_operator uuid REFERENCES vss.operators,
        claimed_at timestamptz,
        decision text CHECK (decision IN ('ACCEPTED', 'REJECTED')),
        note text CHECK (length(note) <= 1000),
        decided_by text,
        decided_by_operator uuid REFERENCES vss.operators,
        decided_at timestamptz,
        CHECK ((decision IS NULL) = (decided_at IS NULL)),
        CHECK (decision IS NULL OR decided_by_operator IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX finding_reviews_run_idx ON vss.finding_reviews (run_id, decision)`);
    await q.query(`
      CREATE TABLE vss.rejected_pairs (
        social_insurance_code text NOT NULL,
        outcome text NOT NULL,
        pair_fingerprint text NOT NULL,
        finding_id bigint,
        rejected_by text NOT NULL,
        rejected_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (social_insurance_code, outcome, pair_fingerprint)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE vss.rejected_pairs`);
    await q.query(`DROP TABLE vss.finding_reviews`);
    await q.query(`ALTER TABLE vss.reconciliation_findings DROP COLUMN pair_fingerprint`);
    await q.query(`DROP TRIGGER operators_sessions_end ON vss.operators`);
    await q.query(`DROP FUNCTION vss.operator_sessions_end()`);
    await q.query(`DROP TABLE vss.console_sessions`);
    await q.query(`DROP TABLE vss.operator_credentials`);
  }
}
