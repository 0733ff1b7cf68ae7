import fc from 'fast-check';
import { citizenArb, isoDateArb, vietnameseNameArb } from '../test/arbitraries';
import { MODEL } from '../test/model';
import { dateParts } from './dates';
import {
  birthDateLevel,
  COMPARISONS,
  formatEvidence,
  isAbbreviation,
  type MatchModel,
  nameFrequency,
  nameLevel,
  pairWeight,
  scorePair,
  withinOneEdit,
} from './match-model';

/** Optimal string alignment distance, the plain way: the reference withinOneEdit must agree with. */
function osaDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

describe('withinOneEdit', () => {
  it('agrees with the edit distance (substitution, insertion, deletion, swap) (property)', () => {
    const word = fc.string({ unit: fc.constantFrom('a', 'b', 'n', ' '), maxLength: 6 });
    fc.assert(
      fc.property(word, word, (a, b) => withinOneEdit(a, b) === osaDistance(a, b) <= 1),
      { numRuns: 5000 },
    );
  });
});

describe('isAbbreviation', () => {
  it('agrees with the definition on split words, whatever it rejects early (property)', () => {
    // Surname and given name agree, every middle word of the shorter name is a word or an
    // initial of the longer one's in order, and something was shortened.
    const definition = (x: string, y: string) => {
      const [a, b] = [x.split(' '), y.split(' ')];
      const [short, long] = a.length <= b.length ? [a, b] : [b, a];
      if (short.length < 2 || short[0] !== long[0] || short.at(-1) !== long.at(-1)) return false;
      const agree = (w: string, v: string) =>
        w === v || (w.length === 1 && v[0] === w) || (v.length === 1 && w[0] === v);
      let j = 1;
      let shortened = short.length < long.length;
      for (const word of short.slice(1, -1)) {
        while (j < long.length - 1 && !agree(word, long[j])) j += 1;
        if (j >= long.length - 1) return false;
        if (long[j] !== word) shortened = true;
        j += 1;
      }
      return shortened;
    };
    const word = fc.constantFrom('nguyen', 'van', 'v', 'an', 'a', 'thi', 't', 'ngoc', 'n');
    const key = fc.array(word, { minLength: 1, maxLength: 5 }).map((w) => w.join(' '));
    fc.assert(
      fc.property(key, key, (a, b) => isAbbreviation(a, b) === definition(a, b)),
      { numRuns: 5000 },
    );
  });
});

describe('nameLevel', () => {
  it.each([
    ['Nguyễn Văn Tuấn', 'NGUYỄN  văn tuấn', 'EXACT'],
    ['Lê Thị Hoà', 'Lê Thị Hòa', 'EXACT'],
    ['Nguyễn Văn Tuấn', 'Nguyễn Văn Tuân', 'EXACT_WITHOUT_DIACRITICS'],
    ['Trần Thị Hương', 'Trần Thị Hường', 'EXACT_WITHOUT_DIACRITICS'],
    ['Y-Moan Ênuôl', 'Ymoan Ênuôl', 'EXACT'],
    ["H'Hen Niê", 'H Hen Nie', 'EXACT_WITHOUT_DIACRITICS'],
    ['Nguyễn Văn An', 'Nguyễn V. An', 'ABBREVIATED'],
    ['Trần Thị Bích Ngọc', 'Trần Ngọc', 'ABBREVIATED'],
    ['Nguyễn Văn Hùng', 'Nguyễn Văn Hùmg', 'ONE_EDIT'],
    ['Nguyễn Văn Minh Tuấn', 'Nguyễn Minh Văn Tuấn', 'SIMILAR'],
    ['Nguyễn Văn An', 'Phạm Thị Lan', 'OTHER'],
  ])('%s against %s is %s', (a, b, level) => {
    expect(nameLevel(a, b)).toBe(level);
    expect(nameLevel(b, a)).toBe(level);
  });

  it('is EXACT for a name and any spelling of it in case, spacing, Unicode form or invisible characters (property)', () => {
    fc.assert(
      fc.property(vietnameseNameArb, (name) => {
        expect(nameLevel(name, ` ${name.toLocaleUpperCase('vi').normalize('NFD')}\u200b `)).toBe('EXACT');
      }),
    );
  });
});

describe('birthDateLevel', () => {
  it.each([
    [{ year: 1990, month: 5, day: 17 }, '1990-05-17', 'EXACT'],
    [{ year: 1990, month: 5 }, '1990-05-17', 'EXACT_AT_MONTH'],
    [{ year: 1990 }, '1990-05-17', 'EXACT_AT_YEAR'],
    [{ year: 1990, month: 3, day: 11 }, '1990-11-03', 'DAY_MONTH_SWAPPED'],
    [{ year: 1990, month: 5, day: 18 }, '1990-05-17', 'ONE_PART_DIFFERS'],
    [{ year: 1990, month: 6 }, '1990-05-17', 'ONE_PART_DIFFERS'],
    [{ year: 1991, month: 5, day: 17 }, '1990-05-17', 'YEAR_OFF_BY_ONE'],
    [{ year: 1989 }, '1990-05-17', 'YEAR_OFF_BY_ONE'],
    [{ year: 1975 }, '1990-05-17', 'OTHER'],
  ])('%j against %s is %s', (recorded, registry, level) => {
    expect(birthDateLevel(recorded, registry)).toBe(level);
  });

  it('agrees exactly at the precision of any date cut from the registry date (property)', () => {
    fc.assert(
      fc.property(isoDateArb(1930, 2024), (date) => {
        const { year, month, day } = dateParts(date);
        expect(birthDateLevel({ year, month, day }, date)).toBe('EXACT');
        expect(birthDateLevel({ year, month }, date)).toBe('EXACT_AT_MONTH');
        expect(birthDateLevel({ year }, date)).toBe('EXACT_AT_YEAR');
      }),
    );
  });
});

describe('scorePair', () => {
  const truth = {
    fullName: 'Nguyễn Văn Tuấn',
    dateOfBirth: '1988-04-09',
    gender: 'MALE' as const,
    provinceCodes: ['001'],
  };
  const record = {
    fullName: 'Nguyễn Văn Tuấn',
    dateOfBirth: { year: 1988, month: 4, day: 9 },
    gender: 'MALE' as const,
    provinceCode: '001',
  };

  it('puts the exact name above a namesake that differs only in tones', () => {
    const exact = scorePair(MODEL, record, truth);
    const namesake = scorePair(MODEL, record, { ...truth, fullName: 'Nguyễn Văn Tuân' });
    expect(exact.matchWeight).toBeGreaterThan(namesake.matchWeight + 1);
    expect(namesake.evidence[0]).toMatchObject({ field: 'full_name', level: 'EXACT_WITHOUT_DIACRITICS' });
  });

  it('weighs an exact common name less than an exact rare one (term frequency)', () => {
    const common = scorePair(
      MODEL,
      { fullName: 'Nguyễn Văn Hùng' },
      { ...truth, fullName: 'Nguyễn Văn Hùng' },
    );
    const rare = scorePair(MODEL, { fullName: 'Hầu A Páo' }, { ...truth, fullName: 'Hầu A Páo' });
    expect(nameFrequency(MODEL.nameFrequencies, 'nguyen van hung')).toBeGreaterThan(
      nameFrequency(MODEL.nameFrequencies, 'hau a pao'),
    );
    expect(rare.matchWeight).toBeGreaterThan(common.matchWeight);
  });

  it('explains itself: one entry per field present, the weights summing to the match weight (property)', () => {
    fc.assert(
      fc.property(vietnameseNameArb, citizenArb, isoDateArb(1930, 2024), (name, c, date) => {
        const { year, month } = dateParts(date);
        const score = scorePair(
          MODEL,
          { fullName: name, dateOfBirth: { year, month }, gender: c.gender, provinceCode: '079' },
          {
            fullName: c.fullName,
            dateOfBirth: c.dateOfBirth,
            gender: c.gender,
            provinceCodes: [c.provinceCode],
          },
        );
        expect(score.evidence.map((e) => e.field)).toEqual([
          'full_name',
          'date_of_birth',
          'gender',
          'province',
        ]);
        const sum = score.evidence.reduce((s, e) => s + e.weight, 0);
        expect(Math.abs(sum - score.matchWeight)).toBeLessThan(0.05);
        expect(score.probability).toBeGreaterThanOrEqual(0);
        expect(score.probability).toBeLessThanOrEqual(1);
        for (const e of score.evidence) expect(formatEvidence([e])).toContain(e.level);
      }),
    );
  });

  it('weighs a pair by pairWeight exactly as scorePair does, without building the explanation (property)', () => {
    fc.assert(
      fc.property(
        vietnameseNameArb,
        citizenArb,
        isoDateArb(1930, 2024),
        fc.boolean(),
        (name, c, date, partial) => {
          const { year, month, day } = dateParts(date);
          const record = {
            fullName: name,
            dateOfBirth: partial ? { year, month } : { year, month, day },
            gender: c.gender,
            provinceCode: '079',
          };
          const citizen = {
            fullName: c.fullName,
            dateOfBirth: c.dateOfBirth,
            gender: c.gender,
            provinceCodes: [c.provinceCode],
          };
          expect(pairWeight(MODEL, record, citizen)).toBe(scorePair(MODEL, record, citizen).matchWeight);
          expect(pairWeight(MODEL, { ...record, fullName: c.fullName }, citizen)).toBe(
            scorePair(MODEL, { ...record, fullName: c.fullName }, citizen).matchWeight,
          );
        },
      ),
    );
  });

  it('never rises when a field stops agreeing (property)', () => {
    fc.assert(
      fc.property(citizenArb, (c) => {
        const base = {
          fullName: c.fullName,
          dateOfBirth: dateParts(c.dateOfBirth),
          gender: c.gender,
          provinceCode: c.provinceCode,
        };
        const citizen = {
          fullName: c.fullName,
          dateOfBirth: c.dateOfBirth,
          gender: c.gender,
          provinceCodes: [c.provinceCode],
        };
        const all = scorePair(MODEL, base, citizen).matchWeight;
        const flipped = scorePair(
          MODEL,
          { ...base, gender: c.gender === 'MALE' ? 'FEMALE' : 'MALE' },
          citizen,
        ).matchWeight;
        const moved = scorePair(
          MODEL,
          { ...base, provinceCode: c.provinceCode === '001' ? '079' : '001' },
          citizen,
        ).matchWeight;
        expect(flipped).toBeLessThan(all);
        expect(moved).toBeLessThan(all);
      }),
    );
  });

  it('ships a model with every level of every comparison, agreement weighing more than disagreement', () => {
    const model: MatchModel = MODEL;
    for (const [comparison, levels] of Object.entries(COMPARISONS)) {
      const params = model.comparisons[comparison as keyof typeof COMPARISONS] as Record<
        string,
        { m: number; u: number }
      >;
      expect(Object.keys(params).sort()).toEqual([...levels].sort());
      const w = (l: string) => Math.log2(params[l].m / params[l].u);
      expect(w(levels[0])).toBeGreaterThan(w(levels[levels.length - 1]));
    }
  });
});
