import type { Pool, PoolClient } from 'pg';

/**
 * Rows of the insurance records for medium tests, written by their owner's test code: a test of
 * another feature that needs a participant or a card asks for one here, never inserts it itself.
 */
type Queryable = Pool | PoolClient;

export interface NewFacility {
  facilityCode: string;
  name?: string;
  provinceCode?: string;
}

export async function newFacility(db: Queryable, f: NewFacility): Promise<void> {
  await db.query(`INSERT INTO vss.facilities (facility_code, name, province_code) VALUES ($1, $2, $3)`, [
    f.facilityCode,
    f.name ?? 'Bệnh viện',
    f.provinceCode ?? f.facilityCode.slice(0, 2).padStart(3, '0'),
  ]);
}

export interface NewParticipant {
  socialInsuranceCode: string;
  citizenId?: string | null;
  legacyId?: string | null;
  fullName?: string;
  /** As insurance data holds it: `1970`, `03/1970`, `1970-03-12` … */
  dateOfBirth?: string;
  gender?: 'M' | 'F';
  provinceCode?: string;
}

/** Participants (vss.participants), in one statement however many. */
export async function newParticipants(db: Queryable, participants: readonly NewParticipant[]): Promise<void> {
  const column = <K extends keyof NewParticipant>(key: K, fallback: NewParticipant[K]) =>
    participants.map((p) => p[key] ?? fallback);
  await db.query(
    `INSERT INTO vss.participants (social_insurance_code, citizen_id, legacy_id, full_name, date_of_birth, gender,
       province_code)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])`,
    [
      column('socialInsuranceCode', ''),
      column('citizenId', null),
      column('legacyId', null),
      column('fullName', 'Nguyễn Văn An'),
      column('dateOfBirth', '1970'),
      column('gender', 'M'),
      column('provinceCode', '001'),
    ],
  );
}

export const newParticipant = (db: Queryable, p: NewParticipant) => newParticipants(db, [p]);

export interface NewCard {
  socialInsuranceCode: string;
  objectGroup?: string;
  benefitLevelPercent?: number;
  validFrom?: string;
  validTo?: string;
  primaryCareFacilityCode: string;
}

export async function newCard(db: Queryable, c: NewCard): Promise<void> {
  await db.query(
    `INSERT INTO vss.hi_cards (social_insurance_code, object_group, benefit_level_percent, valid_from, valid_to,
       primary_care_facility_code) VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      c.socialInsuranceCode,
      c.objectGroup ?? 'HT',
      c.benefitLevelPercent ?? 95,
      c.validFrom ?? '2024-01-01',
      c.validTo ?? '2030-12-31',
      c.primaryCareFacilityCode,
    ],
  );
}

export interface NewBenefit {
  socialInsuranceCode: string;
  kind?: string;
  monthlyAmountVnd?: number;
  startedOn?: string;
  /** Periods (YYYY-MM) paid on the 5th of each, at the monthly amount. */
  paidPeriods?: readonly string[];
}

/** A monthly benefit and the payments made of it. */
export async function newBenefit(db: Queryable, b: NewBenefit): Promise<void> {
  const kind = b.kind ?? 'PENSION';
  const amount = b.monthlyAmountVnd ?? 5_000_000;
  await db.query(
    `INSERT INTO vss.benefits (social_insurance_code, kind, monthly_amount_vnd, started_on) VALUES ($1, $2, $3, $4)`,
    [b.socialInsuranceCode, kind, amount, b.startedOn ?? '2010-01-01'],
  );
  for (const period of b.paidPeriods ?? []) {
    await db.query(
      `INSERT INTO vss.benefit_payments (social_insurance_code, kind, period, amount_vnd, paid_on)
       VALUES ($1, $2, $3, $4, ($3 || '-05')::date)`,
      [b.socialInsuranceCode, kind, period, amount],
    );
  }
}
