import { benefitStopDate, paymentsToRecover } from './benefits';
import { addMonths, compareDates, firstDayOfMonth, IsoDate, monthOf, YearMonth } from './dates';

/**
 * What undoing or correcting a death means for the monthly benefits it stopped. A revoked death
 * never happened: the benefit runs again and every month it was stopped is owed. A corrected date
 * of death moves the stop ("from the month after the death", Law on Social Insurance 2014,
 * art. 64; 2024, art. 71): an earlier date stops earlier and flags more payments for recovery, a
 * later one owes the months between. Amounts of the months owed are those in force in each month:
 * a stopped benefit missed the general adjustments decided while it was stopped.
 */

/** A general adjustment of pensions and monthly benefits, as decreed. */
export type BenefitAdjustment = {
  effectiveFrom: IsoDate;
  /** The increase in percent of the amount of the month before, e.g. 15 for 15 %. */
  percent: number;
  legalBasis: string;
};

/** The general adjustments since the oldest death a registration may still correct. */
export const BENEFIT_ADJUSTMENTS: readonly BenefitAdjustment[] = Object.freeze(
  (
    [
      {
        effectiveFrom: '2023-07-01',
        percent: 12.5,
        legalBasis: 'Decree 42/2023/NĐ-CP, Article 2(1)',
      },
      {
        effectiveFrom: '2024-07-01',
        percent: 15,
        legalBasis: 'Decree 75/2024/NĐ-CP, Article 2(1)',
      },
    ] satisfies BenefitAdjustment[]
  ).map((row) => Object.freeze(row)),
);

/** The months from `from` to `to`, both included; empty when `to` is before `from`. */
export function monthsFrom(from: YearMonth, to: YearMonth): YearMonth[] {
  const months: YearMonth[] = [];
  for (let day = `${from}-01`; monthOf(day) <= to; day = addMonths(day, 1)) months.push(monthOf(day));
  return months;
}

/**
 * The monthly amount in force in `period` of a benefit whose amount was `amountVnd` when it
 * stopped on `stoppedFrom`: raised by each adjustment that took effect after the stop and by the
 * period's first day, in order, each rounded to the dong as the decrees round.
 */
export function amountInForce(
  amountVnd: number,
  stoppedFrom: IsoDate,
  period: YearMonth,
  adjustments: readonly BenefitAdjustment[] = BENEFIT_ADJUSTMENTS,
): { amountVnd: number; basis: string[] } {
  const first = `${period}-01`;
  const applied = adjustments
    .filter(
      (a) => compareDates(a.effectiveFrom, stoppedFrom) >= 0 && compareDates(a.effectiveFrom, first) <= 0,
    )
    .sort((a, b) => compareDates(a.effectiveFrom, b.effectiveFrom));
  let amount = amountVnd;
  for (const a of applied) amount = Math.round((amount * (100 + a.percent)) / 100);
  return {
    amountVnd: amount,
    basis: applied.map((a) => `+${a.percent} % from ${a.effectiveFrom} (${a.legalBasis})`),
  };
}

/** One month of a benefit owed to a person: the arrears a reversal records. */
export type MonthOwed = { period: YearMonth; amountVnd: number; basis: string };

/**
 * The months of a benefit owed after it was stopped by mistake: every month from the stop's month
 * through `through` that has no payment on record, at the amount in force then.
 */
export function arrearsOwed(input: {
  stoppedFrom: IsoDate;
  through: YearMonth;
  monthlyAmountVnd: number;
  paidPeriods: readonly YearMonth[];
  adjustments?: readonly BenefitAdjustment[];
}): MonthOwed[] {
  const paid = new Set(input.paidPeriods);
  return monthsFrom(monthOf(input.stoppedFrom), input.through)
    .filter((period) => !paid.has(period))
    .map((period) => {
      const inForceThen = amountInForce(input.monthlyAmountVnd, input.stoppedFrom, period, input.adjustments);
      const raised = inForceThen.basis.length > 0 ? `, raised ${inForceThen.basis.join(', ')}` : '';
      return {
        period,
        amountVnd: inForceThen.amountVnd,
        basis: `not paid while stopped from ${input.stoppedFrom}; ${input.monthlyAmountVnd.toLocaleString('en-US')} VND a month${raised}`,
      };
    });
}

/** A payment as a correction sees it: whether a death already flagged it for recovery. */
export type PaymentOnRecord = { id: string; period: YearMonth; amountVnd: number; flagged: boolean };

/** What a corrected date of death changes in one benefit and its payments. */
export type DeathDateCorrection = {
  /** The benefit's stop, recomputed ("from the month after the death"). */
  stopFrom: IsoDate;
  /** Payments for months after the corrected month of death, not yet flagged. */
  toFlag: string[];
  /** Flagged payments for months up to the corrected month of death: they were due. */
  toUnflag: string[];
  /** Months now due that were stopped and not paid, when the date moved later. */
  owed: MonthOwed[];
};

/**
 * Recomputes a benefit stopped by a death on `before` for the corrected date `after`. Symmetric:
 * correcting back to `before` flags again what this unflags and owes nothing that was paid.
 */
export function correctDeathDate(input: {
  before: IsoDate;
  after: IsoDate;
  monthlyAmountVnd: number;
  payments: readonly PaymentOnRecord[];
  adjustments?: readonly BenefitAdjustment[];
}): DeathDateCorrection {
  const stopFrom = benefitStopDate(input.after);
  const due = new Set(paymentsToRecover(input.payments, input.after).map((p) => p.id));
  const toFlag = input.payments.filter((p) => !p.flagged && due.has(p.id)).map((p) => p.id);
  const toUnflag = input.payments.filter((p) => p.flagged && !due.has(p.id)).map((p) => p.id);
  const previousStop = benefitStopDate(input.before);
  const owed =
    compareDates(stopFrom, previousStop) > 0
      ? arrearsOwed({
          stoppedFrom: previousStop,
          through: monthOf(input.after),
          monthlyAmountVnd: input.monthlyAmountVnd,
          paidPeriods: input.payments.map((p) => p.period),
          adjustments: input.adjustments,
        })
      : [];
  return { stopFrom, toFlag, toUnflag, owed };
}

/** The month a reversal owes arrears through: the month it runs in (later months are paid as usual). */
export function arrearsThrough(today: IsoDate): YearMonth {
  return monthOf(firstDayOfMonth(today));
}

/**
 * A funeral benefit re-decided: the difference between what was decided (and instructed or paid)
 * and what is due now. Positive is owed to the claimant; negative would be recovered from them,
 * which is never done without a person deciding it.
 */
export function funeralDifference(
  decidedVnd: number,
  dueVnd: number,
): {
  differenceVnd: number;
  direction: 'OWED_TO_CLAIMANT' | 'TO_RECOVER' | 'NONE';
} {
  const differenceVnd = dueVnd - decidedVnd;
  return {
    differenceVnd,
    direction: differenceVnd > 0 ? 'OWED_TO_CLAIMANT' : differenceVnd < 0 ? 'TO_RECOVER' : 'NONE',
  };
}
