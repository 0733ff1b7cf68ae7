import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Callers' API keys (hashes only) and the append-only audit trail. */
export class SecurityAudit1763900000100 implements MigrationInterface {
  name = 'SecurityAudit1763900000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE vss.api_keys (
        key_id text PRIMARY KEY,
        secret_sha256 bytea NOT NULL,
        role text NOT NULL CHECK (role IN ('clinic', 'civil-registry', 'admin', 'registry-peer')),
        facility_code text,
        office_code text,
        label text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        CHECK (role <> 'clinic' OR facility_code IS NOT NULL),
        CHECK (role <> 'civil-registry' OR office_code IS NOT NULL)
      )`);
    await q.query(`
      CREATE TABLE vss.audit_events (
        event_id uuid PRIMARY KEY,
        occurred_at timestamptz NOT NULL,
        caller text NOT NULL,
        caller_role text NOT NULL,
        facility_code text,
        office_code text,
        action text NOT NULL,
        subject_citizen_id text,
        purpose text NOT NULL,
        outcome text NOT NULL,
        detail jsonb NOT NULL DEFAULT '{}'
      )`);
    await q.query(
      `CREATE INDEX audit_subject_idx ON vss.audit_events (subject_citizen_id, occurred_at DESC, event_id)`,
    );
    // Append-only: the trail is evidence, so rows can be added but never changed or removed.
    await q.query(`
      CREATE FUNCTION vss.audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'vss.audit_events is append-only';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON vss.audit_events
      FOR EACH ROW EXECUTE FUNCTION vss.audit_is_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE vss.audit_events`);
    await q.query(`DROP FUNCTION vss.audit_is_append_only`);
    await q.query(`DROP TABLE vss.api_keys`);
  }
}
