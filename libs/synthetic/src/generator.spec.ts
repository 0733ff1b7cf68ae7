import { childCardValidity, isUnderSix, parseCitizenId } from '@vss/domain';
import { createPopulation } from './generator';
import { GIVEN_NAME_TABLES, SURNAME_SHARES } from './names';
import type { CitizenRow, PersonRecords, TruthRow } from './rows';
import { AS_OF, domainGender, generatePeople } from './spec-support';

/**
 * The generator as a whole, without a database: 20,000 people generated once and checked for
 * determinism, valid identities and realistic shares. The truth table has truth.spec.ts.
 */

const SIZE = 20_000;

let people: PersonRecords[];
let citizensById: Map<string, CitizenRow>;
let truthByCode: Map<string, TruthRow>;

beforeAll(() => {
  people = generatePeople(SIZE);
  citizensById = new Map(people.map((p) => [p.citizen.citizenId, p.citizen]));
  truthByCode = new Map(people.flatMap((p) => p.truth.map((t) => [t.socialInsuranceCode, t] as const)));
});

const participants = () => people.flatMap((p) => p.participants);
const share = (part: number, whole: number) => part / whole;

describe('determinism', () => {
  it('yields identical rows for the same seed, and again on a second pass', () => {
    const population = createPopulation({ citizens: 3_000, seed: 7, asOf: AS_OF });
    const first = JSON.stringify([...population.people()]);
    expect(JSON.stringify([...population.people()])).toBe(first);
    expect(JSON.stringify([...createPopulation({ citizens: 3_000, seed: 7, asOf: AS_OF }).people()])).toBe(
      first,
    );
    expect(JSON.stringify([...population.facilities()])).toBe(
      JSON.stringify([...createPopulation({ citizens: 3_000, seed: 7, asOf: AS_OF }).facilities()]),
    );
  });

  it('yields different people for another seed', () => {
    const a = [...createPopulation({ citizens: 200, seed: 1, asOf: AS_OF }).people()].slice(20);
    const b = [...createPopulation({ citizens: 200, seed: 2, asOf: AS_OF }).people()].slice(20);
    const same = a.filter((p, i) => p.citizen.fullName === b[i].citizen.fullName).length;
    expect(same).toBeLessThan(a.length / 5);
  });

  it('streams lazily: the first people of a hundred-million population come at once', () => {
    const started = Date.now();
    const iterator = createPopulation({ citizens: 100_000_000, seed: 1, asOf: AS_OF }).people();
    for (let i = 0; i < 100; i += 1) iterator.next();
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('registry citizens', () => {
  it('have unique citizen IDs that parse and agree with province, birth year and sex', () => {
    expect(citizensById.size).toBe(SIZE);
    // Problems are collected and compared once: an expect per row makes this test take seconds.
    const problems: string[] = [];
    for (const c of citizensById.values()) {
      const parsed = parseCitizenId(c.citizenId, { today: AS_OF });
      if (!parsed.ok) problems.push(`${c.citizenId}: ${parsed.error.message}`);
      else if (
        parsed.value.provinceCode !== c.birthProvinceCode ||
        parsed.value.birthYear !== Number(c.dateOfBirth.slice(0, 4)) ||
        parsed.value.gender !== domainGender(c.gender)
      ) {
        problems.push(`${c.citizenId} disagrees with ${c.birthProvinceCode} ${c.dateOfBirth} ${c.gender}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('hold unique legacy CMNDs, for about 30 % of adults born before 1990', () => {
    const legacy = people.map((p) => p.citizen.legacyId).filter((id): id is string => id !== null);
    expect(new Set(legacy).size).toBe(legacy.length);
    expect(legacy.filter((id) => !/^[0-9]{9}$/.test(id))).toEqual([]);
    const older = people.filter((p) => p.citizen.dateOfBirth < '1990');
    const withLegacy = older.filter((p) => p.citizen.legacyId !== null).length;
    expect(share(withLegacy, older.length)).toBeGreaterThan(0.27);
    expect(share(withLegacy, older.length)).toBeLessThan(0.36);
  });

  it('carry surnames near their national shares', () => {
    const counts = new Map<string, number>();
    for (const p of people) {
      const surname = p.citizen.fullName.split(' ')[0];
      const key = SURNAME_SHARES.find(([name]) => name.split('|').includes(surname))?.[0] ?? surname;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const [name, target] of SURNAME_SHARES) {
      const observed = (100 * (counts.get(name) ?? 0)) / SIZE;
      // Name in the assertion, so a failure says which surname drifted.
      expect({ name, drift: Math.abs(observed - target) < Math.max(0.4, target * 0.06) }).toEqual({
        name,
        drift: true,
      });
    }
  });

  it('draw from at least 60 given names per sex, and use Văn and Thị as middle names', () => {
    expect(GIVEN_NAME_TABLES.M.size).toBeGreaterThanOrEqual(60);
    expect(GIVEN_NAME_TABLES.F.size).toBeGreaterThanOrEqual(60);
    const givenNames = new Set(people.map((p) => p.citizen.fullName.split(' ').at(-1)));
    expect(givenNames.size).toBeGreaterThan(100);
    const middle = (g: string) =>
      people.filter((p) => p.citizen.gender === g).map((p) => p.citizen.fullName.split(' ')[1]);
    expect(middle('M').filter((m) => m === 'Văn').length / middle('M').length).toBeGreaterThan(0.2);
    expect(middle('F').filter((m) => m === 'Thị').length / middle('F').length).toBeGreaterThan(0.2);
  });

  it('look like Vietnam: ~8 % under six, ~4 % deceased, deaths among the old', () => {
    const under6 = people.filter((p) => isUnderSix(p.citizen.dateOfBirth, AS_OF)).length;
    expect(share(under6, SIZE)).toBeGreaterThan(0.07);
    expect(share(under6, SIZE)).toBeLessThan(0.09);
    const dead = people.filter((p) => p.citizen.vitalStatus === 'DECEASED');
    expect(share(dead.length, SIZE)).toBeGreaterThan(0.03);
    expect(share(dead.length, SIZE)).toBeLessThan(0.055);
    const deadOver60 = dead.filter((p) => p.citizen.dateOfBirth < '1965').length;
    expect(share(deadOver60, dead.length)).toBeGreaterThan(0.5);
    for (const p of dead) {
      expect(p.citizen.dateOfDeath! > p.citizen.dateOfBirth).toBe(true);
      expect(p.citizen.dateOfDeath! <= AS_OF).toBe(true);
      expect(p.citizen.residenceStatus).toBe('CANCELLED');
    }
  });

  it('mostly live in the province where their birth was registered, at a plausible address', () => {
    const registered = people.filter((p) => p.citizen.residenceStatus === 'REGISTERED');
    const stayed = registered.filter(
      (p) => p.citizen.residenceProvinceCode === p.citizen.birthProvinceCode,
    ).length;
    expect(share(stayed, registered.length)).toBeGreaterThan(0.8);
    for (const p of registered.slice(0, 500)) {
      expect(p.citizen.residenceAddress).toMatch(
        /^(Số \d+, đường .+|Thôn \d+), (phường|xã) .+, (tỉnh|Thành phố) .+$/u,
      );
    }
  });
});

describe('insurance records', () => {
  it('cover about 92 % of the living, with unique 10-digit social insurance codes', () => {
    const living = people.filter((p) => p.citizen.vitalStatus === 'ALIVE');
    // Some records hold no citizen ID, or another person's (the truth says whose they are).
    const insured = living.filter((p) => p.participants.length > 0).length;
    expect(share(insured, living.length)).toBeGreaterThan(0.9);
    expect(share(insured, living.length)).toBeLessThan(0.94);
    const codes = participants().map((r) => r.socialInsuranceCode);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes.filter((code) => !/^[0-9]{10}$/.test(code))).toEqual([]);
  });

  it('give every child card the 72-month validity of the TE group, and every covered child under six one', () => {
    // A NOT_IN_REGISTRY record is a person of its own, not the citizen it was generated beside.
    const cards = people.flatMap((p) =>
      p.cards.map((card) => {
        const t = truthByCode.get(card.socialInsuranceCode);
        const dateOfBirth =
          t?.outcome === 'NOT_IN_REGISTRY' ? (t.detail.dateOfBirth as string) : p.citizen.dateOfBirth;
        const alive = t?.outcome === 'NOT_IN_REGISTRY' || p.citizen.vitalStatus === 'ALIVE';
        return { card, dateOfBirth, alive };
      }),
    );
    const te = cards.filter(({ card }) => card.objectGroup === 'TE');
    expect(te.length).toBeGreaterThan(SIZE * 0.06);
    for (const { card, dateOfBirth } of te) {
      expect(card.validFrom).toBe(dateOfBirth);
      expect(card.validTo).toBe(childCardValidity(dateOfBirth).validTo);
      expect(card.benefitLevelPercent).toBe(100);
    }
    const livingChildren = cards.filter(({ dateOfBirth, alive }) => alive && isUnderSix(dateOfBirth, AS_OF));
    expect(livingChildren.length).toBeGreaterThan(0);
    for (const { card } of livingChildren) expect(card.objectGroup).toBe('TE');
  });

  it('make about 3 % of participants pensioners, paid for the last three months', () => {
    const pensions = people.flatMap((p) => p.benefits).filter((b) => b.kind === 'PENSION');
    expect(share(pensions.length, participants().length)).toBeGreaterThan(0.02);
    expect(share(pensions.length, participants().length)).toBeLessThan(0.045);
    const periods = new Set(people.flatMap((p) => p.payments.map((pay) => pay.period)));
    expect([...periods].sort()).toEqual(['2025-08', '2025-09', '2025-10']);
  });

  it('keep most cards valid on the reference date, with some expired, not yet valid and suspended', () => {
    const cards = people.flatMap((p) => p.cards).filter((c) => c.endedOn === null);
    const validToday = cards.filter(
      (c) => c.validFrom <= AS_OF && (c.validTo === null || c.validTo >= AS_OF) && !c.suspended,
    ).length;
    expect(share(validToday, cards.length)).toBeGreaterThan(0.85);
    expect(cards.some((c) => c.validTo !== null && c.validTo < AS_OF)).toBe(true);
    expect(cards.some((c) => c.validFrom > AS_OF)).toBe(true);
    expect(cards.some((c) => c.suspended)).toBe(true);
  });

  it('register every card with a primary-care facility of the participant’s province', () => {
    const population = createPopulation({ citizens: SIZE, seed: 42, asOf: AS_OF });
    const facilities = new Map([...population.facilities()].map((f) => [f.facilityCode, f]));
    expect(facilities.size).toBe(population.facilityCount);
    expect(population.facilityCount).toBe(63); // one per province at least, above 20,000 / 700
    expect(createPopulation({ citizens: 1_000_000 }).facilityCount).toBe(Math.round(1_000_000 / 700));
    expect(createPopulation({ citizens: 100_000_000 }).facilityCount).toBe(12_900);
    const provinceOf = new Map(participants().map((r) => [r.socialInsuranceCode, r.provinceCode]));
    // A record kept in a third province keeps the card its person was issued where they live.
    const elsewhere = new Set(
      people
        .flatMap((p) => p.truth)
        .filter((t) => t.detail.kind === 'MISSING_ID_THIRD_PROVINCE')
        .map((t) => t.socialInsuranceCode),
    );
    expect(elsewhere.size).toBeGreaterThan(0);
    for (const card of people.flatMap((p) => p.cards).filter((c) => !elsewhere.has(c.socialInsuranceCode))) {
      const facility = facilities.get(card.primaryCareFacilityCode);
      expect(facility?.provinceCode).toBe(provinceOf.get(card.socialInsuranceCode));
    }
  });
});
