import { parseCitizenId } from '@vss/domain';
import { DEMO_CITIZENS, DEMO_PEOPLE, type DemoKey } from './demo-people';
import { createPopulation } from './generator';
import type { PersonRecords } from './rows';

const AS_OF = '2025-11-23';

function demoRecords(seed: number, asOf: string): Map<DemoKey, PersonRecords> {
  const people = [...createPopulation({ citizens: 500, seed, asOf }).people()];
  return new Map(DEMO_CITIZENS.map((demo, i) => [demo.key, people[i]]));
}

describe('DEMO_PEOPLE', () => {
  it.each([
    [42, AS_OF],
    [7, '2026-06-30'],
  ])('opens every population with the documented people and numbers (seed %d, as of %s)', (seed, asOf) => {
    const records = demoRecords(seed, asOf);
    for (const demo of DEMO_CITIZENS) {
      const person = records.get(demo.key)!;
      expect(person.citizen).toMatchObject({
        citizenId: demo.citizenId,
        legacyId: demo.legacyId,
        fullName: demo.fullName,
        dateOfBirth: demo.dateOfBirth,
        gender: demo.gender,
        birthProvinceCode: demo.birthProvinceCode,
      });
      expect(person.participants[0]?.socialInsuranceCode ?? null).toBe(demo.socialInsuranceCode);
    }
  });

  it('shows what each demo person is documented to show', () => {
    const r = demoRecords(42, AS_OF);
    const card = (key: DemoKey) => r.get(key)!.cards[0];
    expect(card('COVERED_ADULT')).toMatchObject({ objectGroup: 'DN', suspended: false, endedOn: null });
    expect(card('COVERED_ADULT').validFrom <= AS_OF && card('COVERED_ADULT').validTo! >= AS_OF).toBe(true);
    expect(card('CHILD_UNDER_6')).toMatchObject({
      objectGroup: 'TE',
      benefitLevelPercent: 100,
      validFrom: '2023-05-20',
      validTo: '2029-09-30',
    });
    expect(card('EXPIRED_CARD').validTo! < AS_OF).toBe(true);
    expect(card('NOT_YET_VALID_CARD').validFrom > AS_OF).toBe(true);
    expect(card('SUSPENDED_CARD').suspended).toBe(true);
    expect(card('PENSIONER').objectGroup).toBe('HT');
    expect(r.get('PENSIONER')!.payments).toHaveLength(3);

    const deceased = r.get('DECEASED')!;
    expect(deceased.citizen.dateOfDeath).toBe('2025-10-14');
    expect(deceased.participants[0].deceasedOn).toBe('2025-10-14');
    expect(deceased.cards[0].endedOn).toBe('2025-10-14');
    expect(deceased.benefits[0]).toMatchObject({
      kind: 'PENSION',
      stoppedFrom: '2025-11-01',
      stopReason: 'DECEASED',
    });

    const active = r.get('DECEASED_BUT_ACTIVE')!;
    expect(active.citizen.dateOfDeath).toBe('2025-08-10');
    expect(active.truth).toEqual([
      expect.objectContaining({ outcome: 'DECEASED_BUT_ACTIVE', citizenId: active.citizen.citizenId }),
    ]);
    expect(active.truth[0].detail.paymentsAfterDeath).toBe(2);

    const legacy = r.get('LEGACY_ID_ONLY')!;
    expect(legacy.participants[0]).toMatchObject({ citizenId: null, legacyId: legacy.citizen.legacyId });
    expect(legacy.truth[0].outcome).toBe('LEGACY_ID_RESOLVED');
    expect(r.get('NO_INSURANCE')!.participants).toEqual([]);
    for (const key of ['COVERED_ADULT', 'CHILD_UNDER_6', 'PENSIONER', 'NO_INSURANCE'] as DemoKey[]) {
      expect(r.get(key)!.truth).toEqual([]);
    }
  });

  it('documents an unknown citizen ID that is well formed and held by nobody', () => {
    const unknown = DEMO_PEOPLE.find((p) => p.key === 'UNKNOWN_ID')!;
    expect(parseCitizenId(unknown.citizenId).ok).toBe(true);
    const people = [...createPopulation({ citizens: 20_000, seed: 42, asOf: AS_OF }).people()];
    const ids = new Set(
      people.flatMap((p) => [p.citizen.citizenId, ...p.participants.map((r) => r.citizenId)]),
    );
    expect(ids.has(unknown.citizenId)).toBe(false);
  });

  it('starts a population smaller than the demo list with as many demo people as fit', () => {
    const people = [...createPopulation({ citizens: 3, seed: 1, asOf: AS_OF }).people()];
    expect(people.map((p) => p.citizen.citizenId)).toEqual(DEMO_CITIZENS.slice(0, 3).map((d) => d.citizenId));
  });
});
