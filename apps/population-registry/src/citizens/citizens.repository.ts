import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { CITIZEN_COLUMNS, type CitizenRow } from './citizen.mapper';

export const REGISTRY_POOL = Symbol('REGISTRY_POOL');

export interface CitizenSearch {
  nameKey: string;
  surnameKey: string;
  givenKey: string;
  /** Empty: the province rule is not applied. */
  provinceCode: string;
  /** The birth year, [from, to) as dates. */
  yearRange: { from: string; to: string };
  /** The day or month of birth when known, [from, to); null for a year alone. */
  dateRange: { from: string; to: string } | null;
  limitPerRule: number;
}

export interface ExportRange {
  after: string;
  before: string;
  updatedSince: string;
  limit: number;
}

/**
 * The registry's SQL, hand-written and prepared (named statements): these are the hot
 * reads of every identity check and of every reconciliation export.
 */
@Injectable()
export class CitizensRepository {
  constructor(@Inject(REGISTRY_POOL) private readonly pool: Pool) {}

  async findById(citizenId: string, client?: PoolClient): Promise<CitizenRow | undefined> {
    const result = await (client ?? this.pool).query<CitizenRow>({
      name: 'npd-citizen-by-id',
      text: `SELECT ${CITIZEN_COLUMNS} FROM npd.citizens WHERE citizen_id = $1`,
      values: [citizenId],
    });
    return result.rows[0];
  }

  async findByIdForUpdate(client: PoolClient, citizenId: string): Promise<CitizenRow | undefined> {
    const result = await client.query<CitizenRow>({
      name: 'npd-citizen-by-id-for-update',
      text: `SELECT ${CITIZEN_COLUMNS} FROM npd.citizens WHERE citizen_id = $1 FOR UPDATE`,
      values: [citizenId],
    });
    return result.rows[0];
  }

  async findMany(citizenIds: string[]): Promise<Map<string, CitizenRow>> {
    const result = await this.pool.query<CitizenRow>({
      name: 'npd-citizens-by-ids',
      text: `SELECT ${CITIZEN_COLUMNS} FROM npd.citizens WHERE citizen_id = ANY($1::text[])`,
      values: [citizenIds],
    });
    return new Map(result.rows.map((row) => [row.citizen_id, row]));
  }

  async findByLegacyId(legacyId: string): Promise<CitizenRow | undefined> {
    const result = await this.pool.query<CitizenRow>({
      name: 'npd-citizen-by-legacy-id',
      text: `SELECT ${CITIZEN_COLUMNS} FROM npd.citizens WHERE legacy_id = $1`,
      values: [legacyId],
    });
    return result.rows[0];
  }

  /**
   * Citizens who could be the person, by the three blocking rules, each branch on an index of
   * its own: the surname in the province (of birth, or of residence) with the birth date as far
   * as it is known (the filter a run applies inside that block), the birth date (a day, or a
   * month) anywhere with the same given name, the whole name and birth year anywhere.
   */
  async search(q: CitizenSearch): Promise<CitizenRow[]> {
    const result = await this.pool.query<CitizenRow>({
      name: 'npd-search',
      text: `SELECT DISTINCT ON (citizen_id) * FROM (
               (SELECT ${CITIZEN_COLUMNS} FROM npd.citizens
                 WHERE birth_province_code = $3 AND split_part(name_key, ' ', 1) = $2
                   AND date_of_birth >= $11::date AND date_of_birth < $12::date
                 LIMIT $8)
               UNION ALL
               (SELECT ${CITIZEN_COLUMNS} FROM npd.citizens
                 WHERE residence_province_code = $3 AND split_part(name_key, ' ', 1) = $2
                   AND date_of_birth >= $11::date AND date_of_birth < $12::date
                 LIMIT $8)
               UNION ALL
               (SELECT ${CITIZEN_COLUMNS} FROM npd.citizens
                 WHERE $4 AND date_of_birth >= $9::date AND date_of_birth < $10::date
                   AND (name_key = $5 OR right(name_key, length($5) + 1) = ' ' || $5)
                 LIMIT $8)
               UNION ALL
               (SELECT ${CITIZEN_COLUMNS} FROM npd.citizens
                 WHERE name_key = $1 AND date_of_birth >= $6::date AND date_of_birth < $7::date
                 LIMIT $8)) found
             ORDER BY citizen_id`,
      values: [
        q.nameKey,
        q.surnameKey,
        q.provinceCode,
        q.dateRange !== null,
        q.givenKey,
        q.yearRange.from,
        q.yearRange.to,
        q.limitPerRule,
        q.dateRange?.from ?? '0001-01-01',
        q.dateRange?.to ?? '0001-01-01',
        (q.dateRange ?? q.yearRange).from,
        (q.dateRange ?? q.yearRange).to,
      ],
    });
    return result.rows;
  }

  /** One page of the export: keyset pagination on the primary key, so any page is an index range scan. */
  async exportPage(range: ExportRange): Promise<CitizenRow[]> {
    const result = await this.pool.query<CitizenRow>({
      name: 'npd-export-page',
      text: `SELECT ${CITIZEN_COLUMNS} FROM npd.citizens
             WHERE citizen_id > $1 AND ($2 = '' OR citizen_id < $2)
               AND ($3 = '' OR updated_at >= $3::timestamptz)
             ORDER BY citizen_id LIMIT $4`,
      values: [range.after, range.before, range.updatedSince, range.limit],
    });
    return result.rows;
  }

  async insertNewborn(
    client: PoolClient,
    row: { citizenId: string; fullName: string; dateOfBirth: string; gender: 'M' | 'F' },
  ): Promise<CitizenRow> {
    const result = await client.query<CitizenRow>(
      `INSERT INTO npd.citizens (citizen_id, full_name, date_of_birth, gender, birth_province_code)
       VALUES ($1, $2, $3, $4, substr($1, 1, 3)) RETURNING ${CITIZEN_COLUMNS}`,
      [row.citizenId, row.fullName, row.dateOfBirth, row.gender],
    );
    return result.rows[0];
  }

  async markDeceased(client: PoolClient, citizenId: string, dateOfDeath: string): Promise<CitizenRow> {
    const result = await client.query<CitizenRow>(
      `UPDATE npd.citizens SET vital_status = 'DECEASED', date_of_death = $2, updated_at = now()
       WHERE citizen_id = $1 RETURNING ${CITIZEN_COLUMNS}`,
      [citizenId, dateOfDeath],
    );
    return result.rows[0];
  }

  /** A revoked death: alive again, with no date of death. */
  async markAlive(client: PoolClient, citizenId: string): Promise<CitizenRow> {
    const result = await client.query<CitizenRow>(
      `UPDATE npd.citizens SET vital_status = 'ALIVE', date_of_death = NULL, updated_at = now()
       WHERE citizen_id = $1 RETURNING ${CITIZEN_COLUMNS}`,
      [citizenId],
    );
    return result.rows[0];
  }

  /** A corrected birth: the fields given change, the others stay. */
  async correctBirth(
    client: PoolClient,
    citizenId: string,
    fields: { fullName?: string; dateOfBirth?: string; gender?: 'M' | 'F' },
  ): Promise<CitizenRow> {
    const result = await client.query<CitizenRow>(
      `UPDATE npd.citizens SET full_name = COALESCE($2, full_name), date_of_birth = COALESCE($3::date, date_of_birth),
         gender = COALESCE($4, gender), updated_at = now()
       WHERE citizen_id = $1 RETURNING ${CITIZEN_COLUMNS}`,
      [citizenId, fields.fullName ?? null, fields.dateOfBirth ?? null, fields.gender ?? null],
    );
    return result.rows[0];
  }

  async setResidence(
    client: PoolClient,
    citizenId: string,
    residence: { address?: string; provinceCode?: string; status: CitizenRow['residence_status'] },
  ): Promise<CitizenRow> {
    const result = await client.query<CitizenRow>(
      `UPDATE npd.citizens SET residence_status = $2,
         residence_address = COALESCE($3, residence_address),
         residence_province_code = COALESCE($4, residence_province_code),
         updated_at = now()
       WHERE citizen_id = $1 RETURNING ${CITIZEN_COLUMNS}`,
      [citizenId, residence.status, residence.address ?? null, residence.provinceCode ?? null],
    );
    return result.rows[0];
  }
}
