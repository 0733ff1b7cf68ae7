import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import type { OperatorRole } from '@vss/domain';
import { type Operator, OperatorsRepository } from '../src';

/**
 * Named operators for tests, added the way `operators add` adds them. A test of another feature
 * that needs a person behind an admin credential asks here.
 */
export async function newOperator(
  pool: Pool,
  spec: { login?: string; displayName?: string; roles?: OperatorRole[] } = {},
): Promise<Operator> {
  const login = spec.login ?? `op.${randomBytes(4).toString('hex')}`;
  return new OperatorsRepository(pool).add({
    login,
    displayName: spec.displayName ?? `Operator ${login}`,
    roles: spec.roles ?? ['operator', 'reviewer'],
    by: 'test',
  });
}
