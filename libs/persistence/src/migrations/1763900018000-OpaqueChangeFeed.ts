import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The coverage change feed names no citizen. `vss_coverage_changed` carried the citizen IDs
 * whose records changed, to any login that LISTENs (NOTIFY has no grants). It now carries
 * tokens: the first 128 bits of SHA-256(key ‖ citizen ID), hex, with a key of 32 random bytes
 * kept in `vss.change_feed_key`, which only the owner and the gateway read. The gateway computes
 * the same token for what it caches; any other listener learns that something changed, not who.
 */
export class OpaqueChangeFeed1763900018000 implements MigrationInterface {
  name = 'OpaqueChangeFeed1763900018000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE vss.change_feed_key (
        id smallint PRIMARY KEY CHECK (id = 1),
        secret bytea NOT NULL CHECK (octet_length(secret) = 32)
      )`);
    // Two version-4 UUIDs: 244 random bits from PostgreSQL's own generator.
    await q.query(`
      INSERT INTO vss.change_feed_key (id, secret)
      VALUES (1, decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'))`);
    await q.query(`
      CREATE OR REPLACE FUNCTION vss.notify_coverage_ids(ids text[]) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      DECLARE
        k bytea;
      BEGIN
        IF ids IS NULL OR cardinality(ids) = 0 THEN
          RETURN;
        ELSIF cardinality(ids) > 200 THEN
          PERFORM pg_notify('vss_coverage_changed', '*');
        ELSE
          SELECT secret INTO k FROM vss.change_feed_key WHERE id = 1;
          PERFORM pg_notify('vss_coverage_changed',
            (SELECT string_agg(left(encode(sha256(k || convert_to(i, 'UTF8')), 'hex'), 32), ',') FROM unnest(ids) AS i));
        END IF;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION vss.notify_coverage_ids(ids text[]) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        IF ids IS NULL OR cardinality(ids) = 0 THEN
          RETURN;
        ELSIF cardinality(ids) > 200 THEN
          PERFORM pg_notify('vss_coverage_changed', '*');
        ELSE
          PERFORM pg_notify('vss_coverage_changed', array_to_string(ids, ','));
        END IF;
      END $$`);
    await q.query(`DROP TABLE vss.change_feed_key`);
  }
}
