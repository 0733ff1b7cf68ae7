import { PROVINCES, shortProvinceCode, type Province } from '@vss/domain';
import { commaList, Random, Weighted, words } from './random';

/**
 * Where people live and where clinics are: provinces weighted by population, plausible
 * addresses in the two-level (province, commune) form used since July 2025, and commune
 * and street names that occur all over Vietnam.
 */

// The five centrally-run cities are "Thành phố X"; the other 58 are "tỉnh X".
const CITY_CODES: ReadonlySet<string> = new Set(['001', '031', '048', '079', '092']);

/** "Thành phố Hà Nội", "tỉnh Thanh Hóa": the province as written at the end of an address. */
export function provinceLabel(province: Province): string {
  return CITY_CODES.has(province.code) ? `Thành phố ${province.name}` : `tỉnh ${province.name}`;
}

export const PROVINCE_BY_CODE: ReadonlyMap<string, Province> = new Map(PROVINCES.map((p) => [p.code, p]));

export function provinceOf(code: string): Province {
  const province = PROVINCE_BY_CODE.get(code);
  if (!province) throw new RangeError(`unknown province code ${code}`);
  return province;
}

/** Province of birth registration: as likely as the province's share of the population. */
export const BIRTH_PROVINCES = new Weighted<string>(PROVINCES.map((p) => [p.code, p.populationThousands]));

// Internal migration runs towards the industrial south-east and the two big cities.
const MIGRATION_PULL: Readonly<Record<string, number>> = {
  '079': 3,
  '074': 4,
  '001': 2,
  '075': 2,
  '048': 2,
  '027': 2,
};

const MIGRATION_DESTINATIONS = new Weighted<string>(
  PROVINCES.map((p) => [p.code, p.populationThousands * (MIGRATION_PULL[p.code] ?? 1)]),
);

/** Most people still live in the province where their birth was registered. */
export function sampleResidenceProvince(rng: Random, birthProvinceCode: string): string {
  return rng.chance(0.85) ? birthProvinceCode : MIGRATION_DESTINATIONS.sample(rng);
}

const PLACE_FIRST = words(`
  Tân Phú An Bình Hòa Long Thạnh Mỹ Vĩnh Hưng Đông Tây Nam Bắc Thuận Phước Thanh Xuân Quảng Yên Đại
  Hải Trung Minh Cẩm Kim Hồng Quang Đức Hiệp Ngọc Sơn
`);

const PLACE_SECOND = words(`
  Phú An Bình Hòa Lợi Thành Hưng Lộc Thịnh Sơn Lâm Hải Tiến Phong Thắng Lập Mỹ Long Thọ Khánh Hiệp
  Trung Đông Tân Thuận Phước Định Quang Xuân Nghĩa
`);

/** A two-syllable commune or ward name such as "Tân Phú" or "Hòa Bình". */
export function sampleCommuneName(rng: Random): string {
  const first = rng.pick(PLACE_FIRST);
  let second = rng.pick(PLACE_SECOND);
  if (second === first) second = PLACE_SECOND[(PLACE_SECOND.indexOf(second) + 1) % PLACE_SECOND.length];
  return `${first} ${second}`;
}

// Streets are named after the same national heroes and writers in every city.
const STREETS = commaList(`
  Lê Lợi, Trần Hưng Đạo, Nguyễn Trãi, Hai Bà Trưng, Lý Thường Kiệt, Quang Trung, Nguyễn Huệ,
  Lê Duẩn, Hùng Vương, Phan Chu Trinh, Phan Bội Châu, Nguyễn Du, Lê Lai, Trần Phú, Võ Thị Sáu,
  Điện Biên Phủ, Nguyễn Thị Minh Khai, Lê Thánh Tông, Ngô Quyền, Đinh Tiên Hoàng, Lý Thái Tổ,
  Trần Quốc Toản, Bà Triệu, Hoàng Diệu, Nguyễn Văn Cừ, Lê Hồng Phong, Tôn Đức Thắng,
  Nguyễn Đình Chiểu, Cách Mạng Tháng Tám, Võ Nguyên Giáp, Phạm Văn Đồng, Nguyễn Chí Thanh,
  Hoàng Văn Thụ, Chu Văn An, Nguyễn Khuyến, Pasteur, Yersin, Lạc Long Quân, Âu Cơ,
  Nguyễn Tất Thành
`);

/**
 * A permanent-residence address: "Số 12, đường Lê Lợi, phường Tân Phú, Thành phố Hà Nội"
 * in towns, "Thôn 3, xã Hòa Bình, tỉnh Nghệ An" or a numbered house on a road in the countryside.
 */
export function sampleAddress(rng: Random, provinceCode: string): string {
  const province = provinceLabel(provinceOf(provinceCode));
  const urban = rng.chance(CITY_CODES.has(provinceCode) ? 0.85 : 0.35);
  const commune = sampleCommuneName(rng);
  const house = `Số ${rng.between(1, 350)}`;
  if (urban) return `${house}, đường ${rng.pick(STREETS)}, phường ${commune}, ${province}`;
  if (rng.chance(0.5)) return `Thôn ${rng.between(1, 15)}, xã ${commune}, ${province}`;
  return `${house}, đường ${rng.pick(STREETS)}, xã ${commune}, ${province}`;
}

/** The two-digit province number that opens facility codes and social insurance codes. */
export function shortCodeOf(provinceCode: string): string {
  return shortProvinceCode(provinceCode);
}
