import { PROVINCES } from '@vss/domain';
import { provinceLabel, provinceOf, sampleCommuneName, shortCodeOf } from './places';
import { Random } from './random';
import type { FacilityRow } from './rows';

/**
 * Clinics and hospitals (cơ sở KCB). Real facility codes are five digits: the two-digit
 * province number and a three-digit serial ("01001" is in Hà Nội). Every province has at least
 * one, so every participant can be registered for primary care in their own province.
 */

/** About one facility per this many people in a small population. */
export const PEOPLE_PER_FACILITY = 700;
/** Roughly the number of facilities that check HI coverage nationwide. */
export const NATIONAL_FACILITY_COUNT = 12_900;
const MIN_FACILITIES = 50;
/** Three serial digits per province. */
const MAX_PER_PROVINCE = 999;

export const FACILITY_STREAM = 2;

/**
 * Facilities per province: one each (every participant needs a primary-care facility in their
 * own province), the rest shared in proportion to population by largest remainder, at most
 * 999 per province. Only these 63 counts are kept: any facility can be rebuilt from them.
 */
export function facilityCountsByProvince(citizens: number): Map<string, number> {
  const wanted = Math.round(citizens / PEOPLE_PER_FACILITY);
  const total = Math.max(
    PROVINCES.length,
    Math.min(NATIONAL_FACILITY_COUNT, Math.max(MIN_FACILITIES, wanted)),
  );
  const shared = total - PROVINCES.length;
  const population = PROVINCES.reduce((sum, p) => sum + p.populationThousands, 0);
  const quotas = PROVINCES.map((p) => {
    const exact = (shared * p.populationThousands) / population;
    return { code: p.code, count: Math.min(MAX_PER_PROVINCE, 1 + Math.floor(exact)), remainder: exact % 1 };
  });
  let missing = total - quotas.reduce((sum, q) => sum + q.count, 0);
  const byRemainder = [...quotas].sort((a, b) => b.remainder - a.remainder || a.code.localeCompare(b.code));
  // Terminates: the national count (12,900) is far below 63 × 999.
  for (let i = 0; missing > 0; i += 1) {
    const q = byRemainder[i % byRemainder.length];
    if (q.count < MAX_PER_PROVINCE) {
      q.count += 1;
      missing -= 1;
    }
  }
  return new Map(quotas.map((q) => [q.code, q.count]));
}

export function facilityCode(provinceCode: string, serial: number): string {
  return `${shortCodeOf(provinceCode)}${String(serial).padStart(3, '0')}`;
}

/** Shares of the levels after the provincial hospital; the rest are commune health stations. */
const DISTRICT_SHARE = 0.08;
const CLINIC_SHARE = 0.06;

/** One facility, rebuilt from its province and serial (serial 1 is the provincial hospital). */
export function facilityRow(
  seed: number,
  provinceCode: string,
  serial: number,
  countInProvince: number,
): FacilityRow {
  const province = provinceOf(provinceCode);
  const rng = new Random(seed, FACILITY_STREAM, Number(provinceCode) * 1000 + serial);
  const place = sampleCommuneName(rng);
  const where = provinceLabel(province);
  const districtEnd = 1 + Math.round(countInProvince * DISTRICT_SHARE);
  const clinicEnd = districtEnd + Math.round(countInProvince * CLINIC_SHARE);
  const code = facilityCode(provinceCode, serial);
  if (serial === 1) {
    return {
      facilityCode: code,
      name: `Bệnh viện Đa khoa ${where}`,
      provinceCode,
      address: where,
      level: 'province',
    };
  }
  if (serial <= districtEnd) {
    const name = rng.chance(0.5) ? `Trung tâm Y tế khu vực ${place}` : `Bệnh viện Đa khoa khu vực ${place}`;
    return { facilityCode: code, name, provinceCode, address: `${place}, ${where}`, level: 'district' };
  }
  if (serial <= clinicEnd) {
    return {
      facilityCode: code,
      name: `Phòng khám Đa khoa ${place}`,
      provinceCode,
      address: `Số ${rng.between(1, 300)}, phường ${place}, ${where}`,
      level: 'clinic',
    };
  }
  const commune = rng.chance(0.3) ? 'phường' : 'xã';
  return {
    facilityCode: code,
    name: `Trạm Y tế ${commune} ${place}`,
    provinceCode,
    address: `${commune} ${place}, ${where}`,
    level: 'commune',
  };
}

/** Every facility, province by province. */
export function* generateFacilities(
  seed: number,
  counts: ReadonlyMap<string, number>,
): Generator<FacilityRow> {
  for (const [provinceCode, count] of counts) {
    for (let serial = 1; serial <= count; serial += 1) yield facilityRow(seed, provinceCode, serial, count);
  }
}

/** A primary-care facility in the province, drawn uniformly: the code alone, no list in memory. */
export function samplePrimaryCareFacility(
  rng: Random,
  provinceCode: string,
  counts: ReadonlyMap<string, number>,
): string {
  const count = counts.get(provinceCode) ?? 1;
  return facilityCode(provinceCode, 1 + rng.int(count));
}
