import { parseCitizenId, parseLegacyId, parseSocialInsuranceCode } from '@vss/domain';
import { IdentityAllocator } from './identifiers';

describe('IdentityAllocator', () => {
  it('never hands out a registered and an unregistered citizen ID that collide', () => {
    const ids = new IdentityAllocator();
    const issued = new Set<string>();
    for (let i = 0; i < 20_000; i += 1) {
      issued.add(ids.citizenId('079', 'F', 1990));
      issued.add(ids.unknownCitizenId('079', 'F', 1990));
    }
    expect(issued.size).toBe(40_000);
    const wrong = [...issued].filter((id) => {
      const parsed = parseCitizenId(id);
      return (
        !parsed.ok ||
        parsed.value.provinceCode !== '079' ||
        parsed.value.gender !== 'FEMALE' ||
        parsed.value.birthYear !== 1990
      );
    });
    expect(wrong).toEqual([]);
  });

  it('numbers people of each century correctly (20th and 21st century digits)', () => {
    const ids = new IdentityAllocator();
    expect(ids.citizenId('001', 'M', 1945).slice(3, 6)).toBe('045');
    expect(ids.citizenId('001', 'F', 1945).slice(3, 6)).toBe('145');
    expect(ids.citizenId('001', 'M', 2020).slice(3, 6)).toBe('220');
    expect(ids.citizenId('001', 'F', 2020).slice(3, 6)).toBe('320');
  });

  it('issues unique legacy CMNDs and social insurance codes opening with the province number', () => {
    const ids = new IdentityAllocator();
    const legacy = new Set(Array.from({ length: 50_000 }, () => ids.legacyId()));
    expect(legacy.size).toBe(50_000);
    for (const id of [...legacy].slice(0, 100)) expect(parseLegacyId(id).ok).toBe(true);
    const codes = new Set(
      Array.from({ length: 50_000 }, (_, i) => ids.socialInsuranceCode(i % 2 ? '001' : '079')),
    );
    expect(codes.size).toBe(50_000);
    const wrong = [...codes].filter(
      (c) => !parseSocialInsuranceCode(c).ok || !['01', '79'].includes(c.slice(0, 2)),
    );
    expect(wrong).toEqual([]);
  });

  it('is the same for every fresh allocator, so the first-numbered (demo) people keep their numbers', () => {
    const a = new IdentityAllocator();
    const b = new IdentityAllocator();
    expect([a.citizenId('048', 'F', 2023), a.legacyId(), a.socialInsuranceCode('048')]).toEqual([
      b.citizenId('048', 'F', 2023),
      b.legacyId(),
      b.socialInsuranceCode('048'),
    ]);
  });
});
