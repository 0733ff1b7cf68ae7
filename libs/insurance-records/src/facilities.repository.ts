import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { LOOKUP_POOL } from '@vss/platform';

/** Health facilities (cơ sở khám chữa bệnh): the one place their SQL is written. */
@Injectable()
export class FacilitiesRepository {
  constructor(@Inject(LOOKUP_POOL) private readonly pool: Pool) {}

  /** Whether the facility is known; on the caller's transaction when one is given. */
  async exists(facilityCode: string, client?: PoolClient): Promise<boolean> {
    const result = await (client ?? this.pool).query({
      name: 'vss-facility-exists',
      text: 'SELECT 1 FROM vss.facilities WHERE facility_code = $1',
      values: [facilityCode],
    });
    return (result.rowCount ?? 0) > 0;
  }

  /** The facilities of a province, by code (at most `limit`). */
  async ofProvince(
    provinceCode: string,
    limit: number,
  ): Promise<Array<{ facilityCode: string; name: string; level: string; address: string }>> {
    const { rows } = await this.pool.query(
      `SELECT facility_code AS "facilityCode", name, level, address FROM vss.facilities
        WHERE province_code = $1 ORDER BY facility_code LIMIT $2`,
      [provinceCode, limit],
    );
    return rows;
  }

  /**
   * The default primary-care facility of a newborn: a commune health station of the residence
   * province (any facility there when it has none), spread over them by the child's ID so that
   * one station does not receive every birth of the province.
   */
  async defaultFor(client: PoolClient, provinceCode: string, spreadKey: number): Promise<string | undefined> {
    const result = await client.query<{ facility_code: string }>(
      `WITH f AS (
         SELECT facility_code, row_number() OVER (ORDER BY (level = 'commune') DESC, facility_code) - 1 AS i,
                count(*) FILTER (WHERE level = 'commune') OVER () AS communes, count(*) OVER () AS total
         FROM vss.facilities WHERE province_code = $1)
       SELECT facility_code FROM f
       WHERE i = $2::bigint % (CASE WHEN communes > 0 THEN communes ELSE total END)`,
      [provinceCode, spreadKey],
    );
    return result.rows[0]?.facility_code;
  }
}
