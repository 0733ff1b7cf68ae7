/**
 * As a superuser who knows the algorithm: every hash of the audit chain recomputed from its
 * entries as they now stand, so that an entry changed before it passes the chain's own check.
 * What only signed tree heads kept elsewhere catch. (Run with the append-only trigger off.)
 */
export const REHASH_CHAIN = `
  DO $$ DECLARE h bytea := decode(repeat('00', 32), 'hex'); r record; BEGIN
    FOR r IN SELECT * FROM vss.audit_events ORDER BY seq LOOP
      h := sha256(h || convert_to(jsonb_build_array(r.seq::text, r.event_id::text,
        to_char(r.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), r.caller, r.caller_role,
        r.facility_code, r.office_code, r.action, r.subject_citizen_id, r.purpose, r.outcome, r.detail::text)::text, 'UTF8'));
      UPDATE vss.audit_events SET hash = h WHERE seq = r.seq;
    END LOOP; END $$`;
