import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '@vss/platform';

/** One of the person's participant records, with its card. */
export interface PersonParticipant {
  socialInsuranceCode: string;
  fullName: string;
  dateOfBirth: string;
  gender: 'M' | 'F';
  provinceCode: string;
  deceasedOn: string | null;
  card: {
    objectGroup: string;
    benefitLevelPercent: number;
    validFrom: string;
    validTo: string | null;
    primaryCareFacilityCode: string;
    suspended: boolean;
    endedOn: string | null;
  } | null;
}

export interface PersonBenefit {
  socialInsuranceCode: string;
  kind: string;
  monthlyAmountVnd: string;
  startedOn: string;
  stoppedFrom: string | null;
  stopReason: string | null;
}

export interface PersonPayment {
  socialInsuranceCode: string;
  kind: string;
  period: string;
  amountVnd: string;
  paidOn: string;
  recoveryFlagged: boolean;
  recoveryReason: string | null;
}

export interface PersonPayout {
  payoutId: string;
  procedureId: string;
  dateOfDeath: string;
  totalVnd: string;
  status: string;
  createdAt: string;
}

/** A month of a benefit owed after a stop that should not have been (a revoked or corrected death). */
export interface PersonArrear {
  socialInsuranceCode: string;
  kind: string;
  period: string;
  amountVnd: string;
  basis: string;
  procedureId: string;
}

/** Everything VSS keeps about one person, by citizen ID, for an officer's page. */
export interface PersonRecords {
  participants: PersonParticipant[];
  benefits: PersonBenefit[];
  /** The latest monthly payments (newest first, at most `paymentLimit`). */
  payments: PersonPayment[];
  /** A funeral payout ordered for the person's death. */
  payouts: PersonPayout[];
  /** Months owed as arrears, oldest first. */
  arrears: PersonArrear[];
}

/** Reads a person's insurance records whole: participants and cards, benefits, payments, payouts. */
@Injectable()
export class PersonRecordsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async recordsOf(citizenId: string, paymentLimit = 24): Promise<PersonRecords> {
    const { rows } = await this.pool.query<{ records: PersonRecords }>(
      `WITH codes AS (SELECT social_insurance_code FROM vss.participants WHERE citizen_id = $1)
       SELECT json_build_object(
         'participants', (SELECT coalesce(json_agg(json_build_object(
             'socialInsuranceCode', p.social_insurance_code, 'fullName', p.full_name,
             'dateOfBirth', p.date_of_birth, 'gender', p.gender, 'provinceCode', p.province_code,
             'deceasedOn', p.deceased_on::text,
             'card', CASE WHEN c.social_insurance_code IS NULL THEN NULL ELSE json_build_object(
               'objectGroup', c.object_group, 'benefitLevelPercent', c.benefit_level_percent,
               'validFrom', c.valid_from::text, 'validTo', c.valid_to::text,
               'primaryCareFacilityCode', c.primary_care_facility_code, 'suspended', c.suspended,
               'endedOn', c.ended_on::text) END) ORDER BY p.social_insurance_code), '[]')
           FROM vss.participants p LEFT JOIN vss.hi_cards c USING (social_insurance_code)
           WHERE p.citizen_id = $1),
         'benefits', (SELECT coalesce(json_agg(json_build_object(
             'socialInsuranceCode', b.social_insurance_code, 'kind', b.kind,
             'monthlyAmountVnd', b.monthly_amount_vnd::text, 'startedOn', b.started_on::text,
             'stoppedFrom', b.stopped_from::text, 'stopReason', b.stop_reason)
             ORDER BY b.social_insurance_code, b.kind), '[]')
           FROM vss.benefits b WHERE b.social_insurance_code IN (SELECT social_insurance_code FROM codes)),
         'payments', (SELECT coalesce(json_agg(x ORDER BY x.period DESC, x.kind), '[]') FROM (
             SELECT bp.social_insurance_code AS "socialInsuranceCode", bp.kind, bp.period,
                    bp.amount_vnd::text AS "amountVnd", bp.paid_on::text AS "paidOn",
                    bp.recovery_flagged_at IS NOT NULL AS "recoveryFlagged", bp.recovery_reason AS "recoveryReason"
               FROM vss.benefit_payments bp
              WHERE bp.social_insurance_code IN (SELECT social_insurance_code FROM codes)
              ORDER BY bp.period DESC LIMIT $2) x),
         'payouts', (SELECT coalesce(json_agg(json_build_object(
             'payoutId', f.payout_id, 'procedureId', f.procedure_id, 'dateOfDeath', f.date_of_death::text,
             'totalVnd', f.total_vnd::text, 'status', f.status, 'createdAt', f.created_at)), '[]')
           FROM vss.funeral_payouts f WHERE f.deceased_citizen_id = $1),
         'arrears', (SELECT coalesce(json_agg(json_build_object(
             'socialInsuranceCode', a.social_insurance_code, 'kind', a.kind, 'period', a.period,
             'amountVnd', a.amount_vnd::text, 'basis', a.basis, 'procedureId', a.procedure_id)
             ORDER BY a.period, a.kind), '[]')
           FROM vss.benefit_arrears a WHERE a.social_insurance_code IN (SELECT social_insurance_code FROM codes))
       ) AS records`,
      [citizenId, paymentLimit],
    );
    return rows[0].records;
  }
}
