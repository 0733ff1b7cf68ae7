import { isProvinceCode, PROVINCES, provinceByCode, shortProvinceCode } from './provinces';

describe('provinces', () => {
  it('lists the 63 pre-2025 provinces, each code once, in code order', () => {
    expect(PROVINCES).toHaveLength(63);
    const codes = PROVINCES.map((p) => p.code);
    expect(new Set(codes).size).toBe(63);
    expect([...codes].sort()).toEqual(codes);
    expect(codes.every((c) => /^0\d\d$/.test(c))).toBe(true);
  });

  it('knows Hà Nội, Hồ Chí Minh and Cà Mau by their codes', () => {
    expect(provinceByCode('001')?.name).toBe('Hà Nội');
    expect(provinceByCode('079')?.name).toBe('Hồ Chí Minh');
    expect(provinceByCode('096')?.name).toBe('Cà Mau');
    expect(provinceByCode('048')?.name).toBe('Đà Nẵng');
  });

  it('leaves the gaps of the code list unassigned', () => {
    for (const gap of ['000', '003', '005', '007', '009', '013', '016', '018', '097', '100']) {
      expect(isProvinceCode(gap)).toBe(false);
    }
  });

  it('adds up to roughly the 2019 census population of 96.2 million', () => {
    const total = PROVINCES.reduce((sum, p) => sum + p.populationThousands, 0);
    expect(total).toBeGreaterThan(95_000);
    expect(total).toBeLessThan(97_500);
  });

  it('cannot be edited by a caller', () => {
    expect(Object.isFrozen(PROVINCES)).toBe(true);
    expect(Object.isFrozen(PROVINCES[0])).toBe(true);
  });

  it('gives the two-digit form used by social insurance codes', () => {
    expect(shortProvinceCode('079')).toBe('79');
    expect(() => shortProvinceCode('003')).toThrow(RangeError);
  });
});
