import type { OperatorIdentity, OperatorRole } from '@vss/security';

/** The operator columns a credential's row carries (LEFT JOIN vss.operators). */
export interface OperatorColumns {
  operator_id?: string | null;
  operator_login?: string | null;
  operator_name?: string | null;
  operator_roles?: OperatorRole[] | null;
}

/** The person a credential was issued to, or undefined for a machine credential. */
export function operatorIdentityOf(row: OperatorColumns): OperatorIdentity | undefined {
  if (!row.operator_id) return undefined;
  return {
    operatorId: row.operator_id,
    login: row.operator_login!,
    displayName: row.operator_name!,
    roles: row.operator_roles ?? [],
  };
}

export { personLabel } from '@vss/security';
