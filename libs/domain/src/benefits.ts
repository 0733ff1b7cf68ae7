import { BENEFIT_RULES, BenefitRule, benefitRuleInForce } from './benefit-rules';
import { firstDayOfMonth, firstDayOfNextMonth, IsoDate, monthOf, YearMonth } from './dates';
import { formatVnd, RateError, rateInForce, rateName, RateRow } from './rates';
import { ok, Result } from './result';

/** One benefit of a death: whether it is due, how much, and a sentence saying why. */
export type BenefitAssessment = { eligible: boolean; amountVnd: number; basis: string };

export type FuneralBenefits = { funeralAllowance: BenefitAssessment; funeralCostSupport: BenefitAssessment };

export type FuneralBenefitsInput = {
  dateOfDeath: IsoDate;
  /** Death from a work accident or an occupational disease. */
  workRelated: boolean;
  /** Receiving a pension or another monthly social insurance benefit at death. */
  isPensionerOrMonthlyBeneficiary: boolean;
  compulsoryContributionMonths: number;
  /** Receiving monthly social assistance at death. */
  isSocialAssistanceBeneficiary: boolean;
  rates: readonly RateRow[];
  /** Defaults to BENEFIT_RULES; tests and what-if reports may pass their own. */
  rules?: readonly BenefitRule[];
};

function amountOf(rule: BenefitRule, rate: RateRow, on: IsoDate): { amountVnd: number; explanation: string } {
  const amountVnd = rule.multiplier * rate.amountVnd;
  return {
    amountVnd,
    explanation:
      `${rule.multiplier} × ${rateName(rate.code)} ${formatVnd(rate.amountVnd)} ` +
      `(${rate.legalBasis}, in force on ${on}) = ${formatVnd(amountVnd)}; ${rule.legalBasis}`,
  };
}

function allowanceGrounds(input: FuneralBenefitsInput, rule: BenefitRule): string[] {
  const grounds: string[] = [];
  if (input.isPensionerOrMonthlyBeneficiary) grounds.push('receiving a pension or monthly benefit');
  if (input.workRelated) grounds.push('death from a work accident or occupational disease');
  const threshold = rule.minCompulsoryContributionMonths;
  if (threshold !== undefined && input.compulsoryContributionMonths >= threshold) {
    grounds.push(
      `${input.compulsoryContributionMonths} months of compulsory contributions (${threshold} needed)`,
    );
  }
  return grounds;
}

/**
 * Funeral allowance (trợ cấp mai táng, social insurance) and funeral cost support (hỗ trợ chi phí
 * mai táng, social assistance) for a death. The two are assessed independently; whether a family
 * receives both is decided by the procedure that pays them.
 *
 * The allowance is a multiple of the base salary "in the month of death". We take the rate in
 * force on the first day of that month, so every death in a month gets the same amount; since
 * base salaries have always changed on the 1st, this equals the rate on the day of death.
 * The cost support has no such wording and uses the standard in force on the day of death.
 */
export function assessFuneralBenefits(input: FuneralBenefitsInput): Result<FuneralBenefits, RateError> {
  const rules = input.rules ?? BENEFIT_RULES;
  const allowanceRule = benefitRuleInForce(rules, 'FUNERAL_ALLOWANCE', input.dateOfDeath);
  if (!allowanceRule.ok) return allowanceRule;

  let funeralAllowance: BenefitAssessment;
  const grounds = allowanceGrounds(input, allowanceRule.value);
  if (grounds.length === 0) {
    const threshold = allowanceRule.value.minCompulsoryContributionMonths;
    funeralAllowance = {
      eligible: false,
      amountVnd: 0,
      basis:
        'not eligible: no pension or monthly benefit, death not work-related, ' +
        `${input.compulsoryContributionMonths} months of compulsory contributions` +
        (threshold !== undefined ? ` (${threshold} needed)` : '') +
        `; ${allowanceRule.value.legalBasis}`,
    };
  } else {
    const rateDate = firstDayOfMonth(input.dateOfDeath);
    const rate = rateInForce(input.rates, allowanceRule.value.rateCode, rateDate);
    if (!rate.ok) return rate;
    const { amountVnd, explanation } = amountOf(allowanceRule.value, rate.value, rateDate);
    funeralAllowance = {
      eligible: true,
      amountVnd,
      basis: `eligible: ${grounds.join('; ')}; ${explanation}`,
    };
  }

  let funeralCostSupport: BenefitAssessment;
  if (!input.isSocialAssistanceBeneficiary) {
    funeralCostSupport = {
      eligible: false,
      amountVnd: 0,
      basis: 'not eligible: not receiving monthly social assistance',
    };
  } else {
    const supportRule = benefitRuleInForce(rules, 'FUNERAL_COST_SUPPORT', input.dateOfDeath);
    if (!supportRule.ok) return supportRule;
    const rate = rateInForce(input.rates, supportRule.value.rateCode, input.dateOfDeath);
    if (!rate.ok) return rate;
    const { amountVnd, explanation } = amountOf(supportRule.value, rate.value, input.dateOfDeath);
    funeralCostSupport = {
      eligible: true,
      amountVnd,
      basis: `eligible: receiving monthly social assistance; ${explanation}`,
    };
  }
  return ok({ funeralAllowance, funeralCostSupport });
}

/** The day monthly pensions and benefits stop after a death: the first day of the next month. */
export function benefitStopDate(dateOfDeath: IsoDate): IsoDate {
  return firstDayOfNextMonth(dateOfDeath);
}

export type MonthlyPayment = { period: YearMonth; amountVnd: number; id: string };

const YEAR_MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/**
 * Payments for periods after the month of death, which must be recovered. The month of death
 * itself is paid in full: the benefit stops from the month after. Periods come from our own
 * records, so a malformed one is a bug and throws RangeError rather than being guessed at.
 */
export function paymentsToRecover<P extends MonthlyPayment>(
  payments: readonly P[],
  dateOfDeath: IsoDate,
): P[] {
  const deathMonth = monthOf(dateOfDeath);
  return payments.filter((p) => {
    if (!YEAR_MONTH.test(p.period)) {
      throw new RangeError(`payment ${p.id} has period ${JSON.stringify(p.period)}; expected YYYY-MM`);
    }
    return p.period > deathMonth;
  });
}

/** The total of the payments to recover after a death, in VND. */
export function amountToRecover(payments: readonly MonthlyPayment[], dateOfDeath: IsoDate): number {
  return paymentsToRecover(payments, dateOfDeath).reduce((sum, p) => sum + p.amountVnd, 0);
}
