import type { Pool } from 'pg';
import type { Caller } from '@vss/security';
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
  },
): Promise<{ apiKey: string; caller: Caller }> {
  const label = spec.label ?? `${spec.role} key`;
  const issued = await new ApiKeys(pool).issue({ ...spec, label });
  return {
    apiKey: issued.apiKey,
    caller: {
      id: issued.keyId,
      label,
      role: spec.role,
      facilityCode: spec.facilityCode,
      officeCode: spec.officeCode,
      via: 'api-key',
    },
  };
}
