import fc from 'fast-check';
import { isoDateArb } from '../test/arbitraries';
import {
  amountInForce,
  arrearsOwed,
  BENEFIT_ADJUSTMENTS,
  correctDeathDate,
  funeralDifference,
  monthsFrom,
  type PaymentOnRecord,
} from './amendments';
import { benefitStopDate, paymentsToRecover } from './benefits';
import { addMonths, compareDates, monthOf } from './dates';

const recentDate = isoDateArb(2022, 2026);

/** A person's payments: some months between two years before and two years after `around`. */
function paymentsArb(around: string): fc.Arbitrary<PaymentOnRecord[]> {
  return fc.uniqueArray(fc.integer({ min: -24, max: 24 }), { maxLength: 30 }).chain((offsets) =>
    fc.tuple(...offsets.map(() => fc.boolean())).map((flags) =>
      offsets.map((offset, i) => ({
        id: String(i + 1),
        period: monthOf(addMonths(`${monthOf(around)}-01`, offset)),
        amountVnd: 5_000_000,
        flagged: flags[i],
      })),
    ),
  );
}

describe('monthsFrom', () => {
  it('lists the months in order, both ends included, across a year end', () => {
    expect(monthsFrom('2024-11', '2025-02')).toEqual(['2024-11', '2024-12', '2025-01', '2025-02']);
    expect(monthsFrom('2025-03', '2025-02')).toEqual([]);
  });
});

describe('amountInForce', () => {
  it('raises a benefit stopped before 1 July 2024 by Decree 75/2024 from July on', () => {
    expect(amountInForce(4_000_000, '2024-05-01', '2024-06').amountVnd).toBe(4_000_000);
    const july = amountInForce(4_000_000, '2024-05-01', '2024-07');
    expect(july.amountVnd).toBe(4_600_000);
    expect(july.basis.join()).toContain('Decree 75/2024/NĐ-CP');
  });

  it('applies both adjustments, in order, to a benefit stopped before July 2023', () => {
    expect(amountInForce(4_000_000, '2023-02-01', '2024-08').amountVnd).toBe(Math.round(4_500_000 * 1.15));
  });

  it('does not raise a benefit stopped after the adjustment (its amount already includes it)', () => {
    expect(amountInForce(4_600_000, '2024-08-01', '2025-01').amountVnd).toBe(4_600_000);
  });
});

describe('arrearsOwed', () => {
  it('owes each month from the stop through the month given that has no payment', () => {
    const owed = arrearsOwed({
      stoppedFrom: '2025-04-01',
      through: '2025-07',
      monthlyAmountVnd: 3_000_000,
      paidPeriods: ['2025-05'],
    });
    expect(owed.map((m) => m.period)).toEqual(['2025-04', '2025-06', '2025-07']);
    expect(owed.every((m) => m.amountVnd === 3_000_000)).toBe(true);
  });

  it('property: every month of the window is either paid or owed exactly once, and none outside it', () => {
    fc.assert(
      fc.property(recentDate, fc.integer({ min: 0, max: 30 }), (death, span) => {
        const stoppedFrom = benefitStopDate(death);
        const through = monthOf(addMonths(stoppedFrom, span));
        const window = monthsFrom(monthOf(stoppedFrom), through);
        const paid = window.filter((_, i) => i % 3 === 1);
        const owed = arrearsOwed({ stoppedFrom, through, monthlyAmountVnd: 1_000_000, paidPeriods: paid });
        const periods = owed.map((m) => m.period);
        expect(new Set(periods).size).toBe(periods.length);
        expect([...periods, ...paid].sort()).toEqual(window);
        for (const m of owed) expect(m.amountVnd).toBeGreaterThanOrEqual(1_000_000);
      }),
    );
  });

  it('property: a later month is never owed less than an earlier one (adjustments only raise)', () => {
    fc.assert(
      fc.property(isoDateArb(2021, 2026), fc.integer({ min: 1, max: 40 }), (death, span) => {
        const stoppedFrom = benefitStopDate(death);
        const owed = arrearsOwed({
          stoppedFrom,
          through: monthOf(addMonths(stoppedFrom, span)),
          monthlyAmountVnd: 2_345_678,
          paidPeriods: [],
        });
        for (let i = 1; i < owed.length; i += 1)
          expect(owed[i].amountVnd).toBeGreaterThanOrEqual(owed[i - 1].amountVnd);
      }),
    );
  });
});

describe('correctDeathDate', () => {
  it('an earlier date stops a month earlier and flags that month; nothing owed', () => {
    const payments: PaymentOnRecord[] = [
      { id: '1', period: '2025-03', amountVnd: 5_000_000, flagged: false },
      { id: '2', period: '2025-04', amountVnd: 5_000_000, flagged: false },
    ];
    const c = correctDeathDate({
      before: '2025-04-10',
      after: '2025-03-20',
      monthlyAmountVnd: 5_000_000,
      payments,
    });
    expect(c).toEqual({ stopFrom: '2025-04-01', toFlag: ['2'], toUnflag: [], owed: [] });
  });

  it('a later date unflags what became due and owes the months stopped and not paid', () => {
    const payments: PaymentOnRecord[] = [{ id: '1', period: '2025-05', amountVnd: 5_000_000, flagged: true }];
    const c = correctDeathDate({
      before: '2025-03-20',
      after: '2025-06-02',
      monthlyAmountVnd: 5_000_000,
      payments,
    });
    expect(c.stopFrom).toBe('2025-07-01');
    expect(c.toUnflag).toEqual(['1']);
    expect(c.owed.map((m) => m.period)).toEqual(['2025-04', '2025-06']);
  });

  it('property: after the correction exactly the payments after the new month of death are flagged', () => {
    fc.assert(
      fc.property(
        recentDate.chain((before) => fc.tuple(fc.constant(before), recentDate, paymentsArb(before))),
        ([before, after, payments]) => {
          const c = correctDeathDate({ before, after, monthlyAmountVnd: 1_000_000, payments });
          const flaggedAfter = new Set(
            payments
              .filter((p) => (p.flagged || c.toFlag.includes(p.id)) && !c.toUnflag.includes(p.id))
              .map((p) => p.id),
          );
          const due = new Set(paymentsToRecover(payments, after).map((p) => p.id));
          expect([...flaggedAfter].sort()).toEqual([...due].sort());
          expect(c.stopFrom).toBe(benefitStopDate(after));
        },
      ),
    );
  });

  it('property: months owed lie between the old and the new stop, never a paid one, none when the date moved earlier', () => {
    fc.assert(
      fc.property(
        recentDate.chain((before) => fc.tuple(fc.constant(before), recentDate, paymentsArb(before))),
        ([before, after, payments]) => {
          const c = correctDeathDate({ before, after, monthlyAmountVnd: 1_000_000, payments });
          const paid = new Set(payments.map((p) => p.period));
          for (const m of c.owed) {
            expect(paid.has(m.period)).toBe(false);
            expect(m.period >= monthOf(benefitStopDate(before))).toBe(true);
            expect(m.period <= monthOf(after)).toBe(true);
          }
          if (compareDates(after, before) <= 0) expect(c.owed).toEqual([]);
        },
      ),
    );
  });

  it('property: correcting back undoes the correction (flags and unflags swap)', () => {
    fc.assert(
      fc.property(
        recentDate.chain((before) => fc.tuple(fc.constant(before), recentDate, paymentsArb(before))),
        ([before, after, payments]) => {
          // Start from the payments as the death on `before` left them.
          const start = payments.map((p) => ({ ...p, flagged: paymentsToRecover([p], before).length > 0 }));
          const there = correctDeathDate({ before, after, monthlyAmountVnd: 1, payments: start });
          const moved = start.map((p) => ({
            ...p,
            flagged: there.toFlag.includes(p.id) ? true : there.toUnflag.includes(p.id) ? false : p.flagged,
          }));
          const back = correctDeathDate({
            before: after,
            after: before,
            monthlyAmountVnd: 1,
            payments: moved,
          });
          expect(back.toFlag.sort()).toEqual(there.toUnflag.sort());
          expect(back.toUnflag.sort()).toEqual(there.toFlag.sort());
        },
      ),
    );
  });
});

describe('funeralDifference', () => {
  it('says which way a re-decided funeral benefit moved', () => {
    expect(funeralDifference(18_000_000, 23_400_000)).toEqual({
      differenceVnd: 5_400_000,
      direction: 'OWED_TO_CLAIMANT',
    });
    expect(funeralDifference(23_400_000, 18_000_000)).toEqual({
      differenceVnd: -5_400_000,
      direction: 'TO_RECOVER',
    });
    expect(funeralDifference(1, 1).direction).toBe('NONE');
  });

  it('the adjustment table names a decree on every row', () => {
    for (const row of BENEFIT_ADJUSTMENTS) expect(row.legalBasis).toMatch(/Decree \d+\/\d{4}\/NĐ-CP/);
  });
});
