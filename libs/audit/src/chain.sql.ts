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
 * What an app's login may append, checked on every entry by the stage and append functions
 * (which run as the owner, so `session_user` is the login that called them):
 * - a caller role the login acts as: `vss.audit_producers` lists each app login's roles (the
 *   gateway's callers, the worker's `system`); a login not listed there (the owner's CLI, an
 *   administrator's own login) may append any role, and every entry names its login;
 * - the role `database` only as itself: `db:<login>` (what the money tables' triggers stage);
 * - dated when it happened: no more than AUDIT_ENTRY_AGE back, nor a minute ahead.
 * The login is recorded in the entry's detail (`db_login`), which the chain's hash covers.
 */
export const AUDIT_ENTRY_AGE = '10 minutes';
const ENTRY_CHECK = (r: string) => `
          IF ${r}.caller_role = 'database' THEN
            IF ${r}.caller IS DISTINCT FROM 'db:' || login THEN
              RAISE EXCEPTION USING ERRCODE = '42501',
                MESSAGE = format('audit: the login %s appends database entries only as db:%s, not as %s', login, login, ${r}.caller);
            END IF;
          ELSIF allowed IS NOT NULL AND NOT (${r}.caller_role = ANY (allowed)) THEN
            RAISE EXCEPTION USING ERRCODE = '42501',
              MESSAGE = format('audit: the login %s does not act for callers of role %s', login, ${r}.caller_role);
          END IF;
          IF ${r}.occurred_at IS NULL OR ${r}.occurred_at < oldest OR ${r}.occurred_at > newest THEN
            RAISE EXCEPTION USING ERRCODE = '22023',
              MESSAGE = format('audit: an entry dated %s cannot be appended at %s: entries are dated when they happen',
                ${r}.occurred_at, clock_timestamp());
          END IF;`;

const ENTRY_RECORD = `x(event_id uuid, occurred_at timestamptz, caller text,
            caller_role text, facility_code text, office_code text, action text, subject_citizen_id text,
            purpose text, outcome text, detail jsonb)`;

const PRODUCER = `
        login text := session_user;
        allowed text[] := (SELECT p.caller_roles FROM vss.audit_producers p WHERE p.login = session_user);
        oldest timestamptz := clock_timestamp() - interval '${AUDIT_ENTRY_AGE}';
        newest timestamptz := clock_timestamp() + interval '1 minute';`;

/**
 * Stages entries in the caller's transaction (a change's own entries, committed with it); the
 * next append chains them. Each is numbered as its transaction commits (a deferred trigger on
 * vss.audit_pending), so the staged numbers in the chain have no gap unless an entry was
 * removed before it was chained: `audit verify` reports one.
 */
export const AUDIT_STAGE_FUNCTION = `
      CREATE OR REPLACE FUNCTION vss.audit_stage(batch jsonb) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      DECLARE${PRODUCER}
        r record;
      BEGIN
        FOR r IN SELECT * FROM jsonb_to_recordset(batch) AS ${ENTRY_RECORD} LOOP${ENTRY_CHECK('r')}
        END LOOP;
        INSERT INTO vss.audit_pending (event_id, occurred_at, caller, caller_role, facility_code, office_code,
          action, subject_citizen_id, purpose, outcome, detail, staged_by)
        SELECT event_id, occurred_at, caller, caller_role, facility_code, office_code, action,
               subject_citizen_id, purpose, outcome,
               coalesce(detail, '{}'::jsonb) || jsonb_build_object('db_login', login), login
          FROM jsonb_to_recordset(batch) AS ${ENTRY_RECORD};
      END $$`;

/**
 * The start of every append, under the chain's lock: the chain's head, then what committed
 * transactions staged, chained in the order they were numbered (the number in the entry's detail
 * as `staged`).
 */
const CHAIN_HEAD_AND_STAGED = `        ${AUDIT_CHAIN_ROW_LOCK}
        SELECT a.seq, a.hash INTO head_seq, head_hash FROM vss.audit_events a ORDER BY a.seq DESC LIMIT 1;
        head_seq := coalesce(head_seq, 0);
        head_hash := coalesce(head_hash, decode(repeat('00', 32), 'hex'));
        -- First what committed transactions staged, then this batch.
        FOR r IN SELECT p.pending_id, p.event_id, p.occurred_at, p.caller, p.caller_role, p.facility_code,
              p.office_code, p.action, p.subject_citizen_id, p.purpose, p.outcome,
              CASE WHEN p.staged_seq IS NULL THEN p.detail
                   ELSE p.detail || jsonb_build_object('staged', p.staged_seq) END AS detail
            FROM vss.audit_pending p ORDER BY p.staged_seq NULLS FIRST, p.pending_id LOOP
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
`;

/** Each entry of the batch, checked, numbered and hashed onto the chain (the loop's head). */
const BATCH_ENTRY_HASHED = `        FOR r IN SELECT x.event_id, x.occurred_at, x.caller, x.caller_role, x.facility_code, x.office_code,
              x.action, x.subject_citizen_id, x.purpose, x.outcome,
              coalesce(x.detail, '{}'::jsonb) || jsonb_build_object('db_login', login) AS detail
            FROM jsonb_to_recordset(batch) AS ${ENTRY_RECORD} LOOP${ENTRY_CHECK('r')}
          head_seq := head_seq + 1;
          head_hash := sha256(head_hash || convert_to(${ENTRY_TEXT('r', 'head_seq')}, 'UTF8'));
`;

/**
 * Appends a batch to the chain: under the chain's lock, first what committed transactions
 * staged (in the order they were numbered, the number in the entry's detail as \`staged\`), then
 * the batch, each entry checked as above; each entry's hash covers the previous entry's hash
 * and its own text.
 *
 * The batch's entries are checked and hashed one by one (a chain is sequential) into rows of the
 * table, which one INSERT then writes: the batch's JSON is read once, and the server spends about
 * a sixth less per batch than with an INSERT per entry (measured: 700–730 against 830–870 µs of CPU for
 * 16 entries into a chain of 1.2 M).
 */
export const AUDIT_APPEND_FUNCTION = `
      CREATE OR REPLACE FUNCTION vss.audit_append(batch jsonb)
        RETURNS TABLE (entry_event_id uuid, entry_seq bigint, entry_hash bytea)
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      DECLARE${PRODUCER}
        head_seq bigint;
        head_hash bytea;
        r record;
        sealed bigint[] := '{}';
        written vss.audit_events[] := '{}';
      BEGIN
${CHAIN_HEAD_AND_STAGED}${BATCH_ENTRY_HASHED}          written := written || ROW(r.event_id, r.occurred_at, r.caller, r.caller_role, r.facility_code,
            r.office_code, r.action, r.subject_citizen_id, r.purpose, r.outcome, r.detail, head_seq, head_hash
          )::vss.audit_events;
        END LOOP;
        INSERT INTO vss.audit_events (event_id, occurred_at, caller, caller_role, facility_code, office_code,
          action, subject_citizen_id, purpose, outcome, detail, seq, hash)
        SELECT (w).event_id, (w).occurred_at, (w).caller, (w).caller_role, (w).facility_code, (w).office_code,
               (w).action, (w).subject_citizen_id, (w).purpose, (w).outcome, (w).detail, (w).seq, (w).hash
          FROM unnest(written) w;
        RETURN QUERY SELECT (w).event_id, (w).seq, (w).hash FROM unnest(written) w;
      END $$`;

/**
 * The append function as installed before AuditAppendInOneInsert: a statement per entry. Kept for
 * that migration's `down`.
 */
export const AUDIT_APPEND_FUNCTION_ROW_BY_ROW = `
      CREATE OR REPLACE FUNCTION vss.audit_append(batch jsonb)
        RETURNS TABLE (entry_event_id uuid, entry_seq bigint, entry_hash bytea)
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      DECLARE${PRODUCER}
        head_seq bigint;
        head_hash bytea;
        r record;
        sealed bigint[] := '{}';
      BEGIN
${CHAIN_HEAD_AND_STAGED}${BATCH_ENTRY_HASHED}          INSERT INTO vss.audit_events (seq, hash, event_id, occurred_at, caller, caller_role, facility_code,
            office_code, action, subject_citizen_id, purpose, outcome, detail)
          VALUES (head_seq, head_hash, r.event_id, r.occurred_at, r.caller, r.caller_role, r.facility_code,
            r.office_code, r.action, r.subject_citizen_id, r.purpose, r.outcome, r.detail);
          entry_event_id := r.event_id;
          entry_seq := head_seq;
          entry_hash := head_hash;
          RETURN NEXT;
        END LOOP;
      END $$`;
