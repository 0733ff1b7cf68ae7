import fc from 'fast-check';
import { isoDateArb } from '../test/arbitraries';
import {
  CHILD_OBJECT_GROUP,
  childBenefitLevelPercent,
  childCardValidity,
  isUnderSix,
  sixthBirthday,
} from './child-card';
import { addDays, ageInMonths, compareDates } from './dates';
import { benefitLevelOf, isObjectGroupCode, OBJECT_GROUPS, objectGroupByCode } from './object-groups';

describe('childCardValidity', () => {
  it('extends a card whose sixth birthday falls before the school year to 30 September', () => {
    expect(childCardValidity('2018-01-15')).toEqual({ validFrom: '2018-01-15', validTo: '2024-09-30' });
  });

  it('ends on 30 September for a child who turns six on 30 September', () => {
    expect(childCardValidity('2018-09-30').validTo).toBe('2024-09-30');
  });

  it('ends on the sixth birthday for a child who turns six after 30 September', () => {
    expect(childCardValidity('2018-10-01').validTo).toBe('2024-10-01');
    expect(childCardValidity('2018-12-31').validTo).toBe('2024-12-31');
  });

  it('counts 72 months for a child born on 29 February to 28 February, then extends to 30 September', () => {
    expect(sixthBirthday('2020-02-29')).toBe('2026-02-28');
    expect(childCardValidity('2020-02-29').validTo).toBe('2026-09-30');
  });

  it('is valid from the date of birth, through the sixth birthday, never past 30 September unless born later in the year', () => {
    fc.assert(
      fc.property(isoDateArb(1990, 2090), (dob) => {
        const { validFrom, validTo } = childCardValidity(dob);
        const turnsSix = sixthBirthday(dob);
        const sept30 = `${turnsSix.slice(0, 4)}-09-30`;
        return (
          validFrom === dob &&
          compareDates(validTo, turnsSix) >= 0 &&
          ageInMonths(dob, turnsSix) === 72 &&
          ageInMonths(dob, addDays(turnsSix, -1)) === 71 &&
          (compareDates(turnsSix, sept30) <= 0 ? validTo === sept30 : validTo === turnsSix)
        );
      }),
    );
  });

  it('knows when a child is under six', () => {
    expect(isUnderSix('2018-06-10', '2024-06-09')).toBe(true);
    expect(isUnderSix('2018-06-10', '2024-06-10')).toBe(false);
    expect(isUnderSix('2018-06-10', '2018-06-09')).toBe(false);
  });
});

describe('object groups', () => {
  it('gives children under six (TE) a 100 % benefit level from the table', () => {
    expect(CHILD_OBJECT_GROUP).toBe('TE');
    expect(childBenefitLevelPercent()).toBe(benefitLevelOf('TE'));
    expect(childBenefitLevelPercent()).toBe(100);
  });

  it.each([
    ['HT', 95],
    ['DN', 80],
    ['HC', 80],
    ['CC', 100],
    ['HN', 100],
    ['CN', 95],
    ['BT', 100],
    ['GD', 80],
    ['HS', 80],
    ['SV', 80],
  ] as const)('gives group %s a benefit level of %i %%', (code, level) => {
    expect(benefitLevelOf(code)).toBe(level);
  });

  it('holds each code once, with a level of 80, 95 or 100 and both descriptions', () => {
    expect(new Set(OBJECT_GROUPS.map((g) => g.code)).size).toBe(OBJECT_GROUPS.length);
    for (const group of OBJECT_GROUPS) {
      expect([80, 95, 100]).toContain(group.benefitLevelPercent);
      expect(group.description).not.toBe('');
      expect(group.descriptionVi).not.toBe('');
    }
  });

  it('recognises known codes and rejects unknown ones', () => {
    expect(isObjectGroupCode('TE')).toBe(true);
    expect(isObjectGroupCode('te')).toBe(false);
    expect(isObjectGroupCode('ZZ')).toBe(false);
    expect(objectGroupByCode('HT')?.description).toBe('pensioner');
    expect(objectGroupByCode('ZZ')).toBeUndefined();
  });
});
