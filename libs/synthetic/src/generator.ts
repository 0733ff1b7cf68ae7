import { parseIsoDate, vietnamDate } from '@vss/domain';
import { ageOn, type Day, dayFromParts, dayOf, monthIndexOf, partsOfDay } from './dates';
import { DEMO_CITIZENS, demoDraft, UNKNOWN_DEMO_ID } from './demo-people';
import {
  birthYearOf,
  deathProbability,
  sampleBirthDay,
  sampleDeathDay,
  sampleGender,
  sampleRecentDeathDay,
} from './demography';
import { type DiscrepancyRates, resolveRates, sampleDiscrepancy } from './discrepancies';
import { facilityCountsByProvince, generateFacilities } from './facilities';
import { IdentityAllocator } from './identifiers';
import { buildPerson, type GenerationContext, LAST_LEGACY_BIRTH_YEAR, type PersonDraft } from './person';
import { BIRTH_PROVINCES } from './places';
import { Random } from './random';
import type { FacilityRow, PersonRecords } from './rows';

/**
 * The synthetic population: a registry of citizens and the insurance records VSS holds about
 * them, generated one person at a time so that a hundred million people need no more memory
 * than a hundred. Same options (seed, size, reference date, rates) → the same rows, always.
 */

export interface GeneratorOptions {
  /**
   * People to generate, demo people included: each a registry citizen. The registry also gets
   * the few citizens some discrepancies need beside them (a tone-only namesake, the owner of a
   * mistyped ID): about 4 in 1,000 more.
   */
  citizens: number;
  /** 32-bit unsigned seed; default 42. */
  seed?: number;
  /** Reference date 'YYYY-MM-DD' that "today" means in the data; default today in Vietnam. */
  asOf?: string;
  /** Share of participants receiving each discrepancy; unspecified kinds keep their default. */
  rates?: Partial<DiscrepancyRates>;
}

export interface ResolvedGeneratorOptions {
  citizens: number;
  seed: number;
  asOf: string;
  rates: DiscrepancyRates;
}

export interface Population {
  readonly options: ResolvedGeneratorOptions;
  readonly facilityCounts: ReadonlyMap<string, number>;
  readonly facilityCount: number;
  facilities(): Generator<FacilityRow>;
  /** Each call starts over and yields the same people in the same order. */
  people(): Generator<PersonRecords>;
}

export const DEFAULT_SEED = 42;
const PEOPLE_STREAM = 1;
const DEMO_STREAM = 3;
/** Demo people draw from a seed of their own, so they look the same in every population. */
const DEMO_SEED = 0;

/** Share of living citizens with an insurance record (VSS: ~92 % of the population). */
const INSURED_SHARE = 0.92;
/** The dead keep their records only if they died in the last ten years. */
const INSURED_DECEASED_SHARE = 0.6;
const INSURED_DEATHS_WITHIN_DAYS = 3652;

export function resolveGeneratorOptions(options: GeneratorOptions): ResolvedGeneratorOptions {
  const { citizens, seed = DEFAULT_SEED } = options;
  if (!Number.isSafeInteger(citizens) || citizens < 0) {
    throw new RangeError(`citizens must be a whole number ≥ 0, got ${citizens}`);
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer from 0 to 4294967295, got ${seed}`);
  }
  const asOf = options.asOf ?? vietnamDate(Date.now());
  const parsed = parseIsoDate(asOf);
  if (!parsed.ok) throw new RangeError(`asOf: ${parsed.error.message}`);
  // Births run from 1930 and citizen IDs must encode them: keep "today" in this century.
  if (parsed.value < '2000-01-01' || parsed.value > '2099-12-31') {
    throw new RangeError(`asOf ${parsed.value} must fall between 2000-01-01 and 2099-12-31`);
  }
  return { citizens, seed, asOf: parsed.value, rates: resolveRates(options.rates) };
}

export function createPopulation(options: GeneratorOptions): Population {
  const resolved = resolveGeneratorOptions(options);
  const facilityCounts = facilityCountsByProvince(resolved.citizens);
  const facilityCount = [...facilityCounts.values()].reduce((sum, n) => sum + n, 0);
  return {
    options: resolved,
    facilityCounts,
    facilityCount,
    facilities: () => generateFacilities(resolved.seed, facilityCounts),
    people: () => generatePeople(resolved, facilityCounts),
  };
}

function* generatePeople(
  options: ResolvedGeneratorOptions,
  facilityCounts: ReadonlyMap<string, number>,
): Generator<PersonRecords> {
  const asOf = dayOf(options.asOf);
  const month = monthIndexOf(asOf);
  const ctx: GenerationContext = {
    asOf,
    ids: new IdentityAllocator(),
    facilityCounts,
    paymentMonths: [month - 3, month - 2, month - 1],
  };
  // Numbered before anyone else, so the documented unknown ID is the same in every population.
  const unknown = UNKNOWN_DEMO_ID;
  ctx.ids.unknownCitizenId(
    unknown.birthProvinceCode,
    unknown.gender,
    Number(unknown.dateOfBirth.slice(0, 4)),
  );

  for (let index = 0; index < options.citizens; index += 1) {
    if (index < DEMO_CITIZENS.length) {
      const rng = new Random(DEMO_SEED, DEMO_STREAM, index);
      yield buildPerson(ctx, rng, demoDraft(DEMO_CITIZENS[index], asOf));
    } else {
      const rng = new Random(options.seed, PEOPLE_STREAM, index);
      yield buildPerson(ctx, rng, randomDraft(rng, asOf, options.rates));
    }
  }
}

/** The facts of a random person, adjusted where needed so that the drawn discrepancy can apply. */
function randomDraft(rng: Random, asOf: Day, rates: DiscrepancyRates): PersonDraft {
  let birth = sampleBirthDay(rng, asOf);
  const age = ageOn(birth, asOf);
  const gender = sampleGender(rng, age);
  const birthProvinceCode = BIRTH_PROVINCES.sample(rng);
  let death = rng.chance(deathProbability(age)) ? sampleDeathDay(rng, birth, asOf) : null;
  const insured =
    death === null
      ? rng.chance(INSURED_SHARE)
      : death >= asOf - INSURED_DEATHS_WITHIN_DAYS && rng.chance(INSURED_DECEASED_SHARE);
  let discrepancy = insured ? sampleDiscrepancy(rng, rates) : null;

  if (discrepancy === 'DOB_DAY_MONTH_SWAPPED') {
    // Only a day of 1–12 other than the month can be read as a month: move the birthday there.
    const moved = swappableBirthDay(rng, birth);
    if (moved < asOf && (death === null || moved < death)) birth = moved;
    else discrepancy = null;
  } else if (discrepancy === 'DEATH_NOT_RECORDED') {
    death = sampleRecentDeathDay(rng, birth, asOf);
  } else if (discrepancy === 'LEGACY_ID_ONLY' && birthYearOf(birth) > LAST_LEGACY_BIRTH_YEAR) {
    discrepancy = null; // too young ever to have held a CMND
  }
  return {
    birth,
    gender,
    birthProvinceCode,
    death,
    insured,
    discrepancy,
    legacyId: discrepancy === 'LEGACY_ID_ONLY',
  };
}

function swappableBirthDay(rng: Random, birth: Day): Day {
  const { year, month, day } = partsOfDay(birth);
  if (day <= 12 && day !== month) return birth;
  const drawn = rng.between(1, 11);
  return dayFromParts(year, month, drawn >= month ? drawn + 1 : drawn);
}
