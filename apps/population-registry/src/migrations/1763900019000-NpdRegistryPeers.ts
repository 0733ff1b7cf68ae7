import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The registry's peers: the client certificates it serves, registered one by one (by their
 * SHA-256 fingerprint, as TLS verified them), each with the rights it holds — `read` (GetCitizen,
 * BatchGetCitizens, ResolveLegacyId), `search` (SearchCitizens), `file` (civil-status changes)
 * and `export` (ExportCitizens) — until it expires or is revoked. A certificate of the right CA
 * and subject that was never registered serves nothing. Registered and revoked by the registry's
 * operator (the owner); the registry's own login only reads them. Every change is announced on
 * `npd_registry_peers_changed`, so a revocation takes effect at the next call of an open
 * connection.
 */
export class NpdRegistryPeers1763900019000 implements MigrationInterface {
  name = 'NpdRegistryPeers1763900019000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE npd.registry_peers (
        fingerprint256 text PRIMARY KEY CHECK (fingerprint256 ~ '^([0-9A-F]{2}:){31}[0-9A-F]{2}$'),
        subject text NOT NULL,
        holder text NOT NULL CHECK (holder <> ''),
        rights text[] NOT NULL CHECK (rights <@ ARRAY['read', 'search', 'file', 'export']::text[]),
        not_after timestamptz NOT NULL,
        registered_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await q.query(`
      CREATE FUNCTION npd.registry_peers_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND OLD.revoked_at IS NOT NULL AND NEW.revoked_at IS DISTINCT FROM OLD.revoked_at THEN
          RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = 'a revoked registry peer stays revoked: register a new certificate';
        END IF;
        PERFORM pg_notify('npd_registry_peers_changed', coalesce(NEW.fingerprint256, OLD.fingerprint256));
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER registry_peers_changed BEFORE INSERT OR UPDATE OR DELETE ON npd.registry_peers
      FOR EACH ROW EXECUTE FUNCTION npd.registry_peers_changed()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE npd.registry_peers`);
    await q.query(`DROP FUNCTION npd.registry_peers_changed`);
  }
}
