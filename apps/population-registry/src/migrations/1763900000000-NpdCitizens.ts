import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The registry stub's own schema: citizens, and the answers to idempotent requests. */
export class NpdCitizens1763900000000 implements MigrationInterface {
  name = 'NpdCitizens1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS npd`);
    await q.query(`
      CREATE TABLE npd.citizens (
        citizen_id text PRIMARY KEY CHECK (citizen_id ~ '^[0-9]{12}$'),
        legacy_id text UNIQUE CHECK (legacy_id ~ '^[0-9]{9}$'),
        full_name text NOT NULL,
        date_of_birth date NOT NULL,
        gender text NOT NULL CHECK (gender IN ('M', 'F')),
        birth_province_code text NOT NULL CHECK (birth_province_code ~ '^[0-9]{3}$'),
        residence_address text NOT NULL DEFAULT '',
        residence_province_code text CHECK (residence_province_code ~ '^[0-9]{3}$'),
        residence_status text NOT NULL DEFAULT 'NONE'
          CHECK (residence_status IN ('NONE', 'REGISTERED', 'CANCELLED')),
        vital_status text NOT NULL DEFAULT 'ALIVE' CHECK (vital_status IN ('ALIVE', 'DECEASED')),
        date_of_death date,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((vital_status = 'DECEASED') = (date_of_death IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX citizens_updated_idx ON npd.citizens (updated_at, citizen_id)`);
    // A repeated request returns the first answer: the answer is kept with its request ID.
    await q.query(`
      CREATE TABLE npd.requests (
        request_id text PRIMARY KEY,
        kind text NOT NULL,
        citizen_id text NOT NULL,
        fingerprint text NOT NULL,
        response jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA npd CASCADE`);
  }
}
