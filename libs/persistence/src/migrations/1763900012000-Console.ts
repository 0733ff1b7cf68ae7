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
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER operators_sessions_end AFTER UPDATE ON vss.operators
      FOR EACH ROW EXECUTE FUNCTION vss.operator_sessions_end()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER operators_sessions_end ON vss.operators`);
    await q.query(`DROP FUNCTION vss.operator_sessions_end()`);
    await q.query(`DROP TABLE vss.console_sessions`);
    await q.query(`DROP TABLE vss.operator_credentials`);
  }
}
