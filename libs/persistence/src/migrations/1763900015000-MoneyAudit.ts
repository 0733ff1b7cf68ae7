import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Changes to the money tables are in the audit chain whoever makes them. The applications write
 * their own entries for what they do (a payout ordered, a payment flagged); these triggers add one
 * entry per statement that changes `funeral_payouts`, `benefit_payments` or `rates`, staged in the
 * statement's transaction through `vss.audit_stage`, naming the database login that made it
 * (`session_user`), the rows (their keys, at most 20, and how many), the person when the rows
 * concern one, and for an update the columns that changed — never their values. A change made
 * outside the applications (a console session as the owner, a script) is still in the chain, and
 * is chained by the next append like any staged entry.
 *
 * Statement triggers with transition tables, so that a bulk load is one entry, not one per row.
 */
const AUDIT_MONEY_STAGE = `
  CREATE FUNCTION vss.audit_money_stage(tbl text, op text, n bigint, keys jsonb, subjects text[], columns text[])
    RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT vss.audit_stage(jsonb_build_array(jsonb_build_object(
      'event_id', gen_random_uuid(), 'occurred_at', clock_timestamp(), 'caller', 'db:' || session_user,
      'caller_role', 'database', 'action', 'db.money.' || lower(op),
      'subject_citizen_id', CASE WHEN cardinality(subjects) = 1 THEN subjects[1] END,
      'purpose', 'money-table-change', 'outcome', upper(op),
      'detail', jsonb_strip_nulls(jsonb_build_object('table', tbl, 'rows', n, 'keys', keys,
        'people', CASE WHEN cardinality(subjects) > 1 THEN cardinality(subjects) END,
        'columns', CASE WHEN op = 'UPDATE' THEN to_jsonb(columns) END)))))
  $$`;

/**
 * One table's trigger function: `key` and `subject` are SQL expressions over a row `r` of the
 * transition table (the subject may be null), `join` the key columns an update's old and new
 * rows are matched on.
 */
const triggerFunction = (table: string, key: string, subject: string, join: string) => `
  CREATE FUNCTION vss.audit_${table}_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE
    n bigint;
    keys jsonb;
    subjects text[];
    columns text[] := '{}';
  BEGIN
    IF TG_OP = 'DELETE' THEN
      SELECT count(*) INTO n FROM old_rows;
      SELECT jsonb_agg(k) INTO keys FROM (SELECT ${key} AS k FROM old_rows r LIMIT 20) s;
      IF n <= 200 THEN
        SELECT array_agg(DISTINCT s) INTO subjects FROM (SELECT ${subject} AS s FROM old_rows r) x WHERE s IS NOT NULL;
      END IF;
    ELSE
      SELECT count(*) INTO n FROM new_rows;
      SELECT jsonb_agg(k) INTO keys FROM (SELECT ${key} AS k FROM new_rows r LIMIT 20) s;
      IF n <= 200 THEN
        SELECT array_agg(DISTINCT s) INTO subjects FROM (SELECT ${subject} AS s FROM new_rows r) x WHERE s IS NOT NULL;
      END IF;
    END IF;
    IF n = 0 THEN RETURN NULL; END IF;
    IF TG_OP = 'UPDATE' THEN
      SELECT coalesce(array_agg(DISTINCT e.k ORDER BY e.k), '{}') INTO columns
        FROM old_rows o JOIN new_rows n2 USING (${join}), jsonb_each(to_jsonb(o)) AS e(k, v)
       WHERE to_jsonb(n2) -> e.k IS DISTINCT FROM e.v;
      IF cardinality(columns) = 0 THEN RETURN NULL; END IF;
    END IF;
    PERFORM vss.audit_money_stage(TG_TABLE_NAME, TG_OP, n, keys, coalesce(subjects, '{}'), columns);
    RETURN NULL;
  END $$`;

const TABLES: { table: string; key: string; subject: string; join: string }[] = [
  { table: 'funeral_payouts', key: 'r.payout_id', subject: 'r.deceased_citizen_id', join: 'payout_id' },
  {
    table: 'benefit_payments',
    key: 'r.payment_id',
    subject:
      '(SELECT p.citizen_id FROM vss.participants p WHERE p.social_insurance_code = r.social_insurance_code)',
    join: 'payment_id',
  },
  {
    table: 'rates',
    key: `r.code || '@' || r.effective_from`,
    subject: 'NULL::text',
    join: 'code, effective_from',
  },
];

/** TRUNCATE has no transition tables: the entry says the table was emptied, by whom. */
const TRUNCATED = `
  CREATE FUNCTION vss.audit_money_truncate() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  BEGIN
    PERFORM vss.audit_money_stage(TG_TABLE_NAME, 'TRUNCATE', NULL, NULL, '{}', '{}');
    RETURN NULL;
  END $$`;

export class MoneyAudit1763900015000 implements MigrationInterface {
  name = 'MoneyAudit1763900015000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(AUDIT_MONEY_STAGE);
    await q.query(
      `REVOKE EXECUTE ON FUNCTION vss.audit_money_stage(text, text, bigint, jsonb, text[], text[]) FROM PUBLIC`,
    );
    await q.query(TRUNCATED);
    for (const t of TABLES) {
      await q.query(`CREATE TRIGGER ${t.table}_audit_trunc AFTER TRUNCATE ON vss.${t.table}
        FOR EACH STATEMENT EXECUTE FUNCTION vss.audit_money_truncate()`);
      await q.query(triggerFunction(t.table, t.key, t.subject, t.join));
      const fn = `vss.audit_${t.table}_change()`;
      await q.query(`CREATE TRIGGER ${t.table}_audit_ins AFTER INSERT ON vss.${t.table}
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}`);
      await q.query(`CREATE TRIGGER ${t.table}_audit_upd AFTER UPDATE ON vss.${t.table}
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}`);
      await q.query(`CREATE TRIGGER ${t.table}_audit_del AFTER DELETE ON vss.${t.table}
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of TABLES) {
      for (const op of ['ins', 'upd', 'del', 'trunc'])
        await q.query(`DROP TRIGGER ${t.table}_audit_${op} ON vss.${t.table}`);
      await q.query(`DROP FUNCTION vss.audit_${t.table}_change()`);
    }
    await q.query(`DROP FUNCTION vss.audit_money_truncate()`);
    await q.query(`DROP FUNCTION vss.audit_money_stage(text, text, bigint, jsonb, text[], text[])`);
  }
}
