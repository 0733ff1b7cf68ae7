import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import {
  amountInForce,
  arrearsOwed,
  arrearsThrough,
  benefitStopDate,
  compareDates,
  correctDeathDate,
  type IsoDate,
  type MonthOwed,
  monthOf,
} from '@vss/domain';
import { InsuranceRecordsRepository } from './insurance-records.repository';
import { RecordAmendmentsRepository } from './record-amendments.repository';

/** Months owed of one benefit. */
export type BenefitArrears = { code: string; kind: string; months: MonthOwed[] };

/** What undoing or moving a death changed; `conflict` when the records no longer stand as the death left them. */
export type AmendedDeath =
  | { conflict: string }
  | {
      records: number;
      cardsChanged: string[];
      benefitsChanged: string[];
      arrears: BenefitArrears[];
      arrearsVnd: number;
      paymentsUnflagged: number;
      amountUnflaggedVnd: number;
      paymentsFlagged: number;
    };

const total = (arrears: readonly BenefitArrears[]) =>
  arrears.reduce((sum, a) => sum + a.months.reduce((s, m) => s + m.amountVnd, 0), 0);

/**
 * Undoes or moves a death in the insurance records, for a revoked or corrected death
 * registration: the counterpart of DeathRecorder, under the same person lock. It changes only
 * what a death on that date did (cards ended on it, benefits stopped for it, payments flagged
 * for it), and refuses — as a conflict, for a person to decide — when the records say the world
 * moved since: another date of death recorded, a card issued after the death.
 */
@Injectable()
export class DeathAmendments {
  constructor(
    private readonly records: InsuranceRecordsRepository,
    private readonly amendments: RecordAmendmentsRepository,
  ) {}

  /** From the revocation's approval until it completes, the person's lookups say so. */
  async revocationApproved(client: PoolClient, citizenId: string, procedureId: string): Promise<void> {
    await this.records.lockPerson(client, { citizenId });
    await this.amendments.markRevocationApproved(client, citizenId, procedureId);
  }

  /** A revocation closed by a person before it reinstated the records: the lookups stop saying so. */
  async revocationClosed(client: PoolClient, procedureId: string): Promise<void> {
    await this.amendments.clearRevocation(client, procedureId);
  }

  /**
   * A death that never happened: records alive, cards ended by it valid again, benefits it
   * stopped running at today's amount, every month stopped through `today`'s owed unless paid,
   * payments it flagged unflagged.
   */
  async revoke(
    client: PoolClient,
    citizenId: string,
    dateOfDeath: IsoDate,
    procedureId: string,
    today: IsoDate,
  ): Promise<AmendedDeath> {
    const found = await this.lockedRecords(client, citizenId, dateOfDeath);
    if ('conflict' in found) return found;
    const { codes } = found;
    if (codes.length === 0) return empty();
    const newer = (await this.amendments.cards(client, codes)).find(
      (c) => c.endedOn === null && compareDates(c.validFrom, dateOfDeath) > 0,
    );
    if (newer) {
      return {
        conflict:
          `a card was issued since the death (social insurance code ${newer.code}, valid from ${newer.validFrom}): ` +
          'reinstating the ended card would give the person two; VSS decides which card stands',
      };
    }
    await this.amendments.setDeceasedOn(client, codes, null);
    const cardsChanged = await this.amendments.moveCardEnds(client, codes, dateOfDeath, null);
    const unflaggedIds = await this.amendments.paymentsFlaggedFor(client, codes, dateOfDeath);
    const amountUnflaggedVnd = await this.amendments.unflag(client, unflaggedIds);
    const stoppedFrom = benefitStopDate(dateOfDeath);
    const arrears: BenefitArrears[] = [];
    for (const benefit of await this.amendments.stoppedBenefits(client, codes, stoppedFrom)) {
      const through = arrearsThrough(today);
      const paidPeriods = (await this.amendments.payments(client, benefit)).map((p) => p.period);
      const months = arrearsOwed({
        stoppedFrom,
        through,
        monthlyAmountVnd: benefit.monthlyAmountVnd,
        paidPeriods,
      });
      const now = amountInForce(benefit.monthlyAmountVnd, stoppedFrom, monthOf(today)).amountVnd;
      await this.amendments.restartBenefit(client, benefit, { monthlyAmountVnd: now });
      await this.amendments.recordArrears(client, benefit, months, procedureId);
      arrears.push({ code: benefit.code, kind: benefit.kind, months });
    }
    return {
      records: codes.length,
      cardsChanged,
      benefitsChanged: arrears.map((a) => a.kind),
      arrears,
      arrearsVnd: total(arrears),
      paymentsUnflagged: unflaggedIds.length,
      amountUnflaggedVnd,
      paymentsFlagged: 0,
    };
  }

  /**
   * A death on another date: records and cards moved to it, each benefit's stop recomputed from
   * it, payments flagged or unflagged to match, months that became due owed.
   */
  async correct(
    client: PoolClient,
    citizenId: string,
    before: IsoDate,
    after: IsoDate,
    procedureId: string,
  ): Promise<AmendedDeath> {
    const found = await this.lockedRecords(client, citizenId, before);
    if ('conflict' in found) return found;
    const { codes } = found;
    if (codes.length === 0) return empty();
    await this.amendments.setDeceasedOn(client, codes, after);
    const cardsChanged = await this.amendments.moveCardEnds(client, codes, before, after);
    if (compareDates(after, before) < 0)
      cardsChanged.push(...(await this.records.endCards(client, codes, after)));
    const reason = `paid after death on ${after} (procedure ${procedureId}, corrected from ${before})`;
    await this.amendments.relabelFlags(client, codes, before, after, reason);
    const arrears: BenefitArrears[] = [];
    let flagged = 0;
    let unflagged: string[] = [];
    let amountUnflaggedVnd = 0;
    for (const benefit of await this.amendments.stoppedBenefits(client, codes, benefitStopDate(before))) {
      const payments = await this.amendments.payments(client, benefit);
      const c = correctDeathDate({ before, after, monthlyAmountVnd: benefit.monthlyAmountVnd, payments });
      await this.amendments.restartBenefit(client, benefit, { stoppedFrom: c.stopFrom });
      if (c.toFlag.length > 0) await this.records.flagForRecovery(client, c.toFlag, after, reason);
      amountUnflaggedVnd += await this.amendments.unflag(client, c.toUnflag);
      await this.amendments.recordArrears(client, benefit, c.owed, procedureId);
      flagged += c.toFlag.length;
      unflagged = unflagged.concat(c.toUnflag);
      arrears.push({ code: benefit.code, kind: benefit.kind, months: c.owed });
    }
    return {
      records: codes.length,
      cardsChanged,
      benefitsChanged: arrears.map((a) => a.kind),
      arrears,
      arrearsVnd: total(arrears),
      paymentsUnflagged: unflagged.length,
      amountUnflaggedVnd,
      paymentsFlagged: flagged,
    };
  }

  /** The person's records, locked; a conflict when one holds a date of death other than `dateOfDeath`. */
  private async lockedRecords(
    client: PoolClient,
    citizenId: string,
    dateOfDeath: IsoDate,
  ): Promise<{ codes: string[] } | { conflict: string }> {
    await this.records.lockPerson(client, { citizenId });
    const records = await this.amendments.records(client, citizenId);
    const other = records.find((r) => r.deceasedOn !== null && r.deceasedOn !== dateOfDeath);
    if (other) {
      return {
        conflict:
          `VSS record ${other.code} holds another date of death (${other.deceasedOn}), recorded since by another ` +
          'registration or a reconciliation: VSS decides which death stands',
      };
    }
    return { codes: records.map((r) => r.code) };
  }
}

function empty(): AmendedDeath {
  return {
    records: 0,
    cardsChanged: [],
    benefitsChanged: [],
    arrears: [],
    arrearsVnd: 0,
    paymentsUnflagged: 0,
    amountUnflaggedVnd: 0,
    paymentsFlagged: 0,
  };
}
