import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { genderOfRow, type InsuranceRecord, type RecordActivity } from '@vss/domain/reconciliation';
import type { RunScope } from '@vss/domain/reconciliation-runs';
import { PG_POOL } from '@vss/platform';

/** A record and whether it falls in the run's scope (a group may reach records outside it). */
export type ScopedRecord = InsuranceRecord & { inScope: boolean };

export const RECORD_COLUMNS = `social_insurance_code, citizen_id, legacy_id, full_name, date_of_birth, gender, province_code,
  deceased_on::text AS deceased_on`;

/**
 * A record read as an array of RECORD_COLUMNS' values in their order (pg's rowMode 'array'),
 * with in_scope after them when the query reads it: the scan reads a million records, and rows
 * as arrays spare building an object of named fields for each before its record. Every query of
 * RECORD_COLUMNS reads its rows this way.
 */
export function recordOfValues(v: unknown[]): ScopedRecord {
  return {
    socialInsuranceCode: v[0] as string,
    citizenId: v[1] as string | null,
    legacyId: v[2] as string | null,
    fullName: v[3] as string,
    dateOfBirth: v[4] as string,
    gender: genderOfRow(v[5] as string),
    provinceCode: v[6] as string,
    deceasedOn: v[7] as string | null,
    inScope: (v[8] as boolean | undefined) ?? true,
  };
}

/** Where the scan reads our records of a whole-population run's page: a citizen-ID range. */
export type CitizenRange =
  /** Citizen IDs in (after, through]. */
  | { after: string; through: string }
  /** The tail of a partition: citizen IDs after `after` below `below` ('' open), none of which the registry holds. */
  | { after: string; below: string };

/** A run's scope as a SQL condition on vss.participants, its value as parameter $n. */
export function scopeCondition(scope: RunScope, n: number): { sql: string; values: string[] } {
  switch (scope.kind) {
    case 'ALL':
      return { sql: 'true', values: [] };
    case 'PROVINCE':
      return { sql: `province_code = $${n}`, values: [scope.provinceCode] };
    case 'CHANGED_SINCE':
      // A date means the start of that day in Vietnam, where the records are kept.
      return {
        sql: `updated_at >= ($${n}::date::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')`,
        values: [scope.since],
      };
  }
}

/**
 * The insurance side of reconciliation: our records read by key range, by citizen, by legacy
 * ID, a page at a time. Hand-written SQL on the indexes of vss.participants, because this is
 * the scan of the whole table; no query reads more than one chunk.
 */
@Injectable()
export class RecordsScanRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  private async records(name: string, text: string, values: unknown[]): Promise<ScopedRecord[]> {
    const result = await this.pool.query<unknown[]>({ name, text, values, rowMode: 'array' });
    return result.rows.map(recordOfValues);
  }

  /** One record by its social insurance code, as a run reads it (a reviewer's side by side). */
  async record(socialInsuranceCode: string): Promise<InsuranceRecord | undefined> {
    const [found] = await this.records(
      'recon-record',
      `SELECT ${RECORD_COLUMNS} FROM vss.participants WHERE social_insurance_code = $1`,
      [socialInsuranceCode],
    );
    return found;
  }

  /**
   * One page of a whole-population run in one round trip: our records whose citizen ID lies in
   * the page's range, and those without a citizen ID that hold one of the page's legacy CMNDs
   * (`byLegacyId`). Plain range predicates: a prepared statement with "$2 = '' OR …" gets a
   * generic plan that scans the table.
   */
  async citizenPage(
    range: CitizenRange,
    legacyIds: string[],
  ): Promise<{ byCitizenId: ScopedRecord[]; byLegacyId: ScopedRecord[] }> {
    const [name, where, bound] =
      'through' in range
        ? ['recon-citizen-page', 'citizen_id > $1 AND citizen_id <= $2', range.through]
        : // ':' sorts after every digit: an open tail stays a plain range predicate.
          ['recon-citizen-page-tail', 'citizen_id > $1 AND citizen_id < $2', range.below || ':'];
    const { rows } = await this.pool.query<unknown[]>({
      name,
      text: `SELECT ${RECORD_COLUMNS}, false FROM vss.participants WHERE ${where}
             UNION ALL
             SELECT ${RECORD_COLUMNS}, true FROM vss.participants
              WHERE legacy_id = ANY($3::text[]) AND citizen_id IS NULL`,
      values: [range.after, bound, legacyIds],
      rowMode: 'array',
    });
    const byCitizenId: ScopedRecord[] = [];
    const byLegacyId: ScopedRecord[] = [];
    for (const row of rows) {
      const byLegacy = row.pop() as boolean;
      (byLegacy ? byLegacyId : byCitizenId).push(recordOfValues(row));
    }
    return { byCitizenId, byLegacyId };
  }

  /** Records holding these citizen IDs; in_scope tells which of them the run covers. */
  byCitizenIds(citizenIds: string[], scope: RunScope): Promise<ScopedRecord[]> {
    if (citizenIds.length === 0) return Promise.resolve([]);
    const cond = scopeCondition(scope, 2);
    return this.records(
      `recon-records-by-citizen-${scope.kind}`,
      `SELECT ${RECORD_COLUMNS}, (${cond.sql}) AS in_scope FROM vss.participants WHERE citizen_id = ANY($1::text[])`,
      [citizenIds, ...cond.values],
    );
  }

  /** Records without a citizen ID that hold one of these legacy CMNDs. */
  legacyOnly(legacyIds: string[], scope: RunScope): Promise<ScopedRecord[]> {
    if (legacyIds.length === 0) return Promise.resolve([]);
    const cond = scopeCondition(scope, 2);
    return this.records(
      `recon-records-by-legacy-${scope.kind}`,
      `SELECT ${RECORD_COLUMNS}, (${cond.sql}) AS in_scope FROM vss.participants
        WHERE legacy_id = ANY($1::text[]) AND citizen_id IS NULL`,
      [legacyIds, ...cond.values],
    );
  }

  /** One page of the scope's records by social insurance code, after `after`, below `upper`. */
  page(scope: RunScope, after: string, upper: string, limit: number): Promise<ScopedRecord[]> {
    const cond = scopeCondition(scope, 4);
    return this.records(
      `recon-records-page-${scope.kind}`,
      `SELECT ${RECORD_COLUMNS} FROM vss.participants
        WHERE social_insurance_code > $1 AND social_insurance_code < $2 AND ${cond.sql}
        ORDER BY social_insurance_code LIMIT $3`,
      // ':' sorts after every digit: an open upper bound stays a plain range predicate.
      [after, upper || ':', limit, ...cond.values],
    );
  }

  /**
   * Every record of the scope with neither a citizen ID nor a legacy CMND: where a run's candidate
   * search starts from. A record with a CMND is resolved by it, and searched only if it fails.
   */
  withoutAnyId(scope: RunScope): Promise<ScopedRecord[]> {
    const cond = scopeCondition(scope, 1);
    return this.records(
      `recon-records-without-any-id-${scope.kind}`,
      `SELECT ${RECORD_COLUMNS} FROM vss.participants
        WHERE citizen_id IS NULL AND legacy_id IS NULL AND ${cond.sql}`,
      cond.values,
    );
  }

  /** Cards and benefits of the records, for deciding whether anything runs on after a death. */
  async activity(socialInsuranceCodes: string[]): Promise<Map<string, RecordActivity>> {
    const activity = new Map<string, RecordActivity>(
      socialInsuranceCodes.map((sic) => [sic, { card: null, benefits: [] }]),
    );
    if (socialInsuranceCodes.length === 0) return activity;
    // One round trip for both tables: a card row, then a row per benefit.
    const { rows } = await this.pool.query<{
      sic: string;
      what: 'CARD' | 'BENEFIT';
      kind: string | null;
      valid_to: string | null;
      ended_on: string | null;
      stopped_from: string | null;
    }>({
      name: 'recon-activity',
      text: `SELECT social_insurance_code AS sic, 'CARD' AS what, NULL AS kind, valid_to::text, ended_on::text,
                    NULL AS stopped_from
               FROM vss.hi_cards WHERE social_insurance_code = ANY($1::text[])
             UNION ALL
             SELECT social_insurance_code, 'BENEFIT', kind, NULL, NULL, stopped_from::text
               FROM vss.benefits WHERE social_insurance_code = ANY($1::text[])`,
      values: [socialInsuranceCodes],
    });
    for (const r of rows) {
      const a = activity.get(r.sic)!;
      if (r.what === 'CARD') a.card = { validTo: r.valid_to, endedOn: r.ended_on };
      else a.benefits.push({ kind: r.kind!, stoppedFrom: r.stopped_from });
    }
    return activity;
  }

  async countInScope(scope: RunScope): Promise<number> {
    const cond = scopeCondition(scope, 1);
    const result = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM vss.participants WHERE ${cond.sql}`,
      cond.values,
    );
    return Number(result.rows[0].n);
  }
}
