import { compareNames, nameMatchKey, normalizeName, parsePartialDate, partialDateMatches } from '@vss/domain';
import { nameLevel } from '@vss/domain/match-model';
import fc from 'fast-check';
import { sampleFullName } from './names';
import { Random } from './random';
import {
  abbreviateMiddleName,
  addInvisibleCharacters,
  confuseName,
  ETHNIC_MINORITY_NAMES,
  lookalikeName,
  placeholderBirthDate,
  respellEthnicName,
  toneVariant,
} from './real-record-errors';

/**
 * Each error kind of real records must change a name or date in exactly the way its recorded
 * outcome claims, or the quality figures would score the generator, not the reconciliation.
 */

const arbitraryName = fc
  .record({ seed: fc.nat(), female: fc.boolean(), year: fc.integer({ min: 1930, max: 2025 }) })
  .map(({ seed, female, year }) => ({
    rng: new Random(seed, 11, 0),
    name: sampleFullName(new Random(seed), female ? 'F' : 'M', year, female ? '001' : '079'),
  }));

const each = (check: (rng: Random, name: string) => void) =>
  fc.assert(
    fc.property(arbitraryName, ({ rng, name }) => check(rng, name)),
    { numRuns: 2_000 },
  );

describe('errors of real records', () => {
  it('confuses a name so that even the match key differs (FIELD_MISMATCH)', () =>
    each((rng, name) => expect(compareNames(confuseName(rng, name).value, name)).toBe('DIFFERENT')));

  it('adds characters no reader sees, leaving the name the same (no finding)', () =>
    each((rng, name) => {
      const { value } = addInvisibleCharacters(rng, name);
      expect(value).not.toBe(name);
      expect(compareNames(value, name)).toBe('EXACT');
    }));

  it('writes lookalike letters that agree only after normalisation, never an unchanged name', () =>
    each((rng, name) => {
      const { value } = lookalikeName(rng, name);
      expect(compareNames(value, name)).toBe('NORMALIZED');
    }));

  it('respells an ethnic-minority name so that it agrees only after normalisation', () => {
    const names = fc.constantFrom(...ETHNIC_MINORITY_NAMES.M, ...ETHNIC_MINORITY_NAMES.F);
    fc.assert(
      fc.property(fc.nat(), names, (seed, name) => {
        const { value } = respellEthnicName(new Random(seed), name);
        expect(compareNames(value, name)).toBe('NORMALIZED');
      }),
    );
  });

  it('abbreviates or drops middle names', () =>
    each((rng, name) => expect(nameLevel(abbreviateMiddleName(rng, name).value, name)).toBe('ABBREVIATED')));

  it('gives a namesake differing only in tones: equal by match key, not with diacritics', () =>
    each((rng, name) => {
      const other = toneVariant(rng, name);
      expect(nameMatchKey(other)).toBe(nameMatchKey(name));
      expect(normalizeName(other)).not.toBe(normalizeName(name));
      // Written as a registry writes names: every letter precomposed, no mark left loose.
      expect(other).not.toMatch(/\p{M}/u);
    }));

  it('writes a 00 placeholder that agrees with the date at a coarser precision', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.date({ min: new Date('1930-01-01'), max: new Date('2025-12-31'), noInvalidDate: true }),
        (seed, d) => {
          const iso = d.toISOString().slice(0, 10);
          const { value } = placeholderBirthDate(new Random(seed), iso);
          const parsed = parsePartialDate(value);
          expect(parsed.ok && partialDateMatches(parsed.value, iso) && parsed.value.day === undefined).toBe(
            true,
          );
        },
      ),
    );
  });
});
