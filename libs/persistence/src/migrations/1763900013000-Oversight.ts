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
 * - `api_keys.last_used_at`: when a key was last seen verified, to the minute (written when a
 *   gateway checks the key in the database, not on every call).
 * - `approvals.subject_kind` CALLER: a change to who may call (an admin API key, the
 *   security-admin role) waits for a second security administrator. Its detail holds the change
 *   (an admin key's SHA-256 only, never the key).
 * - Guards on who may call, for the console's callers pages (the gateway may now add keys and
 *   operators and revoke them): a revoked key stays revoked and a key's expiry only comes
 *   closer; an admin key, or the security-admin role, is written by an app only with an
 *   approval of it that a second person granted; a client certificate the gateway registers
 *   (signed from a caller's request) is a clinic's or an office's, and a revoked one stays
 *   revoked. The operator CLI (the owner) is not held.
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
    await q.query(`ALTER TABLE vss.api_keys ADD COLUMN last_used_at timestamptz`);
    // A key's last use is no change of the key: the gateways' caches are not told of it (they
    // would drop the key they just verified, everywhere, at each use noted).
    await q.query(`DROP TRIGGER api_keys_changed ON vss.api_keys`);
    await q.query(`CREATE TRIGGER api_keys_changed
      AFTER UPDATE OF key_id, secret_sha256, role, facility_code, office_code, label, revoked_at, expires_at,
        operator_id OR DELETE ON vss.api_keys
      FOR EACH ROW EXECUTE FUNCTION vss.api_keys_changed()`);
    // The owner (the operator CLI) and superusers are not held by the guards; the apps' roles are.
    await q.query(`
      CREATE FUNCTION vss.app_role_held(table_name text) RETURNS boolean LANGUAGE sql STABLE AS $$
        SELECT NOT pg_has_role(current_user,
          (SELECT tableowner FROM pg_tables WHERE schemaname = 'vss' AND tablename = table_name), 'USAGE')
      $$`);
    await q.query(`
      CREATE FUNCTION vss.caller_change_approved(subject text) RETURNS boolean LANGUAGE sql STABLE AS $$
        -- Approved in this very transaction (the decision's), by someone other than who asked;
        -- a subject is '<what>:<name>#<request>', so that each request is an approval of its own.
        SELECT EXISTS (SELECT 1 FROM vss.approvals
                        WHERE subject_kind = 'CALLER' AND split_part(subject_id, '#', 1) = subject
                          AND state = 'APPROVED' AND decided_at = now()
                          AND decided_by_operator IS DISTINCT FROM requested_by_operator)
      $$`);
    await q.query(`
      CREATE FUNCTION vss.api_keys_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT vss.app_role_held(TG_TABLE_NAME) THEN RETURN NEW; END IF;
        IF TG_OP = 'UPDATE' THEN
          IF OLD.revoked_at IS NOT NULL AND NEW.revoked_at IS DISTINCT FROM OLD.revoked_at THEN
            RAISE EXCEPTION 'a revoked key stays revoked (%)', OLD.key_id USING ERRCODE = 'insufficient_privilege';
          END IF;
          IF OLD.expires_at IS NOT NULL AND (NEW.expires_at IS NULL OR NEW.expires_at > OLD.expires_at) THEN
            RAISE EXCEPTION 'a key''s expiry may only come closer (%)', OLD.key_id USING ERRCODE = 'insufficient_privilege';
          END IF;
        ELSIF NEW.role = 'admin' AND NOT vss.caller_change_approved('key:' || NEW.key_id) THEN
          RAISE EXCEPTION 'an admin key is issued once a second security administrator approved it'
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER api_keys_guard BEFORE INSERT OR UPDATE ON vss.api_keys
      FOR EACH ROW EXECUTE FUNCTION vss.api_keys_guard()`);
    await q.query(`
      CREATE FUNCTION vss.client_certificates_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT vss.app_role_held(TG_TABLE_NAME) THEN RETURN NEW; END IF;
        IF TG_OP = 'UPDATE' AND OLD.revoked_at IS NOT NULL AND NEW.revoked_at IS DISTINCT FROM OLD.revoked_at THEN
          RAISE EXCEPTION 'a revoked certificate stays revoked (%)', OLD.serial_number USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF TG_OP = 'INSERT' AND NEW.role = 'admin' THEN
          RAISE EXCEPTION 'an admin certificate is issued with the operator CLI' USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER client_certificates_guard BEFORE INSERT OR UPDATE ON vss.client_certificates
      FOR EACH ROW EXECUTE FUNCTION vss.client_certificates_guard()`);
    await q.query(`
      CREATE FUNCTION vss.operators_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT vss.app_role_held(TG_TABLE_NAME) THEN RETURN NEW; END IF;
        IF 'security-admin' = ANY (NEW.roles)
           AND (TG_OP = 'INSERT' OR NOT 'security-admin' = ANY (OLD.roles))
           AND NOT vss.caller_change_approved('operator:' || NEW.login) THEN
          RAISE EXCEPTION 'the security-admin role is granted once a second security administrator approved it'
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF TG_OP = 'UPDATE' AND NOT OLD.active AND NEW.active THEN
          RAISE EXCEPTION 'a disabled operator stays disabled (%)', OLD.login USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER operators_guard BEFORE INSERT OR UPDATE ON vss.operators
      FOR EACH ROW EXECUTE FUNCTION vss.operators_guard()`);
    await q.query(`ALTER TABLE vss.approvals DROP CONSTRAINT approvals_subject_kind_check`);
    await q.query(`ALTER TABLE vss.approvals ADD CONSTRAINT approvals_subject_kind_check
      CHECK (subject_kind IN ('PROCEDURE', 'FINDINGS', 'CALLER'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE vss.approvals DROP CONSTRAINT approvals_subject_kind_check`);
    await q.query(`ALTER TABLE vss.approvals ADD CONSTRAINT approvals_subject_kind_check
      CHECK (subject_kind IN ('PROCEDURE', 'FINDINGS')) NOT VALID`);
    await q.query(`DROP TRIGGER client_certificates_guard ON vss.client_certificates`);
    await q.query(`DROP FUNCTION vss.client_certificates_guard()`);
    await q.query(`DROP TRIGGER operators_guard ON vss.operators`);
    await q.query(`DROP FUNCTION vss.operators_guard()`);
    await q.query(`DROP TRIGGER api_keys_guard ON vss.api_keys`);
    await q.query(`DROP FUNCTION vss.api_keys_guard()`);
    await q.query(`DROP FUNCTION vss.caller_change_approved(text)`);
    await q.query(`DROP FUNCTION vss.app_role_held(text)`);
    await q.query(`DROP TRIGGER api_keys_changed ON vss.api_keys`);
    await q.query(`CREATE TRIGGER api_keys_changed AFTER UPDATE OR DELETE ON vss.api_keys
      FOR EACH ROW EXECUTE FUNCTION vss.api_keys_changed()`);
    await q.query(`ALTER TABLE vss.api_keys DROP COLUMN last_used_at`);
    await q.query(`DROP INDEX vss.reconciliation_findings_sic_idx`);
    await q.query(`DROP TABLE vss.procedure_step_attempts`);
  }
}
