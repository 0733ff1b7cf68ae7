import fc from 'fast-check';
import {
  birthJurisdiction,
  deathJurisdiction,
  OFFICE_LEVELS,
  type OfficeArea,
  officeServes,
  type Place,
} from './jurisdiction';

const code = (digits: number) => fc.integer({ min: 1, max: 4 }).map((n) => String(n).padStart(digits, '0'));
const placeArb: fc.Arbitrary<Place> = fc.record(
  { provinceCode: code(3), districtCode: code(3), communeCode: code(5) },
  { requiredKeys: ['provinceCode'] },
);
const officeArb: fc.Arbitrary<OfficeArea> = fc
  .tuple(fc.constantFrom(...OFFICE_LEVELS), placeArb)
  .map(([level, place]) => ({ level, ...place }));

describe('an office serves a place', () => {
  it('never outside its province, at any level', () => {
    fc.assert(
      fc.property(officeArb, placeArb, (office, place) => {
        if (office.provinceCode !== place.provinceCode) expect(officeServes(office, place)).toBe(false);
      }),
    );
  });

  it('everywhere in its province at province level', () => {
    fc.assert(
      fc.property(officeArb, placeArb, (office, place) => {
        const provincial = { ...office, level: 'PROVINCE' as const };
        const inProvince = { ...place, provinceCode: office.provinceCode };
        expect(officeServes(provincial, inProvince)).toBe(true);
      }),
    );
  });

  it('never in another commune when both communes are known', () => {
    fc.assert(
      fc.property(officeArb, placeArb, (office, place) => {
        const commune = { ...office, level: 'COMMUNE' as const };
        if (commune.communeCode && place.communeCode && commune.communeCode !== place.communeCode) {
          expect(officeServes(commune, place)).toBe(false);
        }
      }),
    );
  });

  it('serves a place it contains, and a finer office serves only part of what a coarser one does', () => {
    fc.assert(
      fc.property(officeArb, placeArb, (office, place) => {
        const coarser = { ...office, level: 'PROVINCE' as const };
        if (officeServes(office, place)) expect(officeServes(coarser, place)).toBe(true);
        expect(officeServes(office, { ...office })).toBe(true);
      }),
    );
  });

  it('decides at province level what a registry knows only by province', () => {
    const commune: OfficeArea = {
      level: 'COMMUNE',
      provinceCode: '001',
      districtCode: '005',
      communeCode: '00158',
    };
    expect(officeServes(commune, { provinceCode: '001' })).toBe(true);
    expect(officeServes(commune, { provinceCode: '079' })).toBe(false);
    expect(officeServes(commune, { provinceCode: '001', districtCode: '006' })).toBe(false);
  });
});

describe('jurisdiction over a death (art. 32)', () => {
  it('rests on the last residence whenever it is known, whatever the place of death', () => {
    fc.assert(
      fc.property(officeArb, placeArb, fc.option(placeArb, { nil: undefined }), (office, residence, died) => {
        const decided = deathJurisdiction(office, { lastResidence: residence, placeOfDeath: died });
        expect(decided).toEqual({ within: officeServes(office, residence), basis: 'LAST_RESIDENCE' });
      }),
    );
  });

  it('rests on the place of death only without a residence, and is outside with neither', () => {
    fc.assert(
      fc.property(officeArb, placeArb, (office, died) => {
        expect(deathJurisdiction(office, { placeOfDeath: died })).toEqual({
          within: officeServes(office, died),
          basis: 'PLACE_OF_DEATH',
        });
        expect(deathJurisdiction(office, {})).toEqual({ within: false, basis: 'NO_KNOWN_PLACE' });
      }),
    );
  });
});

describe('jurisdiction over a birth (art. 13)', () => {
  it('is within when either parent lives in the area, and never because of the filed residence alone', () => {
    fc.assert(
      fc.property(
        officeArb,
        fc.array(placeArb, { minLength: 1, maxLength: 2 }),
        placeArb,
        (office, parents, child) => {
          const decided = birthJurisdiction(office, { parentResidences: parents, childResidence: child });
          expect(decided.basis).toBe('PARENT_RESIDENCE');
          expect(decided.within).toBe(parents.some((p) => officeServes(office, p)));
        },
      ),
    );
  });

  it("falls back to the child's residence when no parent's residence is known", () => {
    fc.assert(
      fc.property(officeArb, placeArb, (office, child) => {
        expect(birthJurisdiction(office, { parentResidences: [], childResidence: child })).toEqual({
          within: officeServes(office, child),
          basis: 'CHILD_RESIDENCE',
        });
      }),
    );
  });
});
