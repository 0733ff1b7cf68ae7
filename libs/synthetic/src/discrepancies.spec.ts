import { compareNames, partialDateMatches, parsePartialDate } from '@vss/domain';
import fc from 'fast-check';
import {
  alterNameForm,
  canSwapDayAndMonth,
  coarsenBirthDate,
  DEFAULT_DISCREPANCY_RATES,
  DISCREPANCY_KINDS,
  misspellName,
  resolveRates,
  sampleDiscrepancy,
  swapDayAndMonth,
} from './discrepancies';
import { sampleFullName } from './names';
import { Random } from './random';

const arbitraryName = fc
  .record({ seed: fc.nat(), female: fc.boolean(), year: fc.integer({ min: 1930, max: 2025 }) })
  .map(({ seed, female, year }) => ({
    rng: new Random(seed, 9, 0),
    name: sampleFullName(new Random(seed), female ? 'F' : 'M', year, female ? '001' : '079'),
  }));

describe('name discrepancies', () => {
  it('alters the form of a name so that it matches only after normalisation', () => {
    fc.assert(
      fc.property(arbitraryName, ({ rng, name }) => {
        const { value } = alterNameForm(rng, name);
        expect(compareNames(value, name)).toBe('NORMALIZED');
      }),
      { numRuns: 2_000 },
    );
  });

  it('misspells a name so that even the match key differs', () => {
    fc.assert(
      fc.property(arbitraryName, ({ rng, name }) => {
        const { value } = misspellName(rng, name);
        expect(compareNames(value, name)).toBe('DIFFERENT');
        expect(value.split(' ')[0]).toBe(name.split(' ')[0]); // the surname is left alone
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('birth-date discrepancies', () => {
  const isoDate = fc
    .date({
      min: new Date('1930-01-01T00:00:00Z'),
      max: new Date('2025-12-31T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString().slice(0, 10));

  it('swaps day and month into another real date when the day can be read as a month', () => {
    fc.assert(
      fc.property(isoDate, (date) => {
        fc.pre(canSwapDayAndMonth(date));
        const swapped = swapDayAndMonth(date);
        expect(swapped).not.toBe(date);
        expect(parsePartialDate(swapped).ok).toBe(true);
        expect(swapDayAndMonth(swapped)).toBe(date);
      }),
    );
  });

  it('coarsens a birth date to a year or month that still agrees with it', () => {
    fc.assert(
      fc.property(isoDate, fc.nat(), (date, seed) => {
        const { value } = coarsenBirthDate(new Random(seed), date);
        const partial = parsePartialDate(value);
        expect(partial.ok && partialDateMatches(partial.value, date)).toBe(true);
        expect(value.length).toBeLessThan(date.length);
      }),
    );
  });
});

describe('discrepancy rates', () => {
  it('draws kinds at their rates, and at most one per participant', () => {
    const rng = new Random(5);
    const counts = new Map<string, number>();
    const draws = 200_000;
    for (let i = 0; i < draws; i += 1) {
      const kind = sampleDiscrepancy(rng, DEFAULT_DISCREPANCY_RATES);
      if (kind) counts.set(kind, (counts.get(kind) ?? 0) + 1);
    }
    for (const kind of DISCREPANCY_KINDS) {
      const observed = (counts.get(kind) ?? 0) / draws;
      expect(Math.abs(observed - DEFAULT_DISCREPANCY_RATES[kind])).toBeLessThan(0.0015);
    }
  });

  it('keeps defaults for kinds not overridden and refuses impossible rates', () => {
    expect(resolveRates({ NAME_TYPO: 0.02 })).toEqual({ ...DEFAULT_DISCREPANCY_RATES, NAME_TYPO: 0.02 });
    expect(() => resolveRates({ NAME_TYPO: Number.NaN })).toThrow(RangeError);
    expect(() => resolveRates({ NAME_TYPO: 0.99 })).toThrow(/add up/);
  });
});
