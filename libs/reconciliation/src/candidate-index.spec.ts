import fc from 'fast-check';
import { nameMatchKey } from '@vss/domain';
import { exactNameForm } from '@vss/domain/match-model';
import type { InsuranceRecord, RegistryPerson } from '@vss/domain/reconciliation';
import {
  BLOCKING_RULES,
  type BlockingRule,
  type Candidate,
  givenNameKey,
  pushCandidate,
  scoreCandidatePair,
  surnameMatchKey,
  worthScoring,
} from '@vss/domain/reconciliation-candidates';
import { storedPartialDate } from '@vss/domain/reconciliation';
import { dateParts, partialDateMatches } from '@vss/domain';
import { CandidateIndex } from './candidate-index';
import { NameKeys } from './registry-person';
import { MODEL } from '../../domain/test/model';

const record = (over: Partial<InsuranceRecord> = {}): InsuranceRecord => ({
  socialInsuranceCode: '7900000001',
  citizenId: null,
  legacyId: null,
  fullName: 'Hoàng Thị Mai',
  dateOfBirth: '1993-08-20',
  gender: 'FEMALE',
  provinceCode: '079',
  deceasedOn: null,
  ...over,
});

const citizen = (over: Partial<RegistryPerson> = {}): RegistryPerson => ({
  citizenId: '001193000024',
  legacyId: null,
  fullName: 'Hoàng Thị Mai',
  dateOfBirth: '1993-08-20',
  gender: 'FEMALE',
  dateOfDeath: null,
  birthProvinceCode: '001',
  residenceProvinceCode: '079',
  ...over,
});

describe('NameKeys', () => {
  it('gives the same keys as the domain, cached or not (property)', () => {
    const keys = new NameKeys();
    const words = fc.constantFrom(
      'Nguyễn',
      'ĐẶNG',
      'thị',
      'Y-Moan',
      'H’Hen',
      'Hoà',
      'Thuỷ',
      'Thủy',
      '',
      ' ',
      '\u00a0',
      '\t',
      'Văn',
      'Ðào',
      '\u200bAn',
      '-',
      "'",
      'ΟΔΟΣ',
      'Nguye\u0303\u0302n',
      '\u0301a',
      'Ê-Ban',
      'x.',
    );
    fc.assert(
      fc.property(fc.array(words, { maxLength: 6 }), (parts) => {
        const name = parts.join(' ');
        expect(keys.of(name)).toBe(nameMatchKey(name));
        expect(keys.surname(name)).toBe(nameMatchKey(name).split(' ')[0] ?? '');
        expect(keys.given(name)).toBe(givenNameKey(nameMatchKey(name)));
        expect(keys.exact(name)).toBe(exactNameForm(name));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the same keys as the domain on arbitrary text (property)', () => {
    const keys = new NameKeys();
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 20 }), (name) => {
        expect(keys.of(name)).toBe(nameMatchKey(name));
        expect(keys.surname(name)).toBe(nameMatchKey(name).split(' ')[0] ?? '');
        expect(keys.given(name)).toBe(givenNameKey(nameMatchKey(name)));
        expect(keys.exact(name)).toBe(exactNameForm(name));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('CandidateIndex', () => {
  it('finds a person insured where they live though registered at birth elsewhere', () => {
    const index = new CandidateIndex([record()], new NameKeys(), MODEL);
    index.consider(citizen());
    expect(index.candidatesOf('7900000001').map((c) => c.citizenId)).toEqual(['001193000024']);
  });

  it('finds a person insured where they were registered at birth after moving away', () => {
    const index = new CandidateIndex([record({ provinceCode: '001' })], new NameKeys(), MODEL);
    index.consider(citizen());
    expect(index.candidatesOf('7900000001')).toHaveLength(1);
  });

  it('does not score people of another block, nor pairs agreeing on neither birth date nor name', () => {
    const index = new CandidateIndex([record()], new NameKeys(), MODEL);
    index.consider(
      citizen({
        citizenId: '079193000001',
        fullName: 'Trần Thị Lan',
        dateOfBirth: '1993-02-11',
        residenceProvinceCode: '079',
      }),
    );
    index.consider(
      citizen({ citizenId: '079193000002', dateOfBirth: '1993-08-21', fullName: 'Hoàng Thị Lan' }),
    );
    expect(index.candidatesOf('7900000001')).toEqual([]);
    expect(index.takeChanged()).toEqual([]);
  });

  it('reports the records whose candidates changed, once, and resumes from saved candidates', () => {
    const keys = new NameKeys();
    const index = new CandidateIndex(
      [record(), record({ socialInsuranceCode: '7900000002', fullName: 'Lê Văn Tám' })],
      keys,
      MODEL,
    );
    index.consider(citizen());
    const changed = index.takeChanged();
    expect(changed.map((c) => c.socialInsuranceCode)).toEqual(['7900000001']);
    expect(index.takeChanged()).toEqual([]);
    const resumed = new CandidateIndex(
      [record()],
      keys,
      MODEL,
      new Map([['7900000001', changed[0].candidates]]),
    );
    resumed.consider(citizen());
    expect(resumed.takeChanged()).toEqual([]);
    expect(resumed.candidatesOf('7900000001')).toEqual(changed[0].candidates);
  });

  it('finds a person whose record is kept in a province where they neither were born nor live', () => {
    const index = new CandidateIndex([record({ provinceCode: '048' })], new NameKeys(), MODEL);
    index.consider(citizen());
    expect(index.candidatesOf('7900000001').map((c) => c.citizenId)).toEqual(['001193000024']);
    const byRule = Object.fromEntries(index.blocking().map((m) => [m.rule, m]));
    expect(byRule.SURNAME_YEAR_PROVINCE.pairsScored).toBe(0);
    expect(byRule.BIRTH_DATE.pairsScored).toBe(1);
    // The same citizen reached by the name-and-year rule too is scored once.
    expect(byRule.NAME_YEAR.pairsCompared).toBe(1);
    expect(byRule.NAME_YEAR.pairsScored).toBe(0);
  });

  it('finds a mover whose record knows only the birth year, by the whole name and the year', () => {
    const index = new CandidateIndex(
      [record({ provinceCode: '048', dateOfBirth: '1993' })],
      new NameKeys(),
      MODEL,
    );
    index.consider(citizen({ citizenId: '001193000030', fullName: 'Hoàng Thị Lan' }));
    index.consider(citizen());
    expect(index.candidatesOf('7900000001').map((c) => c.citizenId)).toEqual(['001193000024']);
    expect(index.blocking().find((m) => m.rule === 'NAME_YEAR')?.pairsScored).toBe(1);
  });

  it('keeps exactly the candidates that scoring every pair its blocking rules admit keeps (property)', () => {
    // The reference: every record against every citizen, each rule's block and filter written
    // out plainly, every admitted pair scored in full. The index skips pairs that cannot matter
    // and compares names only as far as needed; its lists must not differ in anything.
    const names = fc.constantFrom(
      'Nguyễn Văn An',
      'Nguyễn Văn Ân',
      'NGUYEN VAN AN',
      'Nguyễn V. An',
      'Nguyễn Văn Anh',
      'Nguyễn Thị An',
      'Lê Văn An',
      'Trần Thị Hương',
      'Trần Thị Hường',
      'Trần Hương',
      'Hầu A Páo',
      'Hầu A Pao',
    );
    const day = fc.record({
      year: fc.constantFrom(1980, 1981),
      month: fc.constantFrom(1, 2),
      day: fc.constantFrom(1, 2),
    });
    const iso = (d: { year: number; month: number; day: number }) => `${d.year}-0${d.month}-0${d.day}`;
    const province = fc.constantFrom('001', '079', '031');
    const gender = fc.constantFrom('MALE' as const, 'FEMALE' as const);
    const recordArb = fc.record({
      fullName: names,
      born: day,
      precision: fc.constantFrom('DAY', 'DAY', 'MONTH', 'YEAR'),
      gender,
      provinceCode: province,
    });
    const citizenArb = fc.record({
      fullName: names,
      born: day,
      gender,
      birthProvinceCode: province,
      residenceProvinceCode: fc.option(province, { nil: null }),
    });
    const keys = new NameKeys();
    fc.assert(
      fc.property(
        fc.array(recordArb, { minLength: 1, maxLength: 6 }),
        fc.array(citizenArb, { minLength: 1, maxLength: 30 }),
        fc.constantFrom(1, 3),
        (recordDrafts, citizenDrafts, keep) => {
          const records = recordDrafts.map((r, i) =>
            record({
              socialInsuranceCode: `790000000${i}`,
              fullName: r.fullName,
              dateOfBirth:
                r.precision === 'DAY'
                  ? iso(r.born)
                  : r.precision === 'MONTH'
                    ? iso(r.born).slice(0, 7)
                    : String(r.born.year),
              gender: r.gender,
              provinceCode: r.provinceCode,
            }),
          );
          const citizens = citizenDrafts.map((c, i) =>
            citizen({
              citizenId: `0011${c.born.year % 100}0000${String(i).padStart(2, '0')}`,
              fullName: c.fullName,
              dateOfBirth: iso(c.born),
              gender: c.gender,
              birthProvinceCode: c.birthProvinceCode,
              residenceProvinceCode: c.residenceProvinceCode,
            }),
          );
          citizens.sort((a, b) => (a.citizenId < b.citizenId ? -1 : 1));
          const index = new CandidateIndex(records, keys, MODEL, new Map(), keep);
          for (const c of citizens) index.consider(c);

          for (const r of records) {
            const date = storedPartialDate(r.dateOfBirth);
            const input = {
              fullName: r.fullName,
              nameKey: nameMatchKey(r.fullName),
              dateOfBirth: date,
              gender: r.gender,
              provinceCode: r.provinceCode,
            };
            let top: readonly Candidate[] = [];
            for (const c of citizens) {
              const nameKey = nameMatchKey(c.fullName);
              const parts = dateParts(c.dateOfBirth);
              const sameYear = parts.year === date.year;
              const inBlock: Record<BlockingRule, boolean> = {
                SURNAME_YEAR_PROVINCE:
                  sameYear &&
                  surnameMatchKey(r.fullName) === surnameMatchKey(c.fullName) &&
                  [c.residenceProvinceCode ?? c.birthProvinceCode, c.birthProvinceCode].includes(
                    r.provinceCode,
                  ),
                BIRTH_DATE: date.month !== undefined && partialDateMatches(date, c.dateOfBirth),
                NAME_YEAR: sameYear && nameKey === input.nameKey,
              };
              const admitted = BLOCKING_RULES.some(
                ({ rule }) =>
                  inBlock[rule] && worthScoring(rule, input, { dateOfBirth: c.dateOfBirth, nameKey }),
              );
              if (!admitted) continue;
              const candidate = scoreCandidatePair(MODEL, input, { ...c, nameKey });
              if (candidate.score < MODEL.thresholds.candidate) continue;
              top = pushCandidate(top, candidate, keep);
            }
            expect(index.candidatesOf(r.socialInsuranceCode)).toEqual(top);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('ranks the exact name first when the registry also holds a namesake differing only in tones', () => {
    const index = new CandidateIndex([record({ fullName: 'Hoàng Thị Mãi' })], new NameKeys(), MODEL);
    // The namesake has the lower ID, so only the model can put the true person first.
    index.consider(citizen({ citizenId: '001193000001' }));
    index.consider(citizen({ citizenId: '001193000099', fullName: 'Hoàng Thị Mãi' }));
    const [first, second] = index.candidatesOf('7900000001');
    expect(first.citizenId).toBe('001193000099');
    expect(first.evidence[0]).toMatchObject({ field: 'full_name', level: 'EXACT' });
    expect(second.evidence[0]).toMatchObject({ field: 'full_name', level: 'EXACT_WITHOUT_DIACRITICS' });
  });
});
