import { makeCitizenId, makeLegacyId, makeSocialInsuranceCode } from '@vss/domain';
import { scatter } from './random';
import { shortCodeOf } from './places';
import type { Gender } from './rows';

/**
 * Hands out citizen IDs, legacy CMND numbers and social insurance codes that are unique by
 * construction: a counter per prefix, scattered over the serial range by a fixed bijection.
 * Memory stays flat (one counter per province × sex × birth year, about 12,000) however large
 * the population, and no set of issued numbers is needed to avoid collisions.
 *
 * The bijections do not depend on the seed, so the first people of every population (the demo
 * people) get the same numbers whatever the seed.
 */

const CITIZEN_SERIALS = 1_000_000;
const CITIZEN_FACTOR = 741_793;

const LEGACY_SERIALS = 1_000_000_000;
const LEGACY_FACTOR = 7_654_321;
const LEGACY_OFFSET = 210_437_561;

const INSURANCE_SERIALS = 100_000_000;
const INSURANCE_FACTOR = 48_271;

interface PrefixCounters {
  /** Registered citizens, counted up from the bottom of the serial range. */
  up: number;
  /** IDs the registry does not know, counted down from the top. */
  down: number;
  /** Each prefix gets its own rotation, so first-born serials do not all end alike. */
  offset: number;
}

export class IdentityAllocator {
  private readonly citizens = new Map<string, PrefixCounters>();
  private readonly insurance = new Map<string, PrefixCounters>();
  private legacyIssued = 0;

  /** The next citizen ID for a person born in this province, year and sex. */
  citizenId(provinceCode: string, gender: Gender, birthYear: number): string {
    const counters = this.citizenCounters(provinceCode, gender, birthYear);
    const serial = counters.up;
    counters.up += 1;
    return this.format(provinceCode, gender, birthYear, serial, counters.offset);
  }

  /**
   * A citizen ID that is valid in form but belongs to nobody in the registry: counted down from
   * the top of the serial range, so it can never meet a registered one counted up from the bottom.
   */
  unknownCitizenId(provinceCode: string, gender: Gender, birthYear: number): string {
    const counters = this.citizenCounters(provinceCode, gender, birthYear);
    const serial = CITIZEN_SERIALS - 1 - counters.down;
    counters.down += 1;
    return this.format(provinceCode, gender, birthYear, serial, counters.offset);
  }

  legacyId(): string {
    if (this.legacyIssued >= LEGACY_SERIALS) throw new RangeError('legacy ID serials exhausted');
    const serial = scatter(this.legacyIssued, LEGACY_SERIALS, LEGACY_FACTOR, LEGACY_OFFSET);
    this.legacyIssued += 1;
    return makeLegacyId(serial);
  }

  /** A social insurance code opening with the two-digit number of the province that issues it. */
  socialInsuranceCode(provinceCode: string): string {
    const prefix = shortCodeOf(provinceCode);
    let counters = this.insurance.get(prefix);
    if (!counters) {
      counters = { up: 0, down: 0, offset: offsetOf(prefix, INSURANCE_SERIALS) };
      this.insurance.set(prefix, counters);
    }
    if (counters.up >= INSURANCE_SERIALS)
      throw new RangeError(`social insurance serials exhausted for ${prefix}`);
    const serial = scatter(counters.up, INSURANCE_SERIALS, INSURANCE_FACTOR, counters.offset);
    counters.up += 1;
    return makeSocialInsuranceCode(prefix, serial);
  }

  private citizenCounters(provinceCode: string, gender: Gender, birthYear: number): PrefixCounters {
    const key = `${provinceCode}${gender}${birthYear}`;
    let counters = this.citizens.get(key);
    if (!counters) {
      counters = { up: 0, down: 0, offset: offsetOf(key, CITIZEN_SERIALS) };
      this.citizens.set(key, counters);
    }
    if (counters.up + counters.down >= CITIZEN_SERIALS) {
      throw new RangeError(`citizen ID serials exhausted for province/sex/year ${key}`);
    }
    return counters;
  }

  private format(
    provinceCode: string,
    gender: Gender,
    birthYear: number,
    counter: number,
    offset: number,
  ): string {
    return makeCitizenId({
      provinceCode,
      gender: gender === 'M' ? 'MALE' : 'FEMALE',
      birthYear,
      serial: scatter(counter, CITIZEN_SERIALS, CITIZEN_FACTOR, offset),
    });
  }
}

/** A fixed, seed-independent rotation per prefix (FNV-1a of the prefix text). */
function offsetOf(key: string, modulus: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i += 1) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % modulus;
}
