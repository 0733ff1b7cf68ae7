/**
 * A province (or centrally-run city) as coded in the first three digits of the citizen ID:
 * the province where the birth was registered.
 */
export type Province = {
  /** Three digits, e.g. '001' (Hà Nội), '079' (Hồ Chí Minh). */
  code: string;
  name: string;
  /** 2019 census population in thousands, rounded; only for weighting synthetic data. */
  populationThousands: number;
};

/**
 * The 63 codes in force before the 2025 provincial mergers (Circular 07/2016/TT-BCA, carried
 * over by Circular 59/2021/TT-BCA). They follow the General Statistics Office's administrative
 * codes, which is why the list has gaps (003, 005, … belonged to provinces split or merged
 * long ago). Citizen IDs issued before the mergers keep these codes for life, so the list
 * stays valid for parsing even after 2025.
 */
const PROVINCE_ROWS: Province[] = [
  { code: '001', name: 'Hà Nội', populationThousands: 8054 },
  { code: '002', name: 'Hà Giang', populationThousands: 854 },
  { code: '004', name: 'Cao Bằng', populationThousands: 530 },
  { code: '006', name: 'Bắc Kạn', populationThousands: 314 },
  { code: '008', name: 'Tuyên Quang', populationThousands: 785 },
  { code: '010', name: 'Lào Cai', populationThousands: 731 },
  { code: '011', name: 'Điện Biên', populationThousands: 599 },
  { code: '012', name: 'Lai Châu', populationThousands: 460 },
  { code: '014', name: 'Sơn La', populationThousands: 1248 },
  { code: '015', name: 'Yên Bái', populationThousands: 822 },
  { code: '017', name: 'Hòa Bình', populationThousands: 854 },
  { code: '019', name: 'Thái Nguyên', populationThousands: 1287 },
  { code: '020', name: 'Lạng Sơn', populationThousands: 782 },
  { code: '022', name: 'Quảng Ninh', populationThousands: 1321 },
  { code: '024', name: 'Bắc Giang', populationThousands: 1804 },
  { code: '025', name: 'Phú Thọ', populationThousands: 1464 },
  { code: '026', name: 'Vĩnh Phúc', populationThousands: 1152 },
  { code: '027', name: 'Bắc Ninh', populationThousands: 1369 },
  { code: '030', name: 'Hải Dương', populationThousands: 1893 },
  { code: '031', name: 'Hải Phòng', populationThousands: 2029 },
  { code: '033', name: 'Hưng Yên', populationThousands: 1253 },
  { code: '034', name: 'Thái Bình', populationThousands: 1861 },
  { code: '035', name: 'Hà Nam', populationThousands: 853 },
  { code: '036', name: 'Nam Định', populationThousands: 1781 },
  { code: '037', name: 'Ninh Bình', populationThousands: 983 },
  { code: '038', name: 'Thanh Hóa', populationThousands: 3641 },
  { code: '040', name: 'Nghệ An', populationThousands: 3328 },
  { code: '042', name: 'Hà Tĩnh', populationThousands: 1289 },
  { code: '044', name: 'Quảng Bình', populationThousands: 896 },
  { code: '045', name: 'Quảng Trị', populationThousands: 633 },
  { code: '046', name: 'Thừa Thiên Huế', populationThousands: 1129 },
  { code: '048', name: 'Đà Nẵng', populationThousands: 1135 },
  { code: '049', name: 'Quảng Nam', populationThousands: 1496 },
  { code: '051', name: 'Quảng Ngãi', populationThousands: 1232 },
  { code: '052', name: 'Bình Định', populationThousands: 1487 },
  { code: '054', name: 'Phú Yên', populationThousands: 873 },
  { code: '056', name: 'Khánh Hòa', populationThousands: 1232 },
  { code: '058', name: 'Ninh Thuận', populationThousands: 591 },
  { code: '060', name: 'Bình Thuận', populationThousands: 1231 },
  { code: '062', name: 'Kon Tum', populationThousands: 541 },
  { code: '064', name: 'Gia Lai', populationThousands: 1514 },
  { code: '066', name: 'Đắk Lắk', populationThousands: 1870 },
  { code: '067', name: 'Đắk Nông', populationThousands: 623 },
  { code: '068', name: 'Lâm Đồng', populationThousands: 1297 },
  { code: '070', name: 'Bình Phước', populationThousands: 995 },
  { code: '072', name: 'Tây Ninh', populationThousands: 1170 },
  { code: '074', name: 'Bình Dương', populationThousands: 2427 },
  { code: '075', name: 'Đồng Nai', populationThousands: 3097 },
  { code: '077', name: 'Bà Rịa - Vũng Tàu', populationThousands: 1149 },
  { code: '079', name: 'Hồ Chí Minh', populationThousands: 8993 },
  { code: '080', name: 'Long An', populationThousands: 1689 },
  { code: '082', name: 'Tiền Giang', populationThousands: 1765 },
  { code: '083', name: 'Bến Tre', populationThousands: 1289 },
  { code: '084', name: 'Trà Vinh', populationThousands: 1010 },
  { code: '086', name: 'Vĩnh Long', populationThousands: 1023 },
  { code: '087', name: 'Đồng Tháp', populationThousands: 1600 },
  { code: '089', name: 'An Giang', populationThousands: 1908 },
  { code: '091', name: 'Kiên Giang', populationThousands: 1724 },
  { code: '092', name: 'Cần Thơ', populationThousands: 1236 },
  { code: '093', name: 'Hậu Giang', populationThousands: 734 },
  { code: '094', name: 'Sóc Trăng', populationThousands: 1200 },
  { code: '095', name: 'Bạc Liêu', populationThousands: 907 },
  { code: '096', name: 'Cà Mau', populationThousands: 1194 },
];

/** The province table, frozen so that no caller can edit it for everyone else. */
export const PROVINCES: readonly Province[] = Object.freeze(
  PROVINCE_ROWS.map((p) => Object.freeze({ ...p })),
);

const BY_CODE: ReadonlyMap<string, Province> = new Map(PROVINCES.map((p) => [p.code, p]));

/** The province with this three-digit code, or undefined. */
export function provinceByCode(code: string): Province | undefined {
  return BY_CODE.get(code);
}

/** True when the code is one of the 63 three-digit province codes. */
export function isProvinceCode(code: string): boolean {
  return BY_CODE.has(code);
}

/**
 * The two-digit form of a province code ('079' → '79') used as the prefix of social
 * insurance codes and on HI cards; throws RangeError for an unknown code.
 */
export function shortProvinceCode(code: string): string {
  if (!BY_CODE.has(code)) throw new RangeError(`unknown province code ${JSON.stringify(code)}`);
  return code.slice(1);
}
