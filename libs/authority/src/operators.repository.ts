import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { OPERATOR_ROLES, type OperatorRole } from '@vss/domain';
import { invalidArgument, PG_POOL } from '@vss/platform';

/** A named operator: a person at VSS whose credentials act as them. */
export interface Operator {
  operatorId: string;
  login: string;
  displayName: string;
  roles: OperatorRole[];
  active: boolean;
  createdAt: Date;
  createdBy: string;
  disabledAt: Date | null;
  disabledBy: string | null;
}

interface OperatorRow {
  operator_id: string;
  login: string;
  display_name: string;
  roles: OperatorRole[];
  active: boolean;
  created_at: Date;
  created_by: string;
  disabled_at: Date | null;
  disabled_by: string | null;
}

const LOGIN = /^[a-z][a-z0-9._-]{1,63}$/;

/** Roles from `approver,reviewer`: each one of OPERATOR_ROLES, at least one. */
export function parseOperatorRoles(text: string): OperatorRole[] {
  const roles = [
    ...new Set(
      text
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean),
    ),
  ];
  const unknown = roles.filter((r) => !(OPERATOR_ROLES as readonly string[]).includes(r));
  if (roles.length === 0 || unknown.length > 0) {
    throw invalidArgument(
      'OPERATOR_INVALID_ROLES',
      'roles',
      `${unknown.length ? `unknown role ${unknown.join(', ')}; ` : ''}give one or more of ${OPERATOR_ROLES.join(', ')}`,
    );
  }
  return roles as OperatorRole[];
}

/**
 * The one writer of `vss.operators`. Operators are added, given roles and disabled by a
 * security administrator through the CLI (as the database owner: the apps only read them);
 * `by` names who did it. Disabling ends every credential of the operator at once (a trigger
 * announces each as changed, and authentication refuses it).
 */
@Injectable()
export class OperatorsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Adds an operator (on the caller's transaction when given `db`). */
  async add(
    input: {
      login: string;
      displayName: string;
      roles: OperatorRole[];
      by: string;
    },
    db: Pick<Pool, 'query'> = this.pool,
  ): Promise<Operator> {
    if (!LOGIN.test(input.login)) {
      throw invalidArgument(
        'OPERATOR_INVALID_LOGIN',
        'login',
        'is 2–64 lower-case letters, digits, ".", "_" or "-", starting with a letter',
      );
    }
    const displayName = input.displayName.replace(/\s+/gu, ' ').trim().normalize('NFC');
    if (displayName === '' || displayName.length > 100) {
      throw invalidArgument('OPERATOR_INVALID_NAME', 'name', 'is required, at most 100 characters');
    }
    const { rows } = await db.query<OperatorRow>(
      `INSERT INTO vss.operators (operator_id, login, display_name, roles, created_by)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (login) DO NOTHING RETURNING *`,
      [randomUUID(), input.login, displayName, input.roles, input.by],
    );
    if (!rows[0]) {
      throw invalidArgument('OPERATOR_LOGIN_TAKEN', 'login', `${input.login} is already an operator's login`);
    }
    return operatorOf(rows[0]);
  }

  async list(): Promise<Operator[]> {
    const { rows } = await this.pool.query<OperatorRow>('SELECT * FROM vss.operators ORDER BY login');
    return rows.map(operatorOf);
  }

  async find(login: string): Promise<Operator | undefined> {
    const { rows } = await this.pool.query<OperatorRow>('SELECT * FROM vss.operators WHERE login = $1', [
      login,
    ]);
    return rows[0] ? operatorOf(rows[0]) : undefined;
  }

  /** The operator of a session or credential, by their ID. */
  async findById(operatorId: string): Promise<Operator | undefined> {
    const { rows } = await this.pool.query<OperatorRow>({
      name: 'operator-by-id',
      text: 'SELECT * FROM vss.operators WHERE operator_id = $1',
      values: [operatorId],
    });
    return rows[0] ? operatorOf(rows[0]) : undefined;
  }

  /** Disables an active operator; undefined when there is no such operator, unchanged when already disabled. */
  async disable(login: string, by: string): Promise<Operator | undefined> {
    const { rows } = await this.pool.query<OperatorRow>(
      `UPDATE vss.operators SET active = false, disabled_at = now(), disabled_by = $2
       WHERE login = $1 AND active RETURNING *`,
      [login, by],
    );
    return rows[0] ? operatorOf(rows[0]) : this.find(login);
  }

  /** Replaces an operator's roles. */
  async setRoles(
    login: string,
    roles: OperatorRole[],
    db: Pick<Pool, 'query'> = this.pool,
  ): Promise<Operator | undefined> {
    const { rows } = await db.query<OperatorRow>(
      'UPDATE vss.operators SET roles = $2 WHERE login = $1 RETURNING *',
      [login, roles],
    );
    return rows[0] ? operatorOf(rows[0]) : undefined;
  }
}

function operatorOf(row: OperatorRow): Operator {
  return {
    operatorId: row.operator_id,
    login: row.login,
    displayName: row.display_name,
    roles: row.roles,
    active: row.active,
    createdAt: row.created_at,
    createdBy: row.created_by,
    disabledAt: row.disabled_at,
    disabledBy: row.disabled_by,
  };
}
