import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Watches are pushed, not polled: a procedure whose version moves announces itself on
 * vss_procedure_changed, a run whose state or a partition's progress moves on
 * vss_run_changed (payload: the ID). One LISTEN connection per gateway hears them for every
 * open stream. PostgreSQL folds identical notifications of one transaction into one.
 */
export class WatchNotifications1763900006010 implements MigrationInterface {
  name = 'WatchNotifications1763900006010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION vss.procedure_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('vss_procedure_changed', NEW.procedure_id::text);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER procedures_changed AFTER UPDATE ON vss.procedures
      FOR EACH ROW WHEN (OLD.version IS DISTINCT FROM NEW.version)
      EXECUTE FUNCTION vss.procedure_changed()`);
    await q.query(`
      CREATE FUNCTION vss.run_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('vss_run_changed', NEW.run_id::text);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER reconciliation_runs_changed AFTER UPDATE ON vss.reconciliation_runs
      FOR EACH ROW EXECUTE FUNCTION vss.run_changed()`);
    await q.query(`
      CREATE TRIGGER reconciliation_partitions_changed AFTER UPDATE ON vss.reconciliation_partitions
      FOR EACH ROW EXECUTE FUNCTION vss.run_changed()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER reconciliation_partitions_changed ON vss.reconciliation_partitions`);
    await q.query(`DROP TRIGGER reconciliation_runs_changed ON vss.reconciliation_runs`);
    await q.query(`DROP FUNCTION vss.run_changed`);
    await q.query(`DROP TRIGGER procedures_changed ON vss.procedures`);
    await q.query(`DROP FUNCTION vss.procedure_changed`);
  }
}
