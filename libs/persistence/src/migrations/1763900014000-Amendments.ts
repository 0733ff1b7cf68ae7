import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The participants' coverage trigger (CoverageChangeFeedBulk), comparing the columns the lookup reads. */
const participantsFeed = (columns: string) => `
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
         WHERE (${columns.replace(/\$/g, 'o.')}) IS DISTINCT FROM (${columns.replace(/\$/g, 'n.')})
        UNION
        SELECT n.citizen_id FROM old_rows o JOIN new_rows n USING (social_insurance_code)
         WHERE (${columns.replace(/\$/g, 'o.')}) IS DISTINCT FROM (${columns.replace(/\$/g, 'n.')})
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
  END $$`;
const LOOKUP_COLUMNS = '$citizen_id, $full_name, $date_of_birth, $gender, $deceased_on';

const KINDS = `('BIRTH', 'DEATH', 'DEATH_REVOCATION', 'DEATH_CORRECTION', 'BIRTH_REVOCATION', 'BIRTH_CORRECTION')`;

/**
 * Registrations undone or corrected by the office that filed them, and what that compensates.
 *
 * - civil_events / procedures take the four amendment kinds; a procedure of one names the
 *   procedure of the registration it amends (`original_procedure_id`), so each links to the other.
 * - `participants.death_revocation_procedure`: the approved revocation of the person's death that
 *   is restoring their records, set from its approval until coverage is reinstated, so that a
 *   clinic's lookup says so instead of "deceased"; the coverage feed's trigger compares it too.
 * - `benefit_payments.recovery_death_on`: the date of death that flagged a payment for recovery
 *   (filled from the reason of payments flagged before), so that a revoked or corrected death
 *   unflags exactly what it flagged.
 * - `benefit_arrears`: months of a benefit owed after a stop that should not have been, with the
 *   amount in force then and why; one per benefit and month.
 * - Funeral payouts are INSTRUCTED, PAID (the paying office confirmed it) or CANCELLED (the death
 *   was revoked before payment); at most one that is not cancelled per deceased.
 *   `funeral_adjustments`: a funeral benefit re-decided after a corrected date of death, the
 *   difference owed either way (recovery is decided by a person).
 * - `hi_cards.end_reason` (why `ended_on` is set: DECEASED, or REGISTRATION_REVOKED) and
 *   `reissued_at` (a corrected birth reissued the card).
 */
export class Amendments1763900014000 implements MigrationInterface {
  name = 'Amendments1763900014000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE vss.civil_events DROP CONSTRAINT civil_events_kind_check,
                     ADD CONSTRAINT civil_events_kind_check CHECK (kind IN ${KINDS})`);
    await q.query(`ALTER TABLE vss.procedures DROP CONSTRAINT procedures_kind_check,
                     ADD CONSTRAINT procedures_kind_check CHECK (kind IN ${KINDS}),
                     ADD COLUMN original_procedure_id uuid REFERENCES vss.procedures`);
    await q.query(
      `CREATE INDEX procedures_original_idx ON vss.procedures (original_procedure_id, seq)
         WHERE original_procedure_id IS NOT NULL`,
    );
    await q.query(`ALTER TABLE vss.participants ADD COLUMN death_revocation_procedure uuid`);
    // The lookup reads it: a change to it drops the gateways' cached answers like a change of death.
    await q.query(participantsFeed(`${LOOKUP_COLUMNS}, $death_revocation_procedure`));
    await q.query(`ALTER TABLE vss.benefit_payments ADD COLUMN recovery_death_on date`);
    await q.query(`UPDATE vss.benefit_payments
                      SET recovery_death_on = substring(recovery_reason FROM 'paid after death on ([0-9]{4}-[0-9]{2}-[0-9]{2})')::date
                    WHERE recovery_flagged_at IS NOT NULL`);
    await q.query(`
      CREATE TABLE vss.benefit_arrears (
        social_insurance_code text NOT NULL,
        kind text NOT NULL,
        period text NOT NULL CHECK (period ~ '^[0-9]{4}-[0-9]{2}$'),
        amount_vnd bigint NOT NULL CHECK (amount_vnd > 0),
        basis text NOT NULL,
        procedure_id uuid NOT NULL REFERENCES vss.procedures,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (social_insurance_code, kind, period),
        FOREIGN KEY (social_insurance_code, kind) REFERENCES vss.benefits ON DELETE CASCADE
      )`);
    await q.query(`ALTER TABLE vss.funeral_payouts DROP CONSTRAINT funeral_payouts_deceased_citizen_id_key,
                     ADD CONSTRAINT funeral_payouts_status_check CHECK (status IN ('INSTRUCTED', 'PAID', 'CANCELLED')),
                     ADD COLUMN paid_on date,
                     ADD COLUMN payment_reference text,
                     ADD COLUMN cancelled_at timestamptz,
                     ADD COLUMN cancel_reason text,
                     ADD CONSTRAINT funeral_payouts_paid_check CHECK ((status = 'PAID') = (paid_on IS NOT NULL))`);
    await q.query(`CREATE UNIQUE INDEX funeral_payouts_deceased_idx ON vss.funeral_payouts (deceased_citizen_id)
                     WHERE status <> 'CANCELLED'`);
    await q.query(`
      CREATE TABLE vss.funeral_adjustments (
        procedure_id uuid PRIMARY KEY REFERENCES vss.procedures,
        payout_id uuid REFERENCES vss.funeral_payouts,
        deceased_citizen_id text NOT NULL,
        decided_vnd bigint NOT NULL,
        due_vnd bigint NOT NULL,
        difference_vnd bigint NOT NULL,
        direction text NOT NULL CHECK (direction IN ('OWED_TO_CLAIMANT', 'TO_RECOVER', 'NONE')),
        basis text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`ALTER TABLE vss.hi_cards ADD COLUMN end_reason text
                     CHECK (end_reason IN ('DECEASED', 'REGISTRATION_REVOKED')),
                     ADD COLUMN reissued_at timestamptz`);
    await q.query(`UPDATE vss.hi_cards SET end_reason = 'DECEASED' WHERE ended_on IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE vss.hi_cards DROP COLUMN end_reason, DROP COLUMN reissued_at`);
    await q.query(`DROP TABLE vss.funeral_adjustments`);
    await q.query(`DROP INDEX vss.funeral_payouts_deceased_idx`);
    await q.query(`ALTER TABLE vss.funeral_payouts DROP CONSTRAINT funeral_payouts_paid_check,
                     DROP CONSTRAINT funeral_payouts_status_check, DROP COLUMN paid_on, DROP COLUMN payment_reference,
                     DROP COLUMN cancelled_at, DROP COLUMN cancel_reason,
                     ADD CONSTRAINT funeral_payouts_deceased_citizen_id_key UNIQUE (deceased_citizen_id)`);
    await q.query(`DROP TABLE vss.benefit_arrears`);
    await q.query(`ALTER TABLE vss.benefit_payments DROP COLUMN recovery_death_on`);
    await q.query(participantsFeed(LOOKUP_COLUMNS));
    await q.query(`ALTER TABLE vss.participants DROP COLUMN death_revocation_procedure`);
    await q.query(`DROP INDEX vss.procedures_original_idx`);
    await q.query(`ALTER TABLE vss.procedures DROP COLUMN original_procedure_id, DROP CONSTRAINT procedures_kind_check,
                     ADD CONSTRAINT procedures_kind_check CHECK (kind IN ('BIRTH', 'DEATH'))`);
    await q.query(`ALTER TABLE vss.civil_events DROP CONSTRAINT civil_events_kind_check,
                     ADD CONSTRAINT civil_events_kind_check CHECK (kind IN ('BIRTH', 'DEATH'))`);
  }
}
