import type { MigrationInterface, QueryRunner } from 'typeorm';
import { PROVINCES } from '@vss/domain';

/**
 * Authority: the civil registry offices as registered parties with the area they serve, the
 * named operators who act through admin credentials, and the approvals a second person gives.
 *
 * - `civil_registry_offices`: seeded with the offices of the demo population, three per
 *   province: the Department of Justice (Sở Tư pháp, province level) and two commune People's
 *   Committees. A real deployment loads the Ministry of Justice's list instead.
 * - `operators`: people, with their roles; admin keys and certificates name one, and stop
 *   working when the operator is disabled (the key's change is announced like a revocation).
 * - `approvals`: one row per thing held for a second person; its state changes once.
 * - procedures may wait for approval (AWAITING_APPROVAL) or end rejected (REJECTED); the holds
 *   an approver released are kept on the procedure so that the step that held runs on.
 */
export class Authority1763900011000 implements MigrationInterface {
  name = 'Authority1763900011000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE vss.civil_registry_offices (
        office_code text PRIMARY KEY CHECK (office_code ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
        name text NOT NULL,
        level text NOT NULL CHECK (level IN ('PROVINCE', 'DISTRICT', 'COMMUNE')),
        province_code text NOT NULL CHECK (province_code ~ '^[0-9]{3}$'),
        district_code text,
        commune_code text,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    const rows = PROVINCES.flatMap((p) => [
      [`STP-${p.code}`, `Sở Tư pháp ${p.name}`, 'PROVINCE', p.code],
      [`UBND-${p.code}-00001`, `UBND phường Trung tâm 1, ${p.name}`, 'COMMUNE', p.code],
      [`UBND-${p.code}-00002`, `UBND xã Trung tâm 2, ${p.name}`, 'COMMUNE', p.code],
    ]);
    await q.query(
      `INSERT INTO vss.civil_registry_offices (office_code, name, level, province_code)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])`,
      [0, 1, 2, 3].map((i) => rows.map((r) => r[i])),
    );
    await q.query(`
      CREATE TABLE vss.operators (
        operator_id uuid PRIMARY KEY,
        login text NOT NULL UNIQUE CHECK (login ~ '^[a-z][a-z0-9._-]{1,63}$'),
        display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
        roles text[] NOT NULL CHECK (cardinality(roles) > 0
          AND roles <@ ARRAY['operator', 'reviewer', 'approver', 'auditor', 'security-admin']),
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        disabled_at timestamptz,
        disabled_by text,
        CHECK (active = (disabled_at IS NULL))
      )`);
    await q.query(`ALTER TABLE vss.api_keys ADD COLUMN operator_id uuid REFERENCES vss.operators`);
    await q.query(`ALTER TABLE vss.api_keys ADD COLUMN expires_at timestamptz`);
    await q.query(`ALTER TABLE vss.client_certificates ADD COLUMN operator_id uuid REFERENCES vss.operators`);
    // New admin credentials name their operator; keys issued before stay valid but act as no one
    // (they cannot approve), until rotated.
    await q.query(`ALTER TABLE vss.api_keys ADD CONSTRAINT api_keys_admin_operator
      CHECK (role <> 'admin' OR operator_id IS NOT NULL) NOT VALID`);
    await q.query(`ALTER TABLE vss.client_certificates ADD CONSTRAINT client_certificates_admin_operator
      CHECK (role <> 'admin' OR operator_id IS NOT NULL) NOT VALID`);
    // An operator disabled, or given other roles, is heard by every gateway as a change of each of
    // their credentials: cached verifications are dropped at once.
    await q.query(`
      CREATE FUNCTION vss.operator_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('vss_api_keys_changed', key_id) FROM vss.api_keys WHERE operator_id = NEW.operator_id;
        PERFORM pg_notify('vss_client_certificates_changed', fingerprint256)
          FROM vss.client_certificates WHERE operator_id = NEW.operator_id;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER operators_changed AFTER UPDATE ON vss.operators
      FOR EACH ROW EXECUTE FUNCTION vss.operator_changed()`);
    await q.query(
      `CREATE INDEX api_keys_operator_idx ON vss.api_keys (operator_id) WHERE operator_id IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE vss.approvals (
        approval_id uuid PRIMARY KEY,
        -- What is held: a procedure at a step, or an application of a run's findings.
        subject_kind text NOT NULL CHECK (subject_kind IN ('PROCEDURE', 'FINDINGS')),
        subject_id text NOT NULL,
        hold text NOT NULL,
        -- Why, in words that may be shown to the requester.
        reason text NOT NULL,
        detail jsonb NOT NULL DEFAULT '{}',
        office_code text,
        requested_by text NOT NULL,
        requested_by_operator uuid REFERENCES vss.operators,
        state text NOT NULL DEFAULT 'PENDING' CHECK (state IN ('PENDING', 'APPROVED', 'REJECTED')),
        decided_by text,
        decided_by_operator uuid REFERENCES vss.operators,
        decided_at timestamptz,
        note text,
        -- What the decision did, in words (e.g. findings applied, persons found alive again).
        outcome text,
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (subject_kind, subject_id, hold),
        CHECK ((state = 'PENDING') = (decided_at IS NULL)),
        CHECK (state = 'PENDING' OR decided_by_operator IS NOT NULL),
        CHECK (decided_by_operator IS NULL OR decided_by_operator IS DISTINCT FROM requested_by_operator)
      )`);
    await q.query(`CREATE INDEX approvals_state_idx ON vss.approvals (state, seq)`);
    await q.query(`ALTER TABLE vss.procedures DROP CONSTRAINT procedures_state_check`);
    await q.query(`
      ALTER TABLE vss.procedures ADD CONSTRAINT procedures_state_check CHECK (state IN
        ('ACCEPTED', 'RUNNING', 'WAITING_RETRY', 'NEEDS_REVIEW', 'AWAITING_APPROVAL', 'COMPLETED',
         'RESOLVED', 'REJECTED'))`);
    await q.query(`ALTER TABLE vss.procedures ADD COLUMN released_holds text[] NOT NULL DEFAULT '{}'`);
    await q.query(`ALTER TABLE vss.procedures ADD COLUMN approval_id uuid`);
    // The checks of a payout: the same account or claimant paid for another death, an office's
    // payouts of the day.
    await q.query(`ALTER TABLE vss.funeral_payouts ADD COLUMN office_code text`);
    await q.query(`CREATE INDEX funeral_payouts_office_idx ON vss.funeral_payouts (office_code, created_at)`);
    await q.query(
      `CREATE INDEX funeral_payouts_account_idx ON vss.funeral_payouts (bank_code, account_number, created_at)`,
    );
    await q.query(
      `CREATE INDEX funeral_payouts_claimant_idx ON vss.funeral_payouts (claimant_citizen_id, created_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX vss.funeral_payouts_office_idx`);
    await q.query(`ALTER TABLE vss.funeral_payouts DROP COLUMN office_code`);
    await q.query(`DROP INDEX vss.funeral_payouts_claimant_idx`);
    await q.query(`DROP INDEX vss.funeral_payouts_account_idx`);
    await q.query(`ALTER TABLE vss.procedures DROP COLUMN approval_id`);
    await q.query(`ALTER TABLE vss.procedures DROP COLUMN released_holds`);
    await q.query(`ALTER TABLE vss.procedures DROP CONSTRAINT procedures_state_check`);
    await q.query(`
      ALTER TABLE vss.procedures ADD CONSTRAINT procedures_state_check CHECK (state IN
        ('ACCEPTED', 'RUNNING', 'WAITING_RETRY', 'NEEDS_REVIEW', 'COMPLETED', 'RESOLVED'))`);
    await q.query(`DROP TABLE vss.approvals`);
    await q.query(`DROP TRIGGER operators_changed ON vss.operators`);
    await q.query(`DROP FUNCTION vss.operator_changed`);
    await q.query(`ALTER TABLE vss.client_certificates DROP CONSTRAINT client_certificates_admin_operator`);
    await q.query(`ALTER TABLE vss.api_keys DROP CONSTRAINT api_keys_admin_operator`);
    await q.query(`ALTER TABLE vss.client_certificates DROP COLUMN operator_id`);
    await q.query(`ALTER TABLE vss.api_keys DROP COLUMN expires_at`);
    await q.query(`ALTER TABLE vss.api_keys DROP COLUMN operator_id`);
    await q.query(`DROP TABLE vss.operators`);
    await q.query(`DROP TABLE vss.civil_registry_offices`);
  }
}
