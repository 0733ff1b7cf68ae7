import type { MigrationInterface, QueryRunner } from 'typeorm';
import { AUDIT_APPEND_FUNCTION, AUDIT_STAGE_FUNCTION } from '../chain.sql';

/**
 * The audit chain's functions installed from libs/audit (chain.sql.ts), their owner from here
 * on: the same texts TamperEvidentAudit created, now kept beside the verifier that must hash
 * alike. Replacing a function keeps its grants.
 */
export class AuditChainSql1763900010000 implements MigrationInterface {
  name = 'AuditChainSql1763900010000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(AUDIT_STAGE_FUNCTION);
    await q.query(AUDIT_APPEND_FUNCTION);
  }

  async down(): Promise<void> {
    // The texts are those TamperEvidentAudit installed: nothing to restore.
  }
}
