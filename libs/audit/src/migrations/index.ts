import { AuditChainSql1763900010000 } from './1763900010000-AuditChainSql';
import { AuditChainLock1763900016000 } from './1763900016000-AuditChainLock';
import { AuditTreeHeads1763900017000 } from './1763900017000-AuditTreeHeads';
import { AuditAppendInOneInsert1763900021000 } from './1763900021000-AuditAppendInOneInsert';

/** The audit trail's migrations of the `vss` schema (libs/core puts every owner's in one history). */
export const AUDIT_MIGRATIONS = [
  AuditChainSql1763900010000,
  AuditChainLock1763900016000,
  AuditTreeHeads1763900017000,
  AuditAppendInOneInsert1763900021000,
];
