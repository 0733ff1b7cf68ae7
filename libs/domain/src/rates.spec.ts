import fc from 'fast-check';
import { isoDateArb } from '../test/arbitraries';
import { BENEFIT_RULES, benefitRuleInForce } from './benefit-rules';
import { compareDates } from './dates';
import { checkRateTable, formatVnd, RateCode, rateInForce, RateRow, STATUTORY_RATES } from './rates';

function amountOn(code: RateCode, on: string): number | string {
  const result = rateInForce(STATUTORY_RATES, code, on);
  return result.ok ? result.value.amountVnd : result.error.code;
}

/** The day before an ISO date. */
function dayBefore(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

describe('rateInForce with the statutory rates', () => {
  // Every row, at both edges: its first day and the day before it, and the last day before the next row.
  const edges = STATUTORY_RATES.flatMap((row) => {
    const sameCode = STATUTORY_RATES.filter((r) => r.code === row.code);
    const index = sameCode.indexOf(row);
    const previous = sameCode[index - 1];
    const next = sameCode[index + 1];
    return [
      [row.code, dayBefore(row.effectiveFrom), previous ? previous.amountVnd : 'NO_RATE'],
      [row.code, row.effectiveFrom, row.amountVnd],
      [row.code, next ? dayBefore(next.effectiveFrom) : '2035-12-31', row.amountVnd],
    ] as const;
  });

  it.each(edges)('gives %s on %s as %s', (code, on, amount) => {
    expect(amountOn(code, on)).toBe(amount);
  });

  it.each([
    ['2019-06-30', 1_390_000],
    ['2019-07-01', 1_490_000],
    ['2023-06-30', 1_490_000],
    ['2023-07-01', 1_800_000],
    ['2024-06-30', 1_800_000],
    ['2024-07-01', 2_340_000],
    ['2030-01-01', 2_340_000],
  ])('gives the base salary on %s as %i VND', (on, amount) => {
    expect(amountOn('BASE_SALARY', on)).toBe(amount);
  });

  it.each([
    ['2021-06-30', 270_000],
    ['2021-07-01', 360_000],
    ['2024-06-30', 360_000],
    ['2024-07-01', 500_000],
    ['2024-07-15', 500_000],
    ['2024-12-31', 500_000],
    ['2025-01-01', 500_000],
  ])(
    'gives the standard social assistance level on %s as %i VND (Decree 76/2024 from 1 July 2024)',
    (on, amount) => {
      expect(amountOn('SOCIAL_ASSISTANCE_STANDARD', on)).toBe(amount);
    },
  );

  it('answers NO_RATE before the first row, saying where the table starts', () => {
    const result = rateInForce(STATUTORY_RATES, 'SOCIAL_ASSISTANCE_STANDARD', '2013-12-31');
    expect(result).toMatchObject({ ok: false, error: { code: 'NO_RATE' } });
    if (!result.ok) expect(result.error.message).toContain('2014-01-01');
  });

  it('names the decree and the article of every row', () => {
    for (const row of STATUTORY_RATES)
      expect(row.legalBasis).toMatch(/^Decree \d+\/\d{4}\/NĐ-CP, Article \d+\(\d+\)/);
  });

  it('answers NO_RATE for an empty table', () => {
    expect(rateInForce([], 'BASE_SALARY', '2024-01-01')).toMatchObject({
      ok: false,
      error: { code: 'NO_RATE' },
    });
  });

  it('cites the decree of each row', () => {
    const result = rateInForce(STATUTORY_RATES, 'BASE_SALARY', '2024-08-01');
    expect(result.ok && result.value.legalBasis).toBe('Decree 73/2024/NĐ-CP, Article 3(2)');
  });

  it('is a sound table', () => {
    expect(checkRateTable(STATUTORY_RATES)).toEqual([]);
  });
});

describe('rateInForce on any table', () => {
  const rowArb = fc.record({
    code: fc.constantFrom<RateCode>('BASE_SALARY', 'SOCIAL_ASSISTANCE_STANDARD'),
    effectiveFrom: isoDateArb(2000, 2030),
    amountVnd: fc.integer({ min: 1, max: 10_000_000 }),
    legalBasis: fc.constant('test'),
  });

  it('picks the latest row of the code that is not after the date, or reports NO_RATE', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 12 }), isoDateArb(2000, 2030), (table, on) => {
        const result = rateInForce(table, 'BASE_SALARY', on);
        const eligible = table.filter(
          (r) => r.code === 'BASE_SALARY' && compareDates(r.effectiveFrom, on) <= 0,
        );
        if (eligible.length === 0) return !result.ok && result.error.code === 'NO_RATE';
        const latest = eligible
          .map((r) => r.effectiveFrom)
          .sort()
          .at(-1);
        return result.ok && result.value.code === 'BASE_SALARY' && result.value.effectiveFrom === latest;
      }),
    );
  });

  it('lets a later row with the same date replace an earlier one', () => {
    const table: RateRow[] = [
      { code: 'BASE_SALARY', effectiveFrom: '2024-07-01', amountVnd: 2_430_000, legalBasis: 'typo' },
      { code: 'BASE_SALARY', effectiveFrom: '2024-07-01', amountVnd: 2_340_000, legalBasis: 'correction' },
    ];
    const result = rateInForce(table, 'BASE_SALARY', '2024-07-01');
    expect(result.ok && result.value.legalBasis).toBe('correction');
    expect(checkRateTable(table).map((p) => p.index)).toEqual([1]);
  });

  it('finds bad rows in a table', () => {
    const problems = checkRateTable([
      { code: 'BASE_SALARY', effectiveFrom: '2024-02-30', amountVnd: 1, legalBasis: 'x' },
      { code: 'BASE_SALARY', effectiveFrom: '2024-03-01', amountVnd: 1.5, legalBasis: 'x' },
      { code: 'BASE_SALARY', effectiveFrom: '2024-04-01', amountVnd: 1, legalBasis: ' ' },
    ]);
    expect(problems.map((p) => p.index)).toEqual([0, 1, 2]);
  });
});

describe('benefit rules', () => {
  it('keeps the funeral multipliers as dated data: 10 × base salary, 20 × assistance standard', () => {
    const allowance = benefitRuleInForce(BENEFIT_RULES, 'FUNERAL_ALLOWANCE', '2024-08-01');
    const support = benefitRuleInForce(BENEFIT_RULES, 'FUNERAL_COST_SUPPORT', '2024-08-01');
    expect(allowance.ok && allowance.value).toMatchObject({
      rateCode: 'BASE_SALARY',
      multiplier: 10,
      minCompulsoryContributionMonths: 12,
    });
    expect(support.ok && support.value).toMatchObject({
      rateCode: 'SOCIAL_ASSISTANCE_STANDARD',
      multiplier: 20,
    });
  });

  it('has no rule before the law that introduced it', () => {
    expect(benefitRuleInForce(BENEFIT_RULES, 'FUNERAL_ALLOWANCE', '2015-12-31')).toMatchObject({
      ok: false,
      error: { code: 'NO_RATE' },
    });
  });
});

describe('formatVnd', () => {
  it('groups thousands', () => {
    expect(formatVnd(23_400_000)).toBe('23,400,000 VND');
  });
});
