import fc from 'fast-check';
import { citizenArb, genderArb, isoDateArb, provinceCodeArb, vietnameseNameArb } from '../test/arbitraries';
import { MODEL } from '../test/model';
import { blockingKey } from './matching';
import { scorePair } from './match-model';
import { nameMatchKey } from './names';
import {
  blockKey,
  type Candidate,
  citizenBlockKeys,
  MAX_CANDIDATES,
  mayImprove,
  mergeCandidates,
  missingIdDetail,
  pushCandidate,
  scoreCandidatePair,
  surnameMatchKey,
  worthScoring,
} from './reconciliation-candidates';

const cand = (citizenId: string, matchWeight: number): Candidate => ({
  citizenId,
  fullName: 'X',
  dateOfBirth: '1990-01-01',
  score: matchWeight / 100,
  matchWeight,
  evidence: [],
});

describe('block keys', () => {
  it('are the same text as matching.blockingKey for the same person (property)', () => {
    fc.assert(
      fc.property(
        vietnameseNameArb,
        fc.integer({ min: 1900, max: 2100 }),
        provinceCodeArb,
        (name, year, province) => {
          expect(blockKey(surnameMatchKey(name), year, province)).toBe(
            blockingKey({ fullName: name, birthYear: year, provinceCode: province }),
          );
        },
      ),
    );
  });

  it('forgives diacritics and case in the surname', () => {
    expect(surnameMatchKey('ĐẶNG Văn Bình')).toBe('dang');
    expect(surnameMatchKey('  Nguyễn  Thị Mai')).toBe('nguyen');
  });

  it('puts a citizen in the block of the province of residence and, when they moved, of birth', () => {
    expect(citizenBlockKeys('nguyen', 1985, '079', '001')).toEqual(['nguyen|1985|079', 'nguyen|1985|001']);
    expect(citizenBlockKeys('nguyen', 1985, '001', '001')).toEqual(['nguyen|1985|001']);
    expect(citizenBlockKeys('nguyen', 2025, null, '001')).toEqual(['nguyen|2025|001']);
  });
});

describe('worthScoring', () => {
  const record = { dateOfBirth: { year: 1985, month: 3, day: 12 }, nameKey: 'nguyen van an' };

  it('in a province block: compares a pair whose birth date agrees at the record precision, whatever the name', () => {
    expect(
      worthScoring('SURNAME_YEAR_PROVINCE', record, { dateOfBirth: '1985-03-12', nameKey: 'nguyen thi mai' }),
    ).toBe(true);
    expect(
      worthScoring(
        'SURNAME_YEAR_PROVINCE',
        { ...record, dateOfBirth: { year: 1985 } },
        { dateOfBirth: '1985-11-30', nameKey: 'x' },
      ),
    ).toBe(true);
  });

  it('in a province block: compares a pair whose name agrees by match key, whatever the birth date', () => {
    expect(
      worthScoring('SURNAME_YEAR_PROVINCE', record, { dateOfBirth: '1985-12-03', nameKey: 'nguyen van an' }),
    ).toBe(true);
    expect(
      worthScoring('SURNAME_YEAR_PROVINCE', record, {
        dateOfBirth: '1985-12-03',
        nameKey: 'nguyen van binh',
      }),
    ).toBe(false);
  });

  it('in a nationwide birth-date block: compares a pair only when the given name agrees or the name is one edit away', () => {
    const born = { dateOfBirth: '1985-03-12' };
    expect(worthScoring('BIRTH_DATE', record, { ...born, nameKey: 'tran van an' })).toBe(true);
    expect(worthScoring('BIRTH_DATE', record, { ...born, nameKey: 'nguyen van ann' })).toBe(true);
    expect(worthScoring('BIRTH_DATE', record, { ...born, nameKey: 'nguyen thi mai' })).toBe(false);
  });
});

describe('scoreCandidatePair', () => {
  it('scores exactly as the model does on the pair, with its evidence (property)', () => {
    fc.assert(
      fc.property(
        citizenArb,
        vietnameseNameArb,
        genderArb,
        isoDateArb(1930, 2020),
        (c, name, gender, dob) => {
          const record = {
            fullName: name,
            nameKey: nameMatchKey(name),
            dateOfBirth: { year: Number(dob.slice(0, 4)) },
            gender,
            provinceCode: '001',
          };
          const candidate = scoreCandidatePair(MODEL, record, {
            citizenId: c.citizenId,
            fullName: c.fullName,
            nameKey: nameMatchKey(c.fullName),
            dateOfBirth: c.dateOfBirth,
            gender: c.gender,
            residenceProvinceCode: c.provinceCode,
            birthProvinceCode: c.provinceCode,
          });
          const expected = scorePair(MODEL, record, {
            fullName: c.fullName,
            dateOfBirth: c.dateOfBirth,
            gender: c.gender,
            provinceCodes: [c.provinceCode],
          });
          expect(candidate.score).toBeCloseTo(expected.probability, 12);
          expect(candidate.evidence).toEqual(expected.evidence);
        },
      ),
    );
  });

  const record = {
    fullName: 'Trần Thị Bích Ngọc',
    nameKey: 'tran thi bich ngoc',
    dateOfBirth: { year: 1990, month: 5, day: 17 },
    gender: 'FEMALE' as const,
    provinceCode: '079',
  };
  const base = { fullName: 'Trần Thị Bích Ngọc', nameKey: 'tran thi bich ngoc', gender: 'FEMALE' as const };

  it('ranks the true person far above a namesake born on another day, and counts both provinces as theirs', () => {
    const truth = scoreCandidatePair(MODEL, record, {
      ...base,
      citizenId: '001190000001',
      dateOfBirth: '1990-05-17',
      residenceProvinceCode: '079',
      birthProvinceCode: '001',
    });
    const namesake = scoreCandidatePair(MODEL, record, {
      ...base,
      citizenId: '079190000002',
      dateOfBirth: '1990-08-02',
      residenceProvinceCode: '079',
      birthProvinceCode: '079',
    });
    expect(truth.score).toBeGreaterThan(0.999);
    expect(truth.evidence.find((e) => e.field === 'province')?.level).toBe('AGREES');
    expect(namesake.matchWeight).toBeLessThan(truth.matchWeight);
  });

  it('ranks the exact name above a namesake differing only in tones, same day and place', () => {
    const truth = scoreCandidatePair(MODEL, record, {
      ...base,
      citizenId: '079190000009',
      dateOfBirth: '1990-05-17',
      residenceProvinceCode: '079',
      birthProvinceCode: '079',
    });
    const tones = scoreCandidatePair(MODEL, record, {
      ...base,
      fullName: 'Trần Thị Bích Ngộc',
      citizenId: '079190000001',
      dateOfBirth: '1990-05-17',
      residenceProvinceCode: '079',
      birthProvinceCode: '079',
    });
    expect(mergeCandidates([[tones, truth]])[0].citizenId).toBe('079190000009');
  });
});

describe('pushCandidate', () => {
  it('keeps the best few, best first, once per citizen', () => {
    let top: readonly Candidate[] = [];
    for (const c of [cand('a', 0.5), cand('b', 0.9), cand('c', 0.1), cand('d', 0.7), cand('b', 0.2)]) {
      top = pushCandidate(top, c);
    }
    expect(top.map((c) => [c.citizenId, c.matchWeight])).toEqual([
      ['b', 0.9],
      ['d', 0.7],
      ['a', 0.5],
    ]);
  });

  it('returns the same list when nothing changes', () => {
    const top = [cand('a', 0.5)];
    expect(pushCandidate(top, cand('a', 0.4))).toBe(top);
  });

  it('is independent of the order candidates arrive in, ties going to the lower citizen ID (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e'), fc.constantFrom(0.1, 0.5, 0.9)), {
          maxLength: 12,
        }),
        (pairs) => {
          const list = pairs.map(([id, s]) => cand(id, s));
          const forward = mergeCandidates([list]);
          const backward = mergeCandidates([[...list].reverse()]);
          expect(backward).toEqual(forward);
          expect(forward.length).toBeLessThanOrEqual(MAX_CANDIDATES);
          const halves = mergeCandidates([list.slice(0, 5), list.slice(5)]);
          expect(halves).toEqual(forward);
        },
      ),
    );
  });
});

describe('mayImprove', () => {
  it('is true exactly when pushCandidate would change the list (property)', () => {
    const entry = fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e'), fc.integer({ min: -20, max: 20 }));
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 6 }), entry, (list, [id, weight]) => {
        const top = mergeCandidates([list.map(([i, w]) => cand(i, w))]);
        expect(mayImprove(top, id, weight)).toBe(pushCandidate(top, cand(id, weight)) !== top);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('missingIdDetail', () => {
  it('names the best candidate with its score and evidence, or says why there is none', () => {
    const best: Candidate = {
      citizenId: '001085000001',
      fullName: 'Nguyễn Văn An',
      dateOfBirth: '1985-03-12',
      score: 0.99876,
      matchWeight: 21.4,
      evidence: [
        { field: 'full_name', level: 'EXACT', weight: 7.4 },
        { field: 'date_of_birth', level: 'EXACT', weight: 14.5 },
        { field: 'province', level: 'DISAGREES', weight: -4.4 },
      ],
    };
    expect(missingIdDetail({ legacyId: null, candidates: [best, cand('b', 0.1)], searched: true })).toBe(
      'no citizen ID; best candidate 001085000001 Nguyễn Văn An, born 1985-03-12 (score 0.999: full_name EXACT +7.4, date_of_birth EXACT +14.5, province DISAGREES −4.4), and 1 more',
    );
    expect(missingIdDetail({ legacyId: '012345678', candidates: [], searched: true })).toBe(
      'no citizen ID, and legacy ID 012345678 is not in the registry; no registry citizen resembles the record',
    );
    expect(missingIdDetail({ legacyId: null, candidates: [], searched: false })).toBe(
      'no citizen ID; candidate search was not asked for',
    );
  });
});
