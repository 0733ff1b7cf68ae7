import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-caller limits: the limits of a key or certificate where they differ from its role's
 * (announced on vss_caller_limits_changed), each caller's lookups per Vietnamese calendar day
 * summed over the fleet, and the gateways serving (each enforces its share of a rate).
 */
export class CallerLimits1763900006000 implements MigrationInterface {
  name = 'CallerLimits1763900006000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE vss.caller_limits (
        caller_id text PRIMARY KEY,
        limits text NOT NULL CHECK (limits ~ '^[a-z-]+=[^,=]+(,[a-z-]+=[^,=]+)*$'),
        note text,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE FUNCTION vss.caller_limits_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('vss_caller_limits_changed', coalesce(NEW.caller_id, OLD.caller_id));
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER caller_limits_changed AFTER INSERT OR UPDATE OR DELETE ON vss.caller_limits
      FOR EACH ROW EXECUTE FUNCTION vss.caller_limits_changed()`);
    await q.query(`
      CREATE TABLE vss.caller_usage (
        caller_id text NOT NULL,
        day date NOT NULL,
        used bigint NOT NULL CHECK (used >= 0),
        PRIMARY KEY (caller_id, day)
      )`);
    await q.query(`
      CREATE TABLE vss.gateway_instances (
        instance_id text PRIMARY KEY,
        seen_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE vss.gateway_instances`);
    await q.query(`DROP TABLE vss.caller_usage`);
    await q.query(`DROP TABLE vss.caller_limits`);
    await q.query(`DROP FUNCTION vss.caller_limits_changed`);
  }
}
