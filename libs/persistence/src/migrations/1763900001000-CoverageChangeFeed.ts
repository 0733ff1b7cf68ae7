import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Change notifications that keep the gateway's in-process caches coherent with the database.
 *
 * `vss_coverage_changed` carries the citizen IDs whose participant or HI card rows changed
 * (comma-separated), or `*` when too many changed at once or a facility changed (facility names
 * are part of every cached answer). The triggers are per statement with transition tables, so a
 * bulk COPY of a million rows costs one notification, not a million trigger calls.
 *
 * `vss_api_keys_changed` carries the ID of a key that was revoked, changed or deleted, so every
 * gateway stops accepting it at once instead of when its cache entry expires.
 *
 * NOTIFY is delivered only after the transaction commits, so a listener never hears of a change
 * it cannot yet read.
 */
export class CoverageChangeFeed1763900001000 implements MigrationInterface {
  name = 'CoverageChangeFeed1763900001000';

  async up(q: QueryRunner): Promise<void> {
    // Above this many citizens in one statement, listeners drop everything: cheaper than a long
    // payload (NOTIFY payloads stop at 8000 bytes) and bulk changes are rare on a live system.
    await q.query(`
      CREATE FUNCTION vss.notify_coverage_ids(ids text[]) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        IF ids IS NULL OR cardinality(ids) = 0 THEN
          RETURN;
        ELSIF cardinality(ids) > 200 THEN
          PERFORM pg_notify('vss_coverage_changed', '*');
        ELSE
          PERFORM pg_notify('vss_coverage_changed', array_to_string(ids, ','));
        END IF;
      END $$`);

    // Participants: only the columns a coverage answer shows or decides on.
    await q.query(`
      CREATE FUNCTION vss.participants_coverage_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE ids text[];
      BEGIN
        IF TG_OP = 'INSERT' THEN
          SELECT array_agg(DISTINCT citizen_id) INTO ids FROM new_rows WHERE citizen_id IS NOT NULL;
        ELSIF TG_OP = 'DELETE' THEN
          SELECT array_agg(DISTINCT citizen_id) INTO ids FROM old_rows WHERE citizen_id IS NOT NULL;
        ELSE
          SELECT array_agg(DISTINCT id) INTO ids FROM (
            SELECT o.citizen_id AS id FROM old_rows o JOIN new_rows n USING (social_insurance_code)
             WHERE (o.citizen_id, o.full_name, o.date_of_birth, o.gender, o.deceased_on)
                   IS DISTINCT FROM (n.citizen_id, n.full_name, n.date_of_birth, n.gender, n.deceased_on)
            UNION
            SELECT n.citizen_id FROM old_rows o JOIN new_rows n USING (social_insurance_code)
             WHERE (o.citizen_id, o.full_name, o.date_of_birth, o.gender, o.deceased_on)
                   IS DISTINCT FROM (n.citizen_id, n.full_name, n.date_of_birth, n.gender, n.deceased_on)
            -- A changed primary key: the row left one identity and joined another.
            UNION
            SELECT o.citizen_id FROM old_rows o WHERE NOT EXISTS
              (SELECT 1 FROM new_rows n WHERE n.social_insurance_code = o.social_insurance_code)
            UNION
            SELECT n.citizen_id FROM new_rows n WHERE NOT EXISTS
              (SELECT 1 FROM old_rows o WHERE o.social_insurance_code = n.social_insurance_code)
          ) changed WHERE id IS NOT NULL;
        END IF;
        PERFORM vss.notify_coverage_ids(ids);
        RETURN NULL;
      END $$`);

    // HI cards hold no citizen ID: it comes from the participant (gone already when a participant
    // delete cascades, but then the participants trigger has spoken for it).
    await q.query(`
      CREATE FUNCTION vss.hi_cards_coverage_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE ids text[];
      BEGIN
        IF TG_OP = 'INSERT' THEN
          SELECT array_agg(DISTINCT p.citizen_id) INTO ids
            FROM new_rows c JOIN vss.participants p USING (social_insurance_code)
           WHERE p.citizen_id IS NOT NULL;
        ELSIF TG_OP = 'DELETE' THEN
          SELECT array_agg(DISTINCT p.citizen_id) INTO ids
            FROM old_rows c JOIN vss.participants p USING (social_insurance_code)
           WHERE p.citizen_id IS NOT NULL;
        ELSE
          SELECT array_agg(DISTINCT p.citizen_id) INTO ids
            FROM (SELECT social_insurance_code FROM old_rows UNION SELECT social_insurance_code FROM new_rows) c
            JOIN vss.participants p USING (social_insurance_code)
           WHERE p.citizen_id IS NOT NULL;
        END IF;
        PERFORM vss.notify_coverage_ids(ids);
        RETURN NULL;
      END $$`);

    await q.query(`
      CREATE FUNCTION vss.coverage_changed_everything() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('vss_coverage_changed', '*');
        RETURN NULL;
      END $$`);

    for (const table of ['participants', 'hi_cards']) {
      const fn = `vss.${table}_coverage_changed()`;
      await q.query(`CREATE TRIGGER ${table}_coverage_ins AFTER INSERT ON vss.${table}
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}`);
      await q.query(`CREATE TRIGGER ${table}_coverage_upd AFTER UPDATE ON vss.${table}
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}`);
      await q.query(`CREATE TRIGGER ${table}_coverage_del AFTER DELETE ON vss.${table}
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}`);
    }
    await q.query(`CREATE TRIGGER facilities_coverage_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
      ON vss.facilities FOR EACH STATEMENT EXECUTE FUNCTION vss.coverage_changed_everything()`);
    // TRUNCATE has no transition tables: tell listeners to drop everything.
    for (const table of ['participants', 'hi_cards']) {
      await q.query(`CREATE TRIGGER ${table}_coverage_trunc AFTER TRUNCATE ON vss.${table}
        FOR EACH STATEMENT EXECUTE FUNCTION vss.coverage_changed_everything()`);
    }

    await q.query(`
      CREATE FUNCTION vss.api_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('vss_api_keys_changed', OLD.key_id);
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER api_keys_changed AFTER UPDATE OR DELETE ON vss.api_keys
      FOR EACH ROW EXECUTE FUNCTION vss.api_keys_changed()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER api_keys_changed ON vss.api_keys`);
    await q.query(`DROP FUNCTION vss.api_keys_changed()`);
    for (const table of ['participants', 'hi_cards']) {
      for (const suffix of ['ins', 'upd', 'del', 'trunc']) {
        await q.query(`DROP TRIGGER ${table}_coverage_${suffix} ON vss.${table}`);
      }
      await q.query(`DROP FUNCTION vss.${table}_coverage_changed()`);
    }
    await q.query(`DROP TRIGGER facilities_coverage_changed ON vss.facilities`);
    await q.query(`DROP FUNCTION vss.coverage_changed_everything()`);
    await q.query(`DROP FUNCTION vss.notify_coverage_ids(text[])`);
  }
}
