import fc from 'fast-check';
import { genderArb, isoDateArb, vietnameseNameArb } from '../test/arbitraries';
import {
  activeAfterDeath,
  classifyCitizenGroup,
  genderOfRow,
  type GroupMember,
  type InsuranceRecord,
  isFinding,
  needsActivity,
  type RegistryPerson,
  storedPartialDate,
} from './reconciliation';

const citizen: RegistryPerson = {
  citizenId: '001090012345',
  legacyId: '012345678',
  fullName: 'Nguyễn Văn An',
  dateOfBirth: '1990-03-14',
  gender: 'MALE',
  dateOfDeath: null,
  birthProvinceCode: '001',
  residenceProvinceCode: '001',
};

const record = (over: Partial<InsuranceRecord> = {}): InsuranceRecord => ({
  socialInsuranceCode: '0100000001',
  citizenId: citizen.citizenId,
  legacyId: null,
  fullName: citizen.fullName,
  dateOfBirth: citizen.dateOfBirth,
  gender: 'MALE',
  provinceCode: '001',
  deceasedOn: null,
  ...over,
});

const one = (r: InsuranceRecord, c: RegistryPerson | null = citizen, extra: Partial<GroupMember> = {}) =>
  classifyCitizenGroup(c, [{ record: r, link: 'CITIZEN_ID', ...extra }])[0];

describe('classifyCitizenGroup', () => {
  it('reports a clean MATCHED, with no differences and no detail, for a record identical to the registry', () => {
    expect(one(record())).toMatchObject({ outcome: 'MATCHED', differences: [], detail: '' });
    expect(isFinding('MATCHED')).toBe(false);
  });

  it('treats the same name in another Unicode form as a clean match', () => {
    expect(one(record({ fullName: citizen.fullName.normalize('NFD') })).outcome).toBe('MATCHED');
  });

  it('reports MATCHED_AFTER_NORMALIZATION for a name without diacritics or in capitals', () => {
    for (const fullName of ['Nguyen Van An', 'NGUYỄN VĂN AN', ' nguyễn  văn an ']) {
      const c = one(record({ fullName }));
      expect(c).toMatchObject({ outcome: 'MATCHED_AFTER_NORMALIZATION', normalizedFields: ['full_name'] });
      expect(c.detail).toMatch(/name written differently/);
    }
  });

  it('matches a year-only or month-year birth date at its own precision, asking for it to be completed', () => {
    for (const dateOfBirth of ['1990', '1990-03']) {
      const c = one(record({ dateOfBirth }));
      expect(c).toMatchObject({
        outcome: 'MATCHED_AFTER_NORMALIZATION',
        normalizedFields: ['date_of_birth'],
      });
      expect(c.detail).toContain(`birth date known only as ${dateOfBirth}`);
    }
  });

  it('reads unknown parts written 00 as a partial date, matched at its precision, never as a full date', () => {
    for (const [dateOfBirth, known] of [
      ['1990-03-00', '1990-03'],
      ['1990-00-00', '1990'],
      ['1990-00', '1990'],
    ]) {
      const c = one(record({ dateOfBirth }));
      expect(c).toMatchObject({
        outcome: 'MATCHED_AFTER_NORMALIZATION',
        normalizedFields: ['date_of_birth'],
      });
      expect(c.detail).toContain(`birth date known only as ${known}`);
    }
    expect(one(record({ dateOfBirth: '1990-04-00' }))).toMatchObject({
      outcome: 'FIELD_MISMATCH',
      differences: [{ field: 'date_of_birth', insuranceValue: '1990-04', registryValue: '1990-03-14' }],
    });
  });

  it('reports a partial birth date that disagrees at its precision as FIELD_MISMATCH', () => {
    for (const dateOfBirth of ['1991', '1990-04']) {
      expect(one(record({ dateOfBirth }))).toMatchObject({
        outcome: 'FIELD_MISMATCH',
        differences: [{ field: 'date_of_birth', insuranceValue: dateOfBirth, registryValue: '1990-03-14' }],
      });
    }
  });

  it('reports FIELD_MISMATCH with both values of a mistyped name, swapped birth day and month, wrong gender', () => {
    const c = one(record({ fullName: 'Nguyễn Văn Anh', dateOfBirth: '1990-03-15', gender: 'FEMALE' }));
    expect(c.outcome).toBe('FIELD_MISMATCH');
    expect(c.differences).toEqual([
      { field: 'full_name', insuranceValue: 'Nguyễn Văn Anh', registryValue: 'Nguyễn Văn An' },
      { field: 'date_of_birth', insuranceValue: '1990-03-15', registryValue: '1990-03-14' },
      { field: 'gender', insuranceValue: 'FEMALE', registryValue: 'MALE' },
    ]);
    expect(c.detail).toBe('differs from the registry in full name, date of birth, gender');
    expect(c.corrections).toEqual(c.differences);
  });

  it('lists a normalised name among the corrections of a mismatch, in field order', () => {
    const c = one(record({ fullName: 'NGUYEN VAN AN', dateOfBirth: '1990-03-15' }));
    expect(c.outcome).toBe('FIELD_MISMATCH');
    expect(c.corrections.map((d) => [d.field, d.insuranceValue, d.registryValue])).toEqual([
      ['full_name', 'NGUYEN VAN AN', 'Nguyễn Văn An'],
      ['date_of_birth', '1990-03-15', '1990-03-14'],
    ]);
  });

  it('reports NOT_IN_REGISTRY for a citizen ID the registry does not know', () => {
    expect(one(record({ citizenId: '001090999999' }), null)).toMatchObject({
      outcome: 'NOT_IN_REGISTRY',
      detail: 'citizen ID 001090999999 is not in the population registry',
    });
  });

  it('reports LEGACY_ID_RESOLVED with the citizen the CMND belongs to, and any field differences', () => {
    const legacy = record({ citizenId: null, legacyId: '012345678', fullName: 'NGUYEN VAN AN' });
    const [c] = classifyCitizenGroup(citizen, [{ record: legacy, link: 'LEGACY_ID' }]);
    expect(c).toMatchObject({
      outcome: 'LEGACY_ID_RESOLVED',
      resolvedCitizenId: citizen.citizenId,
      normalizedFields: ['full_name'],
    });
    expect(c.detail).toBe('legacy ID 012345678 belongs to citizen 001090012345');
  });

  it('reports every record of a citizen held under several codes as DUPLICATE_PARTICIPANT, naming the others', () => {
    const a = record({ socialInsuranceCode: '0100000001' });
    const b = record({ socialInsuranceCode: '7900000002', provinceCode: '079' });
    const legacy = record({ socialInsuranceCode: '3100000003', citizenId: null, legacyId: '012345678' });
    const result = classifyCitizenGroup(citizen, [
      { record: a, link: 'CITIZEN_ID' },
      { record: b, link: 'CITIZEN_ID' },
      { record: legacy, link: 'LEGACY_ID' },
    ]);
    expect(result.map((c) => [c.socialInsuranceCode, c.outcome, c.duplicateSocialInsuranceCodes])).toEqual([
      ['0100000001', 'DUPLICATE_PARTICIPANT', ['3100000003', '7900000002']],
      ['7900000002', 'DUPLICATE_PARTICIPANT', ['0100000001', '3100000003']],
      ['3100000003', 'DUPLICATE_PARTICIPANT', ['0100000001', '7900000002']],
    ]);
    expect(result[2].resolvedCitizenId).toBe(citizen.citizenId);
  });

  describe('DECEASED_BUT_ACTIVE', () => {
    const dead: RegistryPerson = { ...citizen, dateOfDeath: '2025-03-10' };
    const activity = {
      card: { validTo: '2025-12-31', endedOn: null },
      benefits: [{ kind: 'PENSION', stoppedFrom: null }],
    };

    it('wins over every other outcome when the card or a benefit runs on after a death VSS has not recorded', () => {
      const r = record({ fullName: 'Nguyen Van An' });
      const other = record({ socialInsuranceCode: '0100000009' });
      const [c] = classifyCitizenGroup(dead, [
        { record: r, link: 'CITIZEN_ID', activity },
        { record: other, link: 'CITIZEN_ID', activity: { card: null, benefits: [] } },
      ]);
      expect(c).toMatchObject({
        outcome: 'DECEASED_BUT_ACTIVE',
        dateOfDeath: '2025-03-10',
        activeAfterDeath: { cardValidTo: '2025-12-31', benefitKinds: ['PENSION'] },
        duplicateSocialInsuranceCodes: ['0100000009'],
      });
      expect(c.detail).toBe(
        'died 2025-03-10 per the registry, not recorded at VSS: HI card valid to 2025-12-31; pension not stopped',
      );
    });

    it('is not reported once VSS has recorded the death, whatever still runs', () => {
      const r = record({ deceasedOn: '2025-03-10' });
      expect(needsActivity(dead, r)).toBe(false);
      expect(one(r, dead, { activity }).outcome).toBe('MATCHED');
    });

    it('is not reported when nothing runs on after the death', () => {
      const stopped = {
        card: { validTo: '2025-03-10', endedOn: null },
        benefits: [{ kind: 'PENSION', stoppedFrom: '2025-04-01' }],
      };
      expect(activeAfterDeath(stopped, '2025-03-10')).toBeNull();
      expect(one(record(), dead, { activity: stopped }).outcome).toBe('MATCHED');
    });

    it('counts an open-ended card and a benefit stopped too late as running', () => {
      expect(
        activeAfterDeath(
          {
            card: { validTo: null, endedOn: null },
            benefits: [{ kind: 'MONTHLY_ALLOWANCE', stoppedFrom: '2025-06-01' }],
          },
          '2025-03-10',
        ),
      ).toEqual({ cardValidTo: 'OPEN', benefitKinds: ['MONTHLY_ALLOWANCE'] });
    });

    it('does not count a card ended by a recorded death', () => {
      expect(
        activeAfterDeath({ card: { validTo: null, endedOn: '2025-03-10' }, benefits: [] }, '2025-03-10'),
      ).toBeNull();
    });
  });

  it('gives exactly one outcome per record, a finding unless clean, and never loses a record (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            fullName: vietnameseNameArb,
            dateOfBirth: isoDateArb(1930, 2024).chain((d) =>
              fc.constantFrom(d, d.slice(0, 4), d.slice(0, 7)),
            ),
            gender: genderArb,
            link: fc.constantFrom('CITIZEN_ID' as const, 'LEGACY_ID' as const),
          }),
          { minLength: 1, maxLength: 4 },
        ),
        fc.boolean(),
        (rows, known) => {
          const members = rows.map((r, i) => ({
            record: record({ ...r, socialInsuranceCode: String(i).padStart(10, '0') }),
            link: r.link,
          }));
          const result = classifyCitizenGroup(known ? citizen : null, members);
          expect(result.map((c) => c.socialInsuranceCode)).toEqual(
            members.map((m) => m.record.socialInsuranceCode),
          );
          for (const c of result) {
            if (!known) expect(c.outcome).toBe('NOT_IN_REGISTRY');
            else if (members.length > 1) expect(c.outcome).toBe('DUPLICATE_PARTICIPANT');
            if (c.outcome === 'MATCHED') expect(c.differences).toEqual([]);
            if (isFinding(c.outcome)) expect(c.detail).not.toBe('');
          }
        },
      ),
    );
  });
});

describe('stored values', () => {
  it('reads stored partial birth dates at their precision', () => {
    expect(storedPartialDate('1990')).toEqual({ year: 1990 });
    expect(storedPartialDate('1990-03')).toEqual({ year: 1990, month: 3 });
    expect(storedPartialDate('1990-03-14')).toEqual({ year: 1990, month: 3, day: 14 });
    expect(storedPartialDate('1990-03-00')).toEqual({ year: 1990, month: 3 });
    expect(storedPartialDate('1990-00-00')).toEqual({ year: 1990 });
    expect(storedPartialDate('1990-00')).toEqual({ year: 1990 });
  });

  it('maps stored genders and refuses anything else', () => {
    expect(genderOfRow('M')).toBe('MALE');
    expect(genderOfRow('F')).toBe('FEMALE');
    expect(() => genderOfRow('X')).toThrow(RangeError);
  });
});
