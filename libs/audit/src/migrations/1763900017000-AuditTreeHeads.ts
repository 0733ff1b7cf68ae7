import type { MigrationInterface, QueryRunner } from 'typeorm';
import { AUDIT_APPEND_FUNCTION, AUDIT_STAGE_FUNCTION } from '../chain.sql';

/**
 * The audit chain made checkable from outside the database:
 * - checkpoints become signed tree heads: the root of the RFC 9162 Merkle tree over the chain
 *   (`root_hash`; the checkpoints signed before keep it empty and their own statement);
 * - the tree's stored tiles (`audit_tree_tiles`): the hashes of its complete subtrees of 2^8,
 *   2^16, … leaves, from which any proof is read with a few hundred hashes;
 * - the keys that may sign (`audit_signing_keys`), registered by the operator: one per gateway;
 * - checkpoints, tiles and keys are append-only, by trigger, for every role; a checkpoint must
 *   name the chain's own hash at its position, a registered key, and a position no older than
 *   the newest checkpoint's;
 * - entries staged in a transaction are numbered as it commits (a deferred trigger), so one
 *   removed before it was chained leaves a gap in the numbers the chain carries;
 * - the logins that append, and the caller roles each acts for (`audit_producers`, written by
 *   the owner with the grants): the stage and append functions refuse any other.
 */
export class AuditTreeHeads1763900017000 implements MigrationInterface {
  name = 'AuditTreeHeads1763900017000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE vss.audit_signing_keys (
        key_id text PRIMARY KEY CHECK (key_id ~ '^[0-9a-f]{16}$'),
        public_key text NOT NULL,
        holder text NOT NULL CHECK (holder <> ''),
        registered_at timestamptz NOT NULL DEFAULT now(),
        retired_at timestamptz
      )`);
    await q.query(`
      CREATE FUNCTION vss.audit_signing_keys_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND OLD.retired_at IS NULL AND NEW.retired_at IS NOT NULL
           AND (NEW.key_id, NEW.public_key, NEW.holder, NEW.registered_at)
               = (OLD.key_id, OLD.public_key, OLD.holder, OLD.registered_at) THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION USING ERRCODE = '42501',
          MESSAGE = 'audit signing keys are registered and retired, never changed or removed';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_signing_keys_append_only BEFORE UPDATE OR DELETE ON vss.audit_signing_keys
      FOR EACH ROW EXECUTE FUNCTION vss.audit_signing_keys_guard()`);

    await q.query(`
      ALTER TABLE vss.audit_checkpoints
        ADD COLUMN root_hash bytea CHECK (root_hash IS NULL OR octet_length(root_hash) = 32)`);
    await q.query(`
      CREATE FUNCTION vss.audit_checkpoint_check() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      BEGIN
        IF NEW.root_hash IS NULL THEN
          RAISE EXCEPTION USING ERRCODE = '23514', MESSAGE = 'a checkpoint is a signed tree head: root_hash is required';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM vss.audit_signing_keys k WHERE k.key_id = NEW.key_id AND k.retired_at IS NULL) THEN
          RAISE EXCEPTION USING ERRCODE = '42501',
            MESSAGE = format('audit key %s is not a registered audit signing key (or was retired)', NEW.key_id);
        END IF;
        IF NEW.seq < (SELECT max(c.seq) FROM vss.audit_checkpoints c) THEN
          RAISE EXCEPTION USING ERRCODE = 'VA001',
            MESSAGE = format('a checkpoint at entry %s is older than the newest one', NEW.seq);
        END IF;
        IF NOT EXISTS (SELECT 1 FROM vss.audit_events e WHERE e.seq = NEW.seq AND e.hash = NEW.hash) THEN
          RAISE EXCEPTION USING ERRCODE = '23514',
            MESSAGE = format('a checkpoint at entry %s must carry the chain''s hash there', NEW.seq);
        END IF;
        IF NEW.signed_at > clock_timestamp() + interval '1 minute' OR NEW.signed_at < clock_timestamp() - interval '10 minutes' THEN
          RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = 'a checkpoint is dated when it is signed';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_checkpoints_checked BEFORE INSERT ON vss.audit_checkpoints
      FOR EACH ROW EXECUTE FUNCTION vss.audit_checkpoint_check()`);
    await q.query(`
      CREATE FUNCTION vss.audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format('%s is append-only', TG_TABLE_NAME);
      END $$`);
    await q.query(`
      CREATE TABLE vss.audit_tree_tiles (
        level smallint NOT NULL CHECK (level > 0 AND level % 8 = 0),
        idx bigint NOT NULL CHECK (idx >= 0),
        hash bytea NOT NULL CHECK (octet_length(hash) = 32),
        PRIMARY KEY (level, idx)
      )`);
    for (const table of ['audit_checkpoints', 'audit_tree_tiles']) {
      await q.query(`
        CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON vss.${table}
        FOR EACH ROW EXECUTE FUNCTION vss.audit_refuse_change()`);
      await q.query(`
        CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON vss.${table}
        FOR EACH STATEMENT EXECUTE FUNCTION vss.audit_refuse_change()`);
    }

    await q.query(`CREATE SEQUENCE vss.audit_staged_seq NO CYCLE`);
    await q.query(
      `ALTER TABLE vss.audit_pending ADD COLUMN staged_seq bigint UNIQUE, ADD COLUMN staged_by text`,
    );
    await q.query(`
      CREATE FUNCTION vss.audit_pending_number() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      BEGIN
        UPDATE vss.audit_pending p SET staged_seq = nextval('vss.audit_staged_seq')
         WHERE p.pending_id = NEW.pending_id AND p.staged_seq IS NULL;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE CONSTRAINT TRIGGER audit_pending_numbered AFTER INSERT ON vss.audit_pending
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION vss.audit_pending_number()`);

    await q.query(`CREATE TABLE vss.audit_producers (login name PRIMARY KEY, caller_roles text[] NOT NULL)`);
    await q.query(AUDIT_STAGE_FUNCTION);
    await q.query(AUDIT_APPEND_FUNCTION);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE vss.audit_producers`);
    await q.query(`DROP TRIGGER audit_pending_numbered ON vss.audit_pending`);
    await q.query(`DROP FUNCTION vss.audit_pending_number`);
    await q.query(`ALTER TABLE vss.audit_pending DROP COLUMN staged_seq, DROP COLUMN staged_by`);
    await q.query(`DROP SEQUENCE vss.audit_staged_seq`);
    await q.query(`DROP TABLE vss.audit_tree_tiles`);
    await q.query(`DROP TRIGGER audit_checkpoints_append_only ON vss.audit_checkpoints`);
    await q.query(`DROP TRIGGER audit_checkpoints_no_truncate ON vss.audit_checkpoints`);
    await q.query(`DROP TRIGGER audit_checkpoints_checked ON vss.audit_checkpoints`);
    await q.query(`DROP FUNCTION vss.audit_refuse_change, vss.audit_checkpoint_check`);
    await q.query(`ALTER TABLE vss.audit_checkpoints DROP COLUMN root_hash`);
    await q.query(`DROP TABLE vss.audit_signing_keys`);
    await q.query(`DROP FUNCTION vss.audit_signing_keys_guard`);
  }
}
