/** The roles of the gateway's callers: who may call what (deny by default), and what limits they have. */
export type Role = 'clinic' | 'civil-registry' | 'admin' | 'registry-peer';
export const ROLES: readonly Role[] = ['clinic', 'civil-registry', 'admin', 'registry-peer'];

/**
 * What a named operator (a person at VSS) may do: run the work (operator), decide findings
 * (reviewer), be the second person of what is held (approver), read everything and change
 * nothing (auditor), manage callers and operators (security-admin).
 */
export type OperatorRole = 'operator' | 'reviewer' | 'approver' | 'auditor' | 'security-admin';
export const OPERATOR_ROLES: readonly OperatorRole[] = [
  'operator',
  'reviewer',
  'approver',
  'auditor',
  'security-admin',
];
