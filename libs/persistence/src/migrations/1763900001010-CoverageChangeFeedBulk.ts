import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The coverage change triggers (CoverageChangeFeed) looked at every row of a statement before
 * deciding that it changed too many citizens to name: for a bulk load that is a DISTINCT over
 * thousands of rows, and for HI cards a participant lookup per row. They now count first and
 * say `*` at once above the limit, so that a COPY of 5,000 cards costs a count, not 5,000
 * index lookups.
 */
export class CoverageChangeFeedBulk1763900001010 implements MigrationInterface {
  name = 'CoverageChangeFeedBulk1763900001010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION vss.participants_coverage_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE ids text[];
      BEGIN
        IF TG_OP = 'INSERT' THEN
          IF (SELECT count(*) FROM new_rows) > 200 THEN
            PERFORM pg_notify('vss_coverage_changed', '*');
            RETURN NULL;
          END IF;
          SELECT array_agg(DISTINCT citizen_id) INTO ids FROM new_rows WHERE citizen_id IS NOT NULL;
        ELSIF TG_OP = 'DELETE' THEN
          IF (SELECT count(*) FROM old_rows) > 200 THEN
            PERFORM pg_notify('vss_coverage_changed', '*');
            RETURN NULL;
          END IF;
          SELECT array_agg(DISTINCT citizen_id) INTO ids FROM old_rows WHERE citizen_id IS NOT NULL;
        ELSE
          SELECT array_agg(DISTINCT id) INTO ids FROM (
            SELECT o.citizen_id AS id FROM old_rows o JOIN new_rows n USING (social_insurance_code)
             WHERE (o.citizen_id, o.full_name, o.date_of_birth, o.gender, o.deceased_on)
                   IS DISTINCT FROM (n.citizen_id, n.full_name, n.date_of_birth, n.gender, n.deceased_on)
            UNION
            SELECT n.citizen_id FROM old_rows o JOIN new_rows n USING (social_insurance_code)
             WHERE (o.citizen_id, o.full_name, o.date_of_birth, o.gender, o.deceased_on)
                   IS DISTINCT FROM (n.citizen_id, n.full_name, n.date_of_birth, n.gender, n.deceased_on)
            UNION
            SELECT o.citizen_id FROM old_rows o WHERE NOT EXISTS
              (SELECT 1 FROM new_rows n WHERE n.social_insurance_code = o.social_insurance_code)
            UNION
            SELECT n.citizen_id FROM new_rows n WHERE NOT EXISTS
              (SELECT 1 FROM old_rows o WHERE o.social_insurance_code = n.social_insurance_code)
          ) changed WHERE id IS NOT NULL;
        END IF;
        PERFORM vss.notify_coverage_ids(ids);
        RETURN NULL;
      END $$`);

    await q.query(`
      CREATE OR REPLACE FUNCTION vss.hi_cards_coverage_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE ids text[];
      DECLARE changed bigint;
      BEGIN
        IF TG_OP = 'INSERT' THEN
          SELECT count(*) INTO changed FROM new_rows;
        ELSE
          SELECT count(*) INTO changed FROM old_rows;
        END IF;
        IF changed > 200 THEN
          PERFORM pg_notify('vss_coverage_changed', '*');
          RETURN NULL;
        END IF;
        IF TG_OP = 'INSERT' THEN
          SELECT array_agg(DISTINCT p.citizen_id) INTO ids
            FROM new_rows c JOIN vss.participants p USING (social_insurance_code)
           WHERE p.citizen_id IS NOT NULL;
        ELSIF TG_OP = 'DELETE' THEN
          SELECT array_agg(DISTINCT p.citizen_id) INTO ids
            FROM old_rows c JOIN vss.participants p USING (social_insurance_code)
           WHERE p.citizen_id IS NOT NULL;
        ELSE
          SELECT array_agg(DISTINCT p.citizen_id) INTO ids
            FROM (SELECT social_insurance_code FROM old_rows UNION SELECT social_insurance_code FROM new_rows) c
            JOIN vss.participants p USING (social_insurance_code)
           WHERE p.citizen_id IS NOT NULL;
        END IF;
        PERFORM vss.notify_coverage_ids(ids);
        RETURN NULL;
      END $$`);
  }

  async down(): Promise<void> {
    // The functions of CoverageChangeFeed answer the same; only slower on bulk statements.
  }
}
