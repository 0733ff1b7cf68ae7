import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Birth dates as old records hold them: YYYY, YYYY-MM, YYYY-MM-DD, with an unknown month or day
 * written 00 (YYYY-00, YYYY-00-00, YYYY-MM-00). vss.is_recorded_date accepts exactly those forms
 * with a real month and a day that exists in it; the old CHECK was a pattern only, so it took
 * 1991-13-45 as readily as 1991-10-00. Plain SQL (no exception block), cheap enough for COPY.
 */
export class RecordedDates1763900007000 implements MigrationInterface {
  name = 'RecordedDates1763900007000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION vss.is_recorded_date(v text) RETURNS boolean
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE
          WHEN v ~ '^[0-9]{4}(-00(-00)?)?$' THEN substr(v, 1, 4)::int >= 1
          WHEN v ~ '^[0-9]{4}-(0[1-9]|1[0-2])(-00)?$' THEN substr(v, 1, 4)::int >= 1
          WHEN v ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' THEN
            substr(v, 1, 4)::int >= 1 AND substr(v, 9, 2)::int <= extract(day FROM
              make_date(substr(v, 1, 4)::int, substr(v, 6, 2)::int, 1) + interval '1 month' - interval '1 day')
          ELSE false
        END
      $$`);
    await q.query(`ALTER TABLE vss.participants DROP CONSTRAINT participants_date_of_birth_check`);
    await q.query(`
      ALTER TABLE vss.participants ADD CONSTRAINT participants_date_of_birth_check
        CHECK (vss.is_recorded_date(date_of_birth))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE vss.participants DROP CONSTRAINT participants_date_of_birth_check`);
    await q.query(`
      ALTER TABLE vss.participants ADD CONSTRAINT participants_date_of_birth_check
        CHECK (date_of_birth ~ '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$')`);
    await q.query(`DROP FUNCTION vss.is_recorded_date`);
  }
}
