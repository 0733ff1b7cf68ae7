import { AuditChainSql1763900010000 } from './1763900010000-AuditChainSql';

/** The audit trail's migrations of the `vss` schema (libs/core puts every owner's in one history). */
export const AUDIT_MIGRATIONS = [AuditChainSql1763900010000];
