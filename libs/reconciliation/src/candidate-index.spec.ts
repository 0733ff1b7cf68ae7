import fc from 'fast-check';
import { nameMatchKey } from '@vss/domain';
import type { InsuranceRecord, RegistryPerson } from '@vss/domain/reconciliation';
import { givenNameKey } from '@vss/domain/reconciliation-candidates';
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
