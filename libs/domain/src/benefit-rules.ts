import { inForce, IsoDate } from './dates';
import { RateCode, RateError } from './rates';
import { err, ok, Result } from './result';

/**
 * How benefits are computed from the rate tables, keyed by effective date like the rates
 * themselves: a new law that changes a multiplier or a threshold is a new row, and a death is
 * always assessed by the rule in force when it happened.
 */
export type BenefitRuleCode = 'FUNERAL_ALLOWANCE' | 'FUNERAL_COST_SUPPORT';

export type BenefitRule = {
  code: BenefitRuleCode;
  effectiveFrom: IsoDate;
  /** The rate the benefit is a multiple of. */
  rateCode: RateCode;
  multiplier: number;
  /** Months of compulsory contributions that qualify on their own, when the rule has such a test. */
  minCompulsoryContributionMonths?: number;
  legalBasis: string;
};

/** The benefit rules in force in this gateway, oldest first. */
export const BENEFIT_RULES: readonly BenefitRule[] = Object.freeze(
  (
    [
      {
        code: 'FUNERAL_ALLOWANCE',
        effectiveFrom: '2016-01-01',
        rateCode: 'BASE_SALARY',
        multiplier: 10,
        minCompulsoryContributionMonths: 12,
        legalBasis: 'Law on Social Insurance 58/2014/QH13, Art. 66',
      },
      {
        code: 'FUNERAL_COST_SUPPORT',
        effectiveFrom: '2021-07-01',
        rateCode: 'SOCIAL_ASSISTANCE_STANDARD',
        multiplier: 20,
        legalBasis: 'Decree 20/2021/NĐ-CP, Art. 11',
      },
    ] satisfies BenefitRule[]
  ).map((rule) => Object.freeze(rule)),
);

/**
 * The rule of `code` in force on a date (`inForce`). A missing rule is reported as NO_RATE: to
 * the caller it is the same problem, reference data missing for that date.
 */
export function benefitRuleInForce(
  rules: readonly BenefitRule[],
  code: BenefitRuleCode,
  on: IsoDate,
): Result<BenefitRule, RateError> {
  const best = inForce(rules, on, (rule) => rule.code === code);
  return best
    ? ok(best)
    : err({
        code: 'NO_RATE',
        message: `no ${code} rule is in force on ${on}; the benefit cannot be computed`,
      });
}
