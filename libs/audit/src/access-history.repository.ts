import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '@vss/platform';
import { AuditAction } from './audit-actions';

/** One access to a citizen's data, as the listings show it. */
export interface AccessRow {
  event_id: string;
  /** occurred_at in UTC to the microsecond, for page tokens. */
  at: string;
  caller: string;
  caller_role: string;
  action: string;
  purpose: string;
  outcome: string;
  facility_code: string | null;
  office_code: string | null;
  /** A lookup's identity verdict; null for other accesses. */
  identity: string | null;
  seq: string;
  hash: string;
}

/** Newest first, keyset-paged on the audit_subject_idx (subject_citizen_id, occurred_at DESC, event_id). */
const ACCESSES_OF_CITIZEN = `
  SELECT event_id::text, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at,
         caller, caller_role, action, purpose, outcome, facility_code, office_code,
         detail->>'identity' AS identity, seq::text, encode(hash, 'hex') AS hash
    FROM vss.audit_events
   WHERE subject_citizen_id = $1 AND ($5::text[] IS NULL OR action = ANY($5::text[]))
     AND ($2::timestamptz IS NULL OR (occurred_at, event_id) < ($2::timestamptz, $3::uuid))
   ORDER BY audit_events.occurred_at DESC, audit_events.event_id DESC
   LIMIT $4`;

/** Reading the audit trail: who accessed a citizen's data, and how. */
@Injectable()
export class AccessHistoryRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** The coverage lookups of one citizen, newest first, after the (at, id) of the previous page. */
  lookupsOf(citizenId: string, after: { at: string; id: string } | undefined, limit: number) {
    return this.accessesOf(citizenId, after, limit, [AuditAction.CoverageLookup]);
  }

  /** Accesses to one citizen's data (of these actions, or all), newest first, after (at, id). */
  async accessesOf(
    citizenId: string,
    after: { at: string; id: string } | undefined,
    limit: number,
    actions?: string[],
  ): Promise<AccessRow[]> {
    const result = await this.pool.query<AccessRow>(ACCESSES_OF_CITIZEN, [
      citizenId,
      after?.at ?? null,
      after?.id ?? null,
      limit,
      actions ?? null,
    ]);
    return result.rows;
  }
}
