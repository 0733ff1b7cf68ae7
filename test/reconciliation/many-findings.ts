import type { Pool } from 'pg';

/** Findings of the seeded run: 2 in 5 are FIELD_MISMATCH, each on a record of its own. */
export const FINDINGS = 3000;
export const RUN_ID = '5f0c2a8e-7d1b-4c39-9a6e-2b8f4e1d3c70';
/** A completed run with FINDINGS findings and the records they name. */
export async function seedManyFindings(pool: Pool): Promise<void> {
  await pool.query(
    `INSERT INTO vss.reconciliation_runs (run_id, scope_kind, dry_run, find_missing_id_candidates, started_by,
       started_by_label, state, started_at, finished_at)
     VALUES ($1, 'ALL', false, false, 'seed', 'seed', 'COMPLETED', now(), now())`,
    [RUN_ID],
  );
  // Every fifth and sixth... finding a FIELD_MISMATCH on a record of its own; the others mixed.
  await pool.query(
    `INSERT INTO vss.participants (social_insurance_code, citizen_id, full_name, date_of_birth, gender, province_code)
     SELECT '01' || lpad(i::text, 8, '0'), '001085' || lpad(i::text, 6, '0'), 'Nguyen Van A', '1985-03-12', 'M', '001'
       FROM generate_series(1, $1::int) i WHERE i % 5 IN (0, 1)`,
    [FINDINGS],
  );
  await pool.query(
    `INSERT INTO vss.reconciliation_findings (run_id, outcome, social_insurance_code, citizen_id, province_code,
       differences, detail)
     SELECT $1,
            CASE WHEN i % 5 IN (0, 1) THEN 'FIELD_MISMATCH' WHEN i % 5 = 2 THEN 'NOT_IN_REGISTRY'
                 WHEN i % 5 = 3 THEN 'DUPLICATE_PARTICIPANT' ELSE 'MISSING_ID_CANDIDATE' END,
            CASE WHEN i % 5 IN (0, 1) THEN '01' ELSE '09' END || lpad(i::text, 8, '0'),
            '001085' || lpad(i::text, 6, '0'),
            CASE WHEN i % 2 = 0 THEN '001' ELSE '079' END,
            CASE WHEN i % 5 IN (0, 1)
                 THEN '[{"field":"full_name","insuranceValue":"Nguyen Van A","registryValue":"Nguyễn Văn A"}]'::jsonb
                 ELSE '[]'::jsonb END,
            'seeded'
       FROM generate_series(1, $2::int) i ORDER BY i`,
    [RUN_ID, FINDINGS],
  );
}
