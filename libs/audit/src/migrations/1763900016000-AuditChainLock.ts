import type { MigrationInterface, QueryRunner } from 'typeorm';
import { AUDIT_APPEND_FUNCTION, AUDIT_CHAIN_ROW_LOCK } from '../chain.sql';

/** The advisory lock the append function took before: any role could take the same number. */
const ADVISORY_LOCK = 'PERFORM pg_advisory_xact_lock(7353001);';

/**
 * The audit chain's appends are ordered by a row only the owner can lock (`vss.audit_chain_lock`)
 * instead of an advisory lock number any role could hold to stall every append.
 */
export class AuditChainLock1763900016000 implements MigrationInterface {
  name = 'AuditChainLock1763900016000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE vss.audit_chain_lock (id smallint PRIMARY KEY CHECK (id = 1))`);
    await q.query(`INSERT INTO vss.audit_chain_lock (id) VALUES (1)`);
    await q.query(AUDIT_APPEND_FUNCTION);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(AUDIT_APPEND_FUNCTION.replace(AUDIT_CHAIN_ROW_LOCK, ADVISORY_LOCK));
    await q.query(`DROP TABLE vss.audit_chain_lock`);
  }
}
