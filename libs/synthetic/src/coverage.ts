import { type ObjectGroupCode } from '@vss/domain';
import { ageOn, type Day } from './dates';
import { hasReachedRetirement } from './demography';
import { Random, Weighted } from './random';
import type { Gender } from './rows';

/**
 * Who a participant is to the insurance fund: the HI object group on their card, whether they
 * draw a pension or a monthly allowance, whether they receive social assistance, and how many
 * months of compulsory contributions they have. The mix follows the broad shape of VSS's
 * figures: children, pupils, employees and household members make up most cards.
 */

export interface CoverageProfile {
  group: ObjectGroupCode;
  pension: boolean;
  monthlyAllowance: boolean;
  socialAssistance: boolean;
  contributionMonths: number;
}

export interface CoverageOverrides {
  group?: ObjectGroupCode;
  /** true forces a pension (group HT); false forbids one. */
  pension?: boolean;
}

const PUPILS = new Weighted<ObjectGroupCode>([
  ['HS', 85],
  ['GD', 6],
  ['HN', 5],
  ['CN', 3],
  ['BT', 1],
]);

const YOUNG_ADULTS = new Weighted<ObjectGroupCode>([
  ['SV', 35],
  ['DN', 25],
  ['GD', 27],
  ['HC', 2],
  ['HN', 5],
  ['CN', 3],
  ['BT', 1],
  ['CC', 0.5],
]);

const WORKING_AGE = new Weighted<ObjectGroupCode>([
  ['DN', 38],
  ['GD', 38],
  ['HC', 7],
  ['HN', 6],
  ['CN', 4],
  ['BT', 2],
  ['CC', 1],
  ['NO', 0.5],
]);

// Retired-age people without a pension: household cover, the poor, veterans (CC), retired
// commune officials on a monthly allowance (XB), some still employed.
const RETIRED_AGE = new Weighted<ObjectGroupCode>([
  ['GD', 60],
  ['BT', 8],
  ['HN', 6],
  ['CC', 6],
  ['DN', 5],
  ['CN', 4],
  ['XB', 3],
  ['NO', 1],
]);

/** Share of retired-age participants drawing a pension: ~3 % of all participants. */
const PENSION_SHARE = 0.19;
/** From 80 a person without a pension receives the social pension (trợ cấp xã hội). */
const SOCIAL_PENSION_AGE = 80;
const SOCIAL_PENSION_SHARE = 0.55;
/** Monthly allowances outside XB: work accidents, occupational disease (rare). */
const OTHER_ALLOWANCE_SHARE = 0.005;

export function sampleCoverage(
  rng: Random,
  birth: Day,
  gender: Gender,
  on: Day,
  underSixCardValid: boolean,
  overrides: CoverageOverrides = {},
): CoverageProfile {
  const age = ageOn(birth, on);
  const retired = hasReachedRetirement(birth, gender, on);
  const pension =
    overrides.pension ?? (retired && overrides.group === undefined && rng.chance(PENSION_SHARE));
  let group: ObjectGroupCode;
  if (overrides.group) group = overrides.group;
  else if (pension) group = 'HT';
  else if (underSixCardValid) group = 'TE';
  else if (age < 18) group = PUPILS.sample(rng);
  else if (age < 23) group = YOUNG_ADULTS.sample(rng);
  else if (!retired) group = WORKING_AGE.sample(rng);
  else if (age >= SOCIAL_PENSION_AGE && rng.chance(SOCIAL_PENSION_SHARE)) group = 'BT';
  else group = RETIRED_AGE.sample(rng);
  const monthlyAllowance =
    !pension &&
    (group === 'XB' || (age >= 40 && overrides.group === undefined && rng.chance(OTHER_ALLOWANCE_SHARE)));
  return {
    group,
    pension,
    monthlyAllowance,
    socialAssistance: group === 'BT',
    contributionMonths: sampleContributionMonths(rng, age, group),
  };
}

function sampleContributionMonths(rng: Random, age: number, group: ObjectGroupCode): number {
  const working = Math.max(0, (age - 18) * 12);
  if (working === 0) return 0;
  switch (group) {
    case 'DN':
    case 'HC':
      return rng.between(1, Math.min(420, working));
    case 'HT':
      return Math.min(working, rng.between(240, 420));
    case 'XB':
      return Math.min(working, rng.between(60, 300));
    default:
      // Many household members and the poor once worked in a company for a while.
      return age >= 25 && rng.chance(0.3) ? rng.between(1, Math.min(240, working)) : 0;
  }
}

/** Monthly pension in VND, rounded to the thousand: most between 3 and 8 million, a tail to 15. */
export function samplePensionAmount(rng: Random): number {
  const u = rng.next();
  return Math.round((3_000_000 + u * u * 12_000_000) / 1000) * 1000;
}

/** Monthly allowance in VND (retired commune officials, work-accident allowances). */
export function sampleAllowanceAmount(rng: Random): number {
  return Math.round((1_500_000 + rng.next() * 2_000_000) / 1000) * 1000;
}
