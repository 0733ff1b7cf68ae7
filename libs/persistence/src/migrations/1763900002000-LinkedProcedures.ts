import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Civil registration events and the linked procedures they drive (Decree 63/2024/NĐ-CP).
 *
 * - civil_events: each accepted registration, keyed by the office's own event ID, with the
 *   normalised content and its fingerprint, so that a repeat is recognised and a reuse of the
 *   ID for other content is refused.
 * - procedures / procedure_steps: where each procedure stands, step by step. `job_seq` is the
 *   generation of the one queued job allowed to move the procedure on; a job carrying an older
 *   generation (a retry after a worker died, say) finds it stale and does nothing. `version`
 *   grows on every change so that watchers notice changes with one integer comparison.
 * - funeral_payouts: the payout instruction to the claimant; at most one per deceased.
 */
export class LinkedProcedures1763900002000 implements MigrationInterface {
  name = 'LinkedProcedures1763900002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE vss.civil_events (
        office_code text NOT NULL,
        event_id text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('BIRTH', 'DEATH')),
        registration_number text NOT NULL,
        registration_date date NOT NULL,
        subject_citizen_id text NOT NULL CHECK (subject_citizen_id ~ '^[0-9]{12}$'),
        payload jsonb NOT NULL,
        -- SHA-256 of the normalised content: same ID and fingerprint is a repeat, not a new event.
        fingerprint text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (office_code, event_id)
      )`);
    await q.query(`
      CREATE TABLE vss.procedures (
        procedure_id uuid PRIMARY KEY,
        -- Acceptance order: the keyset of listings and the tie-break between two death events.
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        kind text NOT NULL CHECK (kind IN ('BIRTH', 'DEATH')),
        state text NOT NULL CHECK (state IN
          ('ACCEPTED', 'RUNNING', 'WAITING_RETRY', 'NEEDS_REVIEW', 'COMPLETED', 'RESOLVED')),
        office_code text NOT NULL,
        event_id text NOT NULL,
        subject_citizen_id text NOT NULL,
        current_step text,
        job_seq integer NOT NULL DEFAULT 1,
        version integer NOT NULL DEFAULT 1,
        review_reason text,
        resolution_note text,
        issued_social_insurance_code text,
        funeral_allowance_vnd bigint,
        funeral_allowance_basis text,
        funeral_cost_support_vnd bigint,
        funeral_cost_support_basis text,
        payout_id uuid,
        accepted_on date NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (office_code, event_id),
        FOREIGN KEY (office_code, event_id) REFERENCES vss.civil_events
      )`);
    await q.query(`CREATE INDEX procedures_state_idx ON vss.procedures (state, seq)`);
    await q.query(`CREATE INDEX procedures_office_idx ON vss.procedures (office_code, seq)`);
    await q.query(`CREATE INDEX procedures_accepted_idx ON vss.procedures (accepted_on, seq)`);
    await q.query(`CREATE INDEX procedures_subject_idx ON vss.procedures (subject_citizen_id, kind)`);
    await q.query(`
      CREATE TABLE vss.procedure_steps (
        procedure_id uuid NOT NULL REFERENCES vss.procedures ON DELETE CASCADE,
        position smallint NOT NULL,
        name text NOT NULL,
        state text NOT NULL DEFAULT 'PENDING'
          CHECK (state IN ('PENDING', 'RUNNING', 'DONE', 'FAILED', 'SKIPPED')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        outcome text,
        started_at timestamptz,
        finished_at timestamptz,
        PRIMARY KEY (procedure_id, position),
        UNIQUE (procedure_id, name)
      )`);
    await q.query(`
      CREATE TABLE vss.funeral_payouts (
        payout_id uuid PRIMARY KEY,
        procedure_id uuid NOT NULL UNIQUE REFERENCES vss.procedures,
        -- At most one payout per deceased, whichever office reported the death.
        deceased_citizen_id text NOT NULL UNIQUE,
        date_of_death date NOT NULL,
        claimant_citizen_id text NOT NULL,
        claimant_name text NOT NULL,
        claimant_relationship text NOT NULL,
        bank_code text NOT NULL,
        account_number text NOT NULL,
        account_holder text NOT NULL,
        funeral_allowance_vnd bigint NOT NULL CHECK (funeral_allowance_vnd >= 0),
        funeral_cost_support_vnd bigint NOT NULL CHECK (funeral_cost_support_vnd >= 0),
        total_vnd bigint NOT NULL CHECK (total_vnd > 0),
        status text NOT NULL DEFAULT 'INSTRUCTED',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Serials of social insurance codes issued to newborns; a serial that collides with an
    // existing code (codes from other sources are scattered over the same space) is skipped.
    await q.query(`CREATE SEQUENCE vss.child_insurance_serial_seq START WITH 90000001 MAXVALUE 99999999`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SEQUENCE vss.child_insurance_serial_seq`);
    await q.query(`DROP TABLE vss.funeral_payouts`);
    await q.query(`DROP TABLE vss.procedure_steps`);
    await q.query(`DROP TABLE vss.procedures`);
    await q.query(`DROP TABLE vss.civil_events`);
  }
}
