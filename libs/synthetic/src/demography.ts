import { addMonthsToDay, ageOn, type Day, dayFromParts, monthIndexOf, partsOfDay } from './dates';
import { Random, Weighted } from './random';
import type { Gender } from './rows';

/**
 * Ages, sexes and deaths shaped like Vietnam's population: a broad working-age middle, a
 * narrowing base after the 2010s fall in births and a thin top. Shares per five-year age band
 * follow the 2019 census and the UN World Population Prospects estimate for the mid-2020s.
 */

const AGE_BANDS = new Weighted<number>([
  [0, 6.4], // tuned so that ~8 % are under 6 (children get the free TE card)
  [5, 7.9],
  [10, 7.9],
  [15, 7.0],
  [20, 6.9],
  [25, 7.4],
  [30, 8.1],
  [35, 8.1],
  [40, 7.5],
  [45, 6.8],
  [50, 6.1],
  [55, 5.4],
  [60, 4.6],
  [65, 3.6],
  [70, 2.5],
  [75, 1.5],
  [80, 0.9],
  [85, 0.6],
  [90, 0.4],
]);

const DAYS_PER_YEAR = 365.2425;
/** The registry's oldest births; the synthetic population starts in 1930. */
export const EARLIEST_BIRTH = dayFromParts(1930, 1, 1);

/** A date of birth: an age band by weight, then a uniform day within the band. */
export function sampleBirthDay(rng: Random, asOf: Day): Day {
  const band = AGE_BANDS.sample(rng);
  const ageDays = Math.floor((band + rng.next() * 5) * DAYS_PER_YEAR);
  return Math.max(EARLIEST_BIRTH, asOf - ageDays);
}

/** Slightly more boys are born, slightly more women survive: overall close to even. */
export function sampleGender(rng: Random, age: number): Gender {
  const maleShare = age < 40 ? 0.51 : age < 70 ? 0.49 : 0.42;
  return rng.chance(maleShare) ? 'M' : 'F';
}

/**
 * The chance that a person of this age (had they lived) is recorded as deceased. The registry
 * keeps the dead, and deaths cluster among the old; overall about 4 %.
 */
export function deathProbability(age: number): number {
  if (age < 40) return 0.008;
  if (age < 60) return 0.03;
  if (age < 70) return 0.1;
  if (age < 80) return 0.25;
  return 0.45;
}

/** Deaths the registry knows of fall in the last twelve years (it went live in 2021 with back-records). */
const DEATH_WINDOW_YEARS = 12;

export function sampleDeathDay(rng: Random, birth: Day, asOf: Day): Day {
  const earliest = Math.max(birth + 1, asOf - Math.floor(DEATH_WINDOW_YEARS * DAYS_PER_YEAR));
  return earliest + rng.int(Math.max(1, asOf - earliest));
}

/** A death recent enough that VSS may not have heard of it: two to four months before asOf. */
export function sampleRecentDeathDay(rng: Random, birth: Day, asOf: Day): Day {
  const month = monthIndexOf(asOf) - rng.between(2, 4);
  const first = dayFromParts(Math.floor(month / 12), (month % 12) + 1, 1);
  const day = first + rng.int(28);
  return Math.max(birth + 1, day);
}

/** Statutory retirement ages, simplified to the pre-2021 60 (men) and 55 (women). */
export function retirementAge(gender: Gender): number {
  return gender === 'M' ? 60 : 55;
}

export function hasReachedRetirement(birth: Day, gender: Gender, on: Day): boolean {
  return ageOn(birth, on) >= retirementAge(gender);
}

/** The day a person reached retirement age. */
export function retirementDay(birth: Day, gender: Gender): Day {
  return addMonthsToDay(birth, retirementAge(gender) * 12);
}

export function birthYearOf(birth: Day): number {
  return partsOfDay(birth).year;
}
