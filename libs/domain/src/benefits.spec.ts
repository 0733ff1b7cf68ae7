import fc from 'fast-check';
import { isoDateArb } from '../test/arbitraries';
import {
  amountToRecover,
  assessFuneralBenefits,
  benefitStopDate,
  FuneralBenefitsInput,
  paymentsToRecover,
} from './benefits';
import { compareDates, monthOf } from './dates';
import { rateInForce, STATUTORY_RATES } from './rates';

const base: FuneralBenefitsInput = {
  dateOfDeath: '2024-06-15',
  workRelated: false,
  isPensionerOrMonthlyBeneficiary: true,
  compulsoryContributionMonths: 0,
  isSocialAssistanceBeneficiary: false,
  rates: STATUTORY_RATES,
};

function assess(overrides: Partial<FuneralBenefitsInput>) {
  const result = assessFuneralBenefits({ ...base, ...overrides });
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe('assessFuneralBenefits', () => {
  it('pays a pensioner who died in June 2024 ten times the base salary then, 1,800,000', () => {
    const { funeralAllowance } = assess({ dateOfDeath: '2024-06-30' });
    expect(funeralAllowance.eligible).toBe(true);
    expect(funeralAllowance.amountVnd).toBe(10 * 1_800_000);
    expect(funeralAllowance.basis).toContain('Decree 24/2023/NĐ-CP');
  });

  it('pays a pensioner who died in August 2024 ten times the new base salary, 2,340,000', () => {
    const { funeralAllowance } = assess({ dateOfDeath: '2024-08-02' });
    expect(funeralAllowance.amountVnd).toBe(10 * 2_340_000);
    expect(funeralAllowance.basis).toContain('23,400,000 VND');
  });

  it('pays someone with 12 months of compulsory contributions, not someone with 11', () => {
    const notPensioner = { isPensionerOrMonthlyBeneficiary: false };
    expect(assess({ ...notPensioner, compulsoryContributionMonths: 12 }).funeralAllowance.eligible).toBe(
      true,
    );
    const eleven = assess({ ...notPensioner, compulsoryContributionMonths: 11 }).funeralAllowance;
    expect(eleven).toMatchObject({ eligible: false, amountVnd: 0 });
    expect(eleven.basis).toContain('12 needed');
  });

  it('pays for a death from a work accident regardless of contribution months', () => {
    const result = assess({
      isPensionerOrMonthlyBeneficiary: false,
      workRelated: true,
      compulsoryContributionMonths: 1,
    });
    expect(result.funeralAllowance.eligible).toBe(true);
  });

  it('pays funeral cost support of 20 × the assistance standard to social-assistance beneficiaries', () => {
    expect(
      assess({ isSocialAssistanceBeneficiary: true, dateOfDeath: '2024-06-15' }).funeralCostSupport,
    ).toMatchObject({
      eligible: true,
      amountVnd: 20 * 360_000,
    });
    expect(
      assess({ isSocialAssistanceBeneficiary: true, dateOfDeath: '2025-03-01' }).funeralCostSupport.amountVnd,
    ).toBe(20 * 500_000);
    // Decree 76/2024/NĐ-CP: 500,000 VND from 1 July 2024, so a death in July 2024 gets 10,000,000.
    expect(
      assess({ isSocialAssistanceBeneficiary: true, dateOfDeath: '2024-07-15' }).funeralCostSupport.amountVnd,
    ).toBe(20 * 500_000);
    expect(assess({}).funeralCostSupport).toMatchObject({ eligible: false, amountVnd: 0 });
  });

  it('reports NO_RATE instead of guessing when the rate table does not reach the death', () => {
    expect(assessFuneralBenefits({ ...base, rates: [] })).toMatchObject({
      ok: false,
      error: { code: 'NO_RATE' },
    });
    expect(
      assessFuneralBenefits({ ...base, isSocialAssistanceBeneficiary: true, dateOfDeath: '2013-06-01' }),
    ).toMatchObject({ ok: false, error: { code: 'NO_RATE' } });
  });

  it('needs no rate for a benefit that is not due', () => {
    const result = assessFuneralBenefits({ ...base, isPensionerOrMonthlyBeneficiary: false, rates: [] });
    expect(result.ok).toBe(true);
  });

  it('always pays 10 × the base salary in force on the first of the month of death to the eligible, 0 to others', () => {
    const input = fc.record({
      dateOfDeath: isoDateArb(2018, 2035),
      workRelated: fc.boolean(),
      isPensionerOrMonthlyBeneficiary: fc.boolean(),
      compulsoryContributionMonths: fc.integer({ min: 0, max: 480 }),
      isSocialAssistanceBeneficiary: fc.constant(false),
    });
    fc.assert(
      fc.property(input, (i) => {
        const result = assessFuneralBenefits({ ...i, rates: STATUTORY_RATES });
        if (!result.ok) return false;
        const eligible =
          i.workRelated || i.isPensionerOrMonthlyBeneficiary || i.compulsoryContributionMonths >= 12;
        const rate = rateInForce(STATUTORY_RATES, 'BASE_SALARY', `${monthOf(i.dateOfDeath)}-01`);
        const expected = eligible && rate.ok ? 10 * rate.value.amountVnd : 0;
        const a = result.value.funeralAllowance;
        return a.eligible === eligible && a.amountVnd === expected && Number.isSafeInteger(a.amountVnd);
      }),
    );
  });
});

describe('benefitStopDate', () => {
  it('stops monthly benefits from the first day of the month after death', () => {
    expect(benefitStopDate('2024-06-15')).toBe('2024-07-01');
    expect(benefitStopDate('2024-12-31')).toBe('2025-01-01');
    expect(benefitStopDate('2024-02-01')).toBe('2024-03-01');
  });

  it('is always after the death and on the first of a month', () => {
    fc.assert(
      fc.property(isoDateArb(), (death) => {
        const stop = benefitStopDate(death);
        return compareDates(stop, death) > 0 && stop.endsWith('-01') && monthOf(stop) > monthOf(death);
      }),
    );
  });
});

describe('paymentsToRecover', () => {
  const payments = [
    { id: 'p5', period: '2024-05', amountVnd: 5_000_000 },
    { id: 'p6', period: '2024-06', amountVnd: 5_000_000 },
    { id: 'p7', period: '2024-07', amountVnd: 5_000_000 },
    { id: 'p8', period: '2024-08', amountVnd: 5_100_000 },
  ];

  it('flags payments for months after the month of death, not the month of death itself', () => {
    expect(paymentsToRecover(payments, '2024-06-15').map((p) => p.id)).toEqual(['p7', 'p8']);
    expect(amountToRecover(payments, '2024-06-15')).toBe(10_100_000);
  });

  it('flags nothing when death comes after every period', () => {
    expect(paymentsToRecover(payments, '2024-08-31')).toEqual([]);
  });

  it('refuses a malformed period, which would be a bug in our records', () => {
    expect(() => paymentsToRecover([{ id: 'x', period: '2024-7', amountVnd: 1 }], '2024-06-15')).toThrow(
      RangeError,
    );
  });

  it('flags exactly the payments whose period starts on or after the stop date', () => {
    const paymentArb = fc.record({
      id: fc.uuid(),
      period: isoDateArb(2015, 2030).map(monthOf),
      amountVnd: fc.integer({ min: 1, max: 50_000_000 }),
    });
    fc.assert(
      fc.property(fc.array(paymentArb, { maxLength: 30 }), isoDateArb(2015, 2030), (ps, death) => {
        const flagged = new Set(paymentsToRecover(ps, death).map((p) => p.id));
        const stop = benefitStopDate(death);
        return ps.every((p) => flagged.has(p.id) === compareDates(`${p.period}-01`, stop) >= 0);
      }),
    );
  });
});
