import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * History: the chain's SQL as first installed. Its owner is libs/audit (chain.sql.ts), whose
 * migration AuditChainSql installs the same functions from there; change them there.
 */
const AUDIT_CHAIN_LOCK = 7_353_001;

/** The canonical text of an entry as first hashed (libs/audit/src/chain.sql.ts holds it now). */
const ENTRY_TEXT = (r: string, seq: string) => `jsonb_build_array(
  ${seq}::text, ${r}.event_id::text,
  to_char(${r}.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
  ${r}.caller, ${r}.caller_role, ${r}.facility_code, ${r}.office_code, ${r}.action,
  ${r}.subject_citizen_id, ${r}.purpose, ${r}.outcome, coalesce(${r}.detail, '{}'::jsonb)::text)::text`;

/**
 * A tamper-evident audit trail: every entry gets a gap-free sequence number and a hash of its
 * content and the previous entry's hash; entries are appended only through vss.audit_append,
 * which takes the chain's lock for the rest of its (one-statement) transaction. Entries of a
 * change are staged in the change's transaction (vss.audit_stage) and chained by the next
 * append, which the writer makes as soon as it has committed. Checkpoints hold the chain head signed with
 * the gateway's audit key. Client certificates are registered beside API keys.
 */
export class TamperEvidentAudit1763900005000 implements MigrationInterface {
  name = 'TamperEvidentAudit1763900005000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE vss.audit_events ADD COLUMN seq bigint, ADD COLUMN hash bytea`);
    // Entries written before the chain existed are chained in the order they were written.
    await q.query(`ALTER TABLE vss.audit_events DISABLE TRIGGER audit_events_append_only`);
    await q.query(`
      DO $$
      DECLARE n bigint := 0; h bytea := decode(repeat('00', 32), 'hex'); r record;
      BEGIN
        FOR r IN SELECT * FROM vss.audit_events ORDER BY occurred_at, event_id LOOP
          n := n + 1;
          h := sha256(h || convert_to(${ENTRY_TEXT('r', 'n')}, 'UTF8'));
          UPDATE vss.audit_events SET seq = n, hash = h WHERE event_id = r.event_id;
        END LOOP;
      END $$`);
    await q.query(`ALTER TABLE vss.audit_events ENABLE TRIGGER audit_events_append_only`);
    await q.query(`
      ALTER TABLE vss.audit_events ALTER COLUMN seq SET NOT NULL, ALTER COLUMN hash SET NOT NULL,
        ADD CONSTRAINT audit_events_seq_key UNIQUE (seq),
        ADD CONSTRAINT audit_events_hash_length CHECK (octet_length(hash) = 32)`);
    // Entries written with a change are staged in its transaction (no lock: transactions commit
    // side by side) and chained by the next append, which every writer makes right after commit.
    await q.query(`
      CREATE TABLE vss.audit_pending (
        pending_id bigserial PRIMARY KEY,
        event_id uuid NOT NULL UNIQUE,
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
    await q.query(`
      CREATE FUNCTION vss.audit_stage(batch jsonb) RETURNS void
        LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
        INSERT INTO vss.audit_pending (event_id, occurred_at, caller, caller_role, facility_code, office_code,
          action, subject_citizen_id, purpose, outcome, detail)
        SELECT event_id, occurred_at, caller, caller_role, facility_code, office_code, action,
               subject_citizen_id, purpose, outcome, coalesce(detail, '{}'::jsonb)
          FROM jsonb_to_recordset(batch) AS x(event_id uuid, occurred_at timestamptz, caller text,
            caller_role text, facility_code text, office_code text, action text, subject_citizen_id text,
            purpose text, outcome text, detail jsonb)
      $$`);
    await q.query(`
      CREATE FUNCTION vss.audit_append(batch jsonb)
        RETURNS TABLE (entry_event_id uuid, entry_seq bigint, entry_hash bytea)
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      DECLARE
        head_seq bigint;
        head_hash bytea;
        r record;
        sealed bigint[] := '{}';
      BEGIN
        PERFORM pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK});
        SELECT a.seq, a.hash INTO head_seq, head_hash FROM vss.audit_events a ORDER BY a.seq DESC LIMIT 1;
        head_seq := coalesce(head_seq, 0);
        head_hash := coalesce(head_hash, decode(repeat('00', 32), 'hex'));
        -- First what committed transactions staged, then this batch.
        FOR r IN SELECT * FROM vss.audit_pending p ORDER BY p.pending_id LOOP
          head_seq := head_seq + 1;
          head_hash := sha256(head_hash || convert_to(${ENTRY_TEXT('r', 'head_seq')}, 'UTF8'));
          INSERT INTO vss.audit_events (seq, hash, event_id, occurred_at, caller, caller_role, facility_code,
            office_code, action, subject_citizen_id, purpose, outcome, detail)
          VALUES (head_seq, head_hash, r.event_id, r.occurred_at, r.caller, r.caller_role, r.facility_code,
            r.office_code, r.action, r.subject_citizen_id, r.purpose, r.outcome, r.detail);
          sealed := sealed || r.pending_id;
        END LOOP;
        IF cardinality(sealed) > 0 THEN
          DELETE FROM vss.audit_pending p WHERE p.pending_id = ANY (sealed);
        END IF;
        FOR r IN SELECT * FROM jsonb_to_recordset(batch) AS x(event_id uuid, occurred_at timestamptz,
            caller text, caller_role text, facility_code text, office_code text, action text,
            subject_citizen_id text, purpose text, outcome text, detail jsonb) LOOP
          head_seq := head_seq + 1;
          head_hash := sha256(head_hash || convert_to(${ENTRY_TEXT('r', 'head_seq')}, 'UTF8'));
          INSERT INTO vss.audit_events (seq, hash, event_id, occurred_at, caller, caller_role, facility_code,
            office_code, action, subject_citizen_id, purpose, outcome, detail)
          VALUES (head_seq, head_hash, r.event_id, r.occurred_at, r.caller, r.caller_role, r.facility_code,
            r.office_code, r.action, r.subject_citizen_id, r.purpose, r.outcome, coalesce(r.detail, '{}'::jsonb));
          entry_event_id := r.event_id;
          entry_seq := head_seq;
          entry_hash := head_hash;
          RETURN NEXT;
        END LOOP;
      END $$`);
    await q.query(`
      CREATE TABLE vss.audit_checkpoints (
        seq bigint PRIMARY KEY,
        hash bytea NOT NULL CHECK (octet_length(hash) = 32),
        signed_at timestamptz NOT NULL,
        key_id text NOT NULL,
        signature bytea NOT NULL
      )`);
    await q.query(`
      CREATE TABLE vss.client_certificates (
        fingerprint256 text PRIMARY KEY,
        serial_number text NOT NULL UNIQUE,
        subject text NOT NULL,
        member text NOT NULL,
        subsystem text NOT NULL,
        role text NOT NULL CHECK (role IN ('clinic', 'civil-registry', 'admin')),
        facility_code text,
        office_code text,
        label text NOT NULL,
        not_after timestamptz NOT NULL,
        issued_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        CHECK (role <> 'clinic' OR facility_code IS NOT NULL),
        CHECK (role <> 'civil-registry' OR office_code IS NOT NULL)
      )`);
    await q.query(`
      CREATE FUNCTION vss.client_certificate_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('vss_client_certificates_changed', NEW.fingerprint256);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER client_certificates_changed AFTER UPDATE ON vss.client_certificates
      FOR EACH ROW EXECUTE FUNCTION vss.client_certificate_changed()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE vss.client_certificates`);
    await q.query(`DROP FUNCTION vss.client_certificate_changed`);
    await q.query(`DROP TABLE vss.audit_checkpoints`);
    await q.query(`DROP FUNCTION vss.audit_append`);
    await q.query(`DROP FUNCTION vss.audit_stage`);
    await q.query(`DROP TABLE vss.audit_pending`);
    await q.query(`ALTER TABLE vss.audit_events DROP COLUMN seq, DROP COLUMN hash`);
  }
}
