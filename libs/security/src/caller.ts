import type { Metadata } from '@grpc/grpc-js';

import type { OperatorRole, Role } from '@vss/domain';

export { type OperatorRole, OPERATOR_ROLES, type Role, ROLES } from '@vss/domain';

/** The person an admin credential was issued to: who is accountable for what it does. */
export interface OperatorIdentity {
  operatorId: string;
  login: string;
  displayName: string;
  roles: readonly OperatorRole[];
}

/** Who is calling, as established by an API key today and a client certificate tomorrow. */
export interface Caller {
  /** Stable identifier: the key ID, or the certificate subject. */
  id: string;
  /** A readable name for audit listings. */
  label: string;
  role: Role;
  /** Clinics act for one facility only. */
  facilityCode?: string;
  /** Civil registry systems act for one office only. */
  officeCode?: string;
  /** How it proved who it is: an API key, a client certificate, or a console sign-in. */
  via: 'api-key' | 'mtls' | 'console';
  /** Set when the credential was issued to a named operator; it then acts as that person. */
  operator?: OperatorIdentity;
}

/** How the audit trail names a person: display name and login. */
export const personLabel = (operator: Pick<OperatorIdentity, 'displayName' | 'login'>) =>
  `${operator.displayName} [${operator.login}]`;

/** True when the caller is a named operator holding one of `roles`. */
export function operatorHolds(caller: Caller, ...roles: OperatorRole[]): boolean {
  return caller.operator !== undefined && roles.some((role) => caller.operator!.roles.includes(role));
}

/**
 * Where the caller is kept on a call's metadata or request: a property under a symbol only this
 * module holds, so nothing else can read or set it (a WeakMap would do the same for far more per
 * call: an entry for each call's object, that the collector must trace).
 */
const CALLER = Symbol('vss.caller');
type Carrying = { [CALLER]?: Caller };

/** Attaches the authenticated caller to a call's metadata (or HTTP request). */
export function attachCaller(carrier: object, caller: Caller): void {
  // Symbol-keyed: no enumeration, spread of keys or JSON shows it.
  (carrier as Carrying)[CALLER] = caller;
}

/** The authenticated caller of this call; the guard has run before any handler. */
export function callerOf(carrier: Metadata | object): Caller {
  const caller = (carrier as Carrying)[CALLER];
  if (!caller) throw new Error('no authenticated caller on this call: is the AuthGuard installed?');
  return caller;
}

/** The authenticated caller of this call, or undefined on a public one (a sign-in page, say). */
export function callerOrNone(carrier: object): Caller | undefined {
  return (carrier as Carrying)[CALLER];
}
