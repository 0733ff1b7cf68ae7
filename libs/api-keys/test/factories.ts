import type { Pool } from 'pg';
import type { OperatorRole } from '@vss/domain';
import type { Caller } from '@vss/security';
import { newOperator } from '../../authority/test/factories';
import { ApiKeys } from '../src';

/**
 * API keys for medium tests, issued the way `keys issue` issues them: the stored key (its hash)
 * and the caller it authenticates as. A test of another feature that needs a caller asks here.
 */
export async function newKey(
  pool: Pool,
  spec: {
    role: 'clinic' | 'civil-registry' | 'admin';
    facilityCode?: string;
    officeCode?: string;
    label?: string;
    /** Admin keys: the roles of the operator they are issued to (a new one each time). */
    operatorRoles?: OperatorRole[];
  },
): Promise<{ apiKey: string; caller: Caller }> {
  const label = spec.label ?? `${spec.role} key`;
  const operator = spec.role === 'admin' ? await newOperator(pool, { roles: spec.operatorRoles }) : undefined;
  const keys = new ApiKeys(pool);
  const issued = await keys.issue({
    role: spec.role,
    facilityCode: spec.facilityCode,
    officeCode: spec.officeCode,
    label,
    operatorLogin: operator?.login,
  });
  return { apiKey: issued.apiKey, caller: await keys.authenticate(issued.apiKey) };
}
