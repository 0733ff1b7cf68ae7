import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The VSS insurance side: participants (keyed by the lifelong social insurance code),
 * their HI cards, pensions and monthly benefits with their payments, clinics, and the
 * dated rate tables business amounts come from.
 */
export class VssCore1763900000000 implements MigrationInterface {
  name = 'VssCore1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS vss`);
    await q.query(`
      CREATE TABLE vss.facilities (
        facility_code text PRIMARY KEY CHECK (facility_code ~ '^[0-9]{5}$'),
        name text NOT NULL,
        province_code text NOT NULL CHECK (province_code ~ '^[0-9]{3}$'),
        address text NOT NULL DEFAULT '',
        level text NOT NULL DEFAULT 'commune'
      )`);
    await q.query(`CREATE INDEX facilities_province_idx ON vss.facilities (province_code)`);
    await q.query(`
      CREATE TABLE vss.participants (
        social_insurance_code text PRIMARY KEY CHECK (social_insurance_code ~ '^[0-9]{10}$'),
        citizen_id text CHECK (citizen_id ~ '^[0-9]{12}$'),
        legacy_id text CHECK (legacy_id ~ '^[0-9]{9}$'),
        full_name text NOT NULL,
        -- Old records may hold a year-only or month/year birth date: YYYY, YYYY-MM or YYYY-MM-DD.
        date_of_birth text NOT NULL CHECK (date_of_birth ~ '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$'),
        gender text NOT NULL CHECK (gender IN ('M', 'F')),
        province_code text NOT NULL CHECK (province_code ~ '^[0-9]{3}$'),
        address text NOT NULL DEFAULT '',
        compulsory_contribution_months integer NOT NULL DEFAULT 0,
        social_assistance_beneficiary boolean NOT NULL DEFAULT false,
        deceased_on date,
        verified_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Not unique: one citizen on several codes is a finding reconciliation must see.
    await q.query(`CREATE INDEX participants_citizen_idx ON vss.participants (citizen_id)`);
    await q.query(
      `CREATE INDEX participants_legacy_idx ON vss.participants (legacy_id) WHERE legacy_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX participants_province_idx ON vss.participants (province_code)`);
    await q.query(`CREATE INDEX participants_updated_idx ON vss.participants (updated_at)`);
    await q.query(`
      CREATE TABLE vss.hi_cards (
        social_insurance_code text PRIMARY KEY REFERENCES vss.participants ON DELETE CASCADE,
        object_group text NOT NULL,
        benefit_level_percent smallint NOT NULL CHECK (benefit_level_percent BETWEEN 0 AND 100),
        valid_from date NOT NULL,
        valid_to date,
        primary_care_facility_code text NOT NULL REFERENCES vss.facilities,
        five_years_continuous_from date,
        suspended boolean NOT NULL DEFAULT false,
        -- Set when a death ends coverage: the card is invalid after this date.
        ended_on date,
        issued_by_procedure uuid UNIQUE,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (valid_to IS NULL OR valid_to >= valid_from)
      )`);
    await q.query(`
      CREATE TABLE vss.benefits (
        social_insurance_code text NOT NULL REFERENCES vss.participants ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('PENSION', 'MONTHLY_ALLOWANCE')),
        monthly_amount_vnd bigint NOT NULL CHECK (monthly_amount_vnd >= 0),
        started_on date NOT NULL,
        stopped_from date,
        stop_reason text,
        PRIMARY KEY (social_insurance_code, kind)
      )`);
    await q.query(`
      CREATE TABLE vss.benefit_payments (
        payment_id bigserial PRIMARY KEY,
        social_insurance_code text NOT NULL,
        kind text NOT NULL,
        period text NOT NULL CHECK (period ~ '^[0-9]{4}-[0-9]{2}$'),
        amount_vnd bigint NOT NULL,
        paid_on date NOT NULL,
        recovery_flagged_at timestamptz,
        recovery_reason text,
        UNIQUE (social_insurance_code, kind, period),
        FOREIGN KEY (social_insurance_code, kind) REFERENCES vss.benefits ON DELETE CASCADE
      )`);
    await q.query(`
      CREATE TABLE vss.rates (
        code text NOT NULL,
        effective_from date NOT NULL,
        amount_vnd bigint NOT NULL CHECK (amount_vnd > 0),
        legal_basis text NOT NULL,
        PRIMARY KEY (code, effective_from)
      )`);
    // The statutory rates in force since 2019; later changes arrive as new rows, never edits.
    await q.query(`
      INSERT INTO vss.rates (code, effective_from, amount_vnd, legal_basis) VALUES
        ('BASE_SALARY', '2019-07-01', 1490000, 'Decree 38/2019/ND-CP'),
        ('BASE_SALARY', '2023-07-01', 1800000, 'Decree 24/2023/ND-CP'),
        ('BASE_SALARY', '2024-07-01', 2340000, 'Decree 73/2024/ND-CP'),
        ('SOCIAL_ASSISTANCE_STANDARD', '2021-07-01', 360000, 'Decree 20/2021/ND-CP'),
        ('SOCIAL_ASSISTANCE_STANDARD', '2025-01-01', 500000, 'Decree 76/2024/ND-CP')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA vss CASCADE`);
  }
}
