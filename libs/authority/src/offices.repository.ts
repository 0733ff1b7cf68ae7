import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import type { OfficeArea, OfficeLevel } from '@vss/domain';
import { PG_POOL } from '@vss/platform';

/** A registered civil registry office and the area it serves. */
export interface CivilRegistryOffice extends OfficeArea {
  officeCode: string;
  name: string;
  active: boolean;
}

interface OfficeRow {
  office_code: string;
  name: string;
  level: OfficeLevel;
  province_code: string;
  district_code: string | null;
  commune_code: string | null;
  active: boolean;
}

/**
 * The registered civil registry offices (`vss.civil_registry_offices`): seeded by migration,
 * extended by the operator CLI as the owner; the apps read them. A civil registry credential
 * names one, and its area decides jurisdiction.
 */
@Injectable()
export class OfficesRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async find(
    officeCode: string,
    client: Pool | PoolClient = this.pool,
  ): Promise<CivilRegistryOffice | undefined> {
    const { rows } = await client.query<OfficeRow>({
      name: 'vss-office-by-code',
      text: 'SELECT * FROM vss.civil_registry_offices WHERE office_code = $1',
      values: [officeCode],
    });
    return rows[0] ? officeOf(rows[0]) : undefined;
  }

  async list(provinceCode?: string): Promise<CivilRegistryOffice[]> {
    const { rows } = await this.pool.query<OfficeRow>(
      `SELECT * FROM vss.civil_registry_offices WHERE $1::text IS NULL OR province_code = $1 ORDER BY office_code`,
      [provinceCode ?? null],
    );
    return rows.map(officeOf);
  }

  /** Registers an office (the CLI, as the owner). */
  async add(office: Omit<CivilRegistryOffice, 'active'>): Promise<CivilRegistryOffice> {
    const { rows } = await this.pool.query<OfficeRow>(
      `INSERT INTO vss.civil_registry_offices (office_code, name, level, province_code, district_code, commune_code)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [
        office.officeCode,
        office.name,
        office.level,
        office.provinceCode,
        office.districtCode ?? null,
        office.communeCode ?? null,
      ],
    );
    return officeOf(rows[0]);
  }

  /** Stops an office's filings being accepted. */
  async deactivate(officeCode: string): Promise<boolean> {
    const result = await this.pool.query(
      'UPDATE vss.civil_registry_offices SET active = false WHERE office_code = $1 AND active',
      [officeCode],
    );
    return (result.rowCount ?? 0) > 0;
  }
}

function officeOf(row: OfficeRow): CivilRegistryOffice {
  return {
    officeCode: row.office_code,
    name: row.name,
    level: row.level,
    provinceCode: row.province_code,
    ...(row.district_code ? { districtCode: row.district_code } : {}),
    ...(row.commune_code ? { communeCode: row.commune_code } : {}),
    active: row.active,
  };
}
