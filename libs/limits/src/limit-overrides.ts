import type { Pool } from 'pg';
import type { Role } from '@vss/security';
import { type LimitSpec, parseLimitSpec, ROLE_DEFAULTS } from '@vss/domain';
import { vietnamDate } from '@vss/domain';

export interface LimitOverride {
  callerId: string;
  limits: string;
  note: string | null;
}

/**
 * Callers' own limits (vss.caller_limits) as the operator sets them; every gateway hears the
 * change by NOTIFY. Callers are API key ids or `cert:<serial>` of registered certificates.
 */
export class LimitOverrides {
  constructor(private readonly pool: Pool) {}

  /** The role of a caller, or an Error saying what a caller ID looks like. */
  async roleOf(callerId: string): Promise<Role> {
    const { rows } = callerId.startsWith('cert:')
      ? await this.pool.query<{ role: Role }>(
          'SELECT role FROM vss.client_certificates WHERE serial_number = $1',
          [callerId.slice('cert:'.length)],
        )
      : await this.pool.query<{ role: Role }>('SELECT role FROM vss.api_keys WHERE key_id = $1', [callerId]);
    if (!rows[0]) {
      throw new Error(
        `${callerId} is neither an API key id (keys list) nor cert:<serial> of a registered certificate (certs list)`,
      );
    }
    return rows[0].role;
  }

  /** Checks the limits against the caller's role (LimitSpecError), stores them and answers the effect. */
  async set(callerId: string, text: string, note?: string): Promise<{ role: Role; effective: LimitSpec }> {
    const role = await this.roleOf(callerId);
    const compact = text.replace(/\s+/g, '');
    const effective = parseLimitSpec(compact, ROLE_DEFAULTS[role]);
    await this.pool.query(
      `INSERT INTO vss.caller_limits (caller_id, limits, note) VALUES ($1, $2, $3)
       ON CONFLICT (caller_id) DO UPDATE SET limits = excluded.limits, note = excluded.note, updated_at = now()`,
      [callerId, compact, note ?? null],
    );
    return { role, effective };
  }

  /** False when the caller had no limits of its own. */
  async clear(callerId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM vss.caller_limits WHERE caller_id = $1', [
      callerId,
    ]);
    return (rowCount ?? 0) > 0;
  }

  async list(): Promise<LimitOverride[]> {
    const { rows } = await this.pool.query<{ caller_id: string; limits: string; note: string | null }>(
      'SELECT caller_id, limits, note FROM vss.caller_limits ORDER BY caller_id',
    );
    return rows.map((r) => ({ callerId: r.caller_id, limits: r.limits, note: r.note }));
  }

  /** Today's lookups of the busiest callers, summed over the fleet. */
  async usageToday(limit = 20): Promise<Array<{ callerId: string; used: number }>> {
    const { rows } = await this.pool.query<{ caller_id: string; used: string }>(
      'SELECT caller_id, used::text FROM vss.caller_usage WHERE day = $1 ORDER BY used DESC LIMIT $2',
      [vietnamDate(Date.now()), limit],
    );
    return rows.map((r) => ({ callerId: r.caller_id, used: Number(r.used) }));
  }
}
