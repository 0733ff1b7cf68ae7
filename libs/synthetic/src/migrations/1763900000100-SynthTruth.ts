import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The synthetic generator's own schema: the truth of every discrepancy it injected (so that
 * reconciliation's precision and recall can be measured) and the parameters of the last seed.
 * Owned by libs/synthetic, never read by the apps.
 */
export class SynthTruth1763900000100 implements MigrationInterface {
  name = 'SynthTruth1763900000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS synth`);
    // One row per participant record that is not a clean match; a record absent here is clean.
    await q.query(`
      CREATE TABLE synth.truth (
        social_insurance_code text PRIMARY KEY,
        outcome text NOT NULL,
        citizen_id text,
        fields text[],
        detail jsonb
      )`);
    await q.query(`CREATE INDEX truth_outcome_idx ON synth.truth (outcome)`);
    await q.query(`
      CREATE TABLE synth.seed_info (
        key text PRIMARY KEY,
        value jsonb
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA synth CASCADE`);
  }
}
