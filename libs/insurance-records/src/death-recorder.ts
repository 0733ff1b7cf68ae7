import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { benefitStopDate, paymentsToRecover } from '@vss/domain';
import { lockPerson, type PersonKey } from './person-lock';

/** Who learnt of the death: named on every payment flagged for recovery. */
export type DeathSource =
  { kind: 'PROCEDURE'; procedureId: string } | { kind: 'RECONCILIATION'; runId: string; findingId: string };

/** What recording a death changed. */
export interface RecordedDeath {
  /** The records of the person that were found (none: VSS does not know them). */
  records: number;
  /** False when every record already had this death recorded: the call changed nothing. */
  changed: boolean;
  cardsEnded: string[];
  benefitsStopped: string[];
  stoppedFrom: string;
  paymentsFlagged: { id: string; period: string; amountVnd: number }[];
  amountToRecoverVnd: number;
}

/** The one stop reason of a benefit stopped by a death, whoever recorded it. */
export const DEATH_STOP_REASON = 'DECEASED';

function sourceLabel(source: DeathSource): string {
  return source.kind === 'PROCEDURE'
    ? `procedure ${source.procedureId}`
    : `reconciliation run ${source.runId}, finding ${source.findingId}`;
}

/**
 * The one place a death is recorded on the insurance side, for the death procedure and for an
 * applied DECEASED_BUT_ACTIVE finding alike: under the person's lock, every record of the
 * person is marked deceased on the date, every card ends on it (an end date later than the
 * death is brought forward), every monthly benefit stops from the month after it, and every
 * payment for a period after it is flagged for recovery. Running it again, from either path,
 * changes nothing more; its effects are those of the first run.
 */
@Injectable()
export class DeathRecorder {
  async record(
    client: PoolClient,
    person: PersonKey,
    dateOfDeath: string,
    source: DeathSource,
  ): Promise<RecordedDeath> {
    await lockPerson(client, person);
    const [column, value] =
      'citizenId' in person
        ? ['citizen_id', person.citizenId]
        : ['social_insurance_code', person.socialInsuranceCode];
    const marked = await client.query<{ code: string; changed: boolean }>(
      `WITH target AS (
         SELECT social_insurance_code, deceased_on IS DISTINCT FROM $2::date AS changed
           FROM vss.participants WHERE ${column} = $1 FOR UPDATE),
       upd AS (
         UPDATE vss.participants p SET deceased_on = $2, updated_at = now()
           FROM target t WHERE p.social_insurance_code = t.social_insurance_code AND t.changed)
       SELECT social_insurance_code AS code, changed FROM target ORDER BY social_insurance_code`,
      [value, dateOfDeath],
    );
    const codes = marked.rows.map((r) => r.code);
    const stoppedFrom = benefitStopDate(dateOfDeath);
    if (codes.length === 0) {
      return emptyResult(stoppedFrom);
    }
    const cards = await client.query<{ code: string }>(
      `UPDATE vss.hi_cards SET ended_on = $2, updated_at = now()
        WHERE social_insurance_code = ANY($1::text[]) AND (ended_on IS NULL OR ended_on > $2::date)
        RETURNING social_insurance_code AS code`,
      [codes, dateOfDeath],
    );
    const benefits = await client.query<{ kind: string }>(
      `UPDATE vss.benefits SET stopped_from = $2, stop_reason = $3
        WHERE social_insurance_code = ANY($1::text[]) AND (stopped_from IS NULL OR stopped_from > $2::date)
        RETURNING kind`,
      [codes, stoppedFrom, DEATH_STOP_REASON],
    );
    const unflagged = await client.query<{ id: string; period: string; amount_vnd: string }>(
      `SELECT payment_id::text AS id, period, amount_vnd::text FROM vss.benefit_payments
        WHERE social_insurance_code = ANY($1::text[]) AND recovery_flagged_at IS NULL`,
      [codes],
    );
    const toRecover = paymentsToRecover(
      unflagged.rows.map((p) => ({ id: p.id, period: p.period, amountVnd: Number(p.amount_vnd) })),
      dateOfDeath,
    );
    if (toRecover.length > 0) {
      await client.query(
        `UPDATE vss.benefit_payments SET recovery_flagged_at = now(), recovery_reason = $2
          WHERE payment_id = ANY($1::bigint[])`,
        [toRecover.map((p) => p.id), `paid after death on ${dateOfDeath} (${sourceLabel(source)})`],
      );
    }
    const cardsEnded = cards.rows.map((r) => r.code);
    const benefitsStopped = benefits.rows.map((r) => r.kind);
    return {
      records: codes.length,
      changed:
        marked.rows.some((r) => r.changed) ||
        cardsEnded.length > 0 ||
        benefitsStopped.length > 0 ||
        toRecover.length > 0,
      cardsEnded,
      benefitsStopped,
      stoppedFrom,
      paymentsFlagged: toRecover,
      amountToRecoverVnd: toRecover.reduce((sum, p) => sum + p.amountVnd, 0),
    };
  }
}

function emptyResult(stoppedFrom: string): RecordedDeath {
  return {
    records: 0,
    changed: false,
    cardsEnded: [],
    benefitsStopped: [],
    stoppedFrom,
    paymentsFlagged: [],
    amountToRecoverVnd: 0,
  };
}
