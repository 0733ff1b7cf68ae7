import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { benefitStopDate, paymentsToRecover } from '@vss/domain';
import { InsuranceRecordsRepository, type PersonKey } from './insurance-records.repository';

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
 * changes nothing more; its effects are those of the first run. The SQL is the repository's.
 */
@Injectable()
export class DeathRecorder {
  constructor(private readonly records: InsuranceRecordsRepository) {}

  async record(
    client: PoolClient,
    person: PersonKey,
    dateOfDeath: string,
    source: DeathSource,
  ): Promise<RecordedDeath> {
    await this.records.lockPerson(client, person);
    const marked = await this.records.markDeceased(client, person, dateOfDeath);
    const codes = marked.map((r) => r.code);
    const stoppedFrom = benefitStopDate(dateOfDeath);
    if (codes.length === 0) return emptyResult(stoppedFrom);
    const cardsEnded = await this.records.endCards(client, codes, dateOfDeath);
    const benefitsStopped = await this.records.stopBenefits(client, codes, stoppedFrom, DEATH_STOP_REASON);
    const toRecover = paymentsToRecover(await this.records.unflaggedPayments(client, codes), dateOfDeath);
    if (toRecover.length > 0) {
      await this.records.flagForRecovery(
        client,
        toRecover.map((p) => p.id),
        dateOfDeath,
        `paid after death on ${dateOfDeath} (${sourceLabel(source)})`,
      );
    }
    return {
      records: codes.length,
      changed:
        marked.some((r) => r.changed) ||
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
