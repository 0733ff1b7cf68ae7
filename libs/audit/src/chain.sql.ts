/**
 * The audit chain's SQL, owned here (libs/audit): the canonical text of an entry as PostgreSQL
 * hashes it, and the two functions every app writes the trail through. The migration
 * AuditChainSql installs these texts; `chainHash` (audit-chain.ts) computes the same hashes in
 * the verifier, and a property test (libs/audit/test/chain-hash.test.ts) holds the two equal on
 * generated entries. Change one, change the other, and add a migration that installs the new
 * text.
 */

/**
 * What orders appends to the audit chain: the one row of `vss.audit_chain_lock`, locked by the
 * append function (its owner's rights). No app role may lock it (no UPDATE privilege, no LOCK
 * TABLE), so no other role can stall the chain by holding it, as any role could hold an advisory
 * lock of the same number.
 */
export const AUDIT_CHAIN_ROW_LOCK = `PERFORM 1 FROM vss.audit_chain_lock WHERE id = 1 FOR UPDATE;`;

/**
 * The canonical text of an entry, hashed into the chain: a JSON array of text values, in
 * PostgreSQL's jsonb rendering (`["1", "…", null]`), built from the record `r` and the sequence
 * number `seq` (`entryText` builds the same text from the stored columns).
 */
export const ENTRY_TEXT = (r: string, seq: string) => `jsonb_build_array(
  ${seq}::text, ${r}.event_id::text,
  to_char(${r}.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
  ${r}.caller, ${r}.caller_role, ${r}.facility_code, ${r}.office_code, ${r}.action,
  ${r}.subject_citizen_id, ${r}.purpose, ${r}.outcome, coalesce(${r}.detail, '{}'::jsonb)::text)::text`;

/**
 * Stages entries in the caller's transaction (a change's own entries, committed with it); the
 * next append chains them.
 */
export const AUDIT_STAGE_FUNCTION = `
      CREATE OR REPLACE FUNCTION vss.audit_stage(batch jsonb) RETURNS void
        LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
        INSERT INTO vss.audit_pending (event_id, occurred_at, caller, caller_role, facility_code, office_code,
          action, subject_citizen_id, purpose, outcome, detail)
        SELECT event_id, occurred_at, caller, caller_role, facility_code, office_code, action,
               subject_citizen_id, purpose, outcome, coalesce(detail, '{}'::jsonb)
          FROM jsonb_to_recordset(batch) AS x(event_id uuid, occurred_at timestamptz, caller text,
            caller_role text, facility_code text, office_code text, action text, subject_citizen_id text,
            purpose text, outcome text, detail jsonb)
      $$`;

/**
 * Appends a batch to the chain: under the chain's lock, first what committed transactions
 * staged, then the batch; each entry's hash covers the previous entry's hash and its own text.
 */
export const AUDIT_APPEND_FUNCTION = `
      CREATE OR REPLACE FUNCTION vss.audit_append(batch jsonb)
        RETURNS TABLE (entry_event_id uuid, entry_seq bigint, entry_hash bytea)
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      DECLARE
        head_seq bigint;
        head_hash bytea;
        r record;
        sealed bigint[] := '{}';
      BEGIN
        ${AUDIT_CHAIN_ROW_LOCK}
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
      END $$`;
