/** The roles of the gateway's callers: who may call what (deny by default), and what limits they have. */
export type Role = 'clinic' | 'civil-registry' | 'admin' | 'registry-peer';
export const ROLES: readonly Role[] = ['clinic', 'civil-registry', 'admin', 'registry-peer'];
