import fc from 'fast-check';
import { citizenArb, genderArb, isoDateArb, provinceCodeArb, vietnameseNameArb } from '../test/arbitraries';
import { dateParts } from './dates';
import { blockingKey, compareParticipantToCitizen, scoreCandidate, scoreCandidateDetail } from './matching';

const citizen = { fullName: 'Trần Thị Bích Ngọc', dateOfBirth: '1990-05-17', gender: 'FEMALE' as const };
const fullDob = { year: 1990, month: 5, day: 17 };

describe('compareParticipantToCitizen', () => {
  it('reports MATCHED for identical records, whatever the Unicode form', () => {
    expect(
      compareParticipantToCitizen(
        { fullName: citizen.fullName.normalize('NFD'), dateOfBirth: fullDob, gender: 'FEMALE' },
        citizen,
      ),
    ).toEqual({ outcome: 'MATCHED', differences: [], normalizedFields: [] });
  });

  it('reports MATCHED_AFTER_NORMALIZATION for a name typed without diacritics or in capitals', () => {
    for (const fullName of ['Tran Thi Bich Ngoc', 'TRẦN THỊ BÍCH NGỌC', 'Trần  Thị Bích ngọc']) {
      expect(
        compareParticipantToCitizen({ fullName, dateOfBirth: fullDob, gender: 'FEMALE' }, citizen),
      ).toMatchObject({
        outcome: 'MATCHED_AFTER_NORMALIZATION',
        normalizedFields: ['full_name'],
      });
    }
  });

  it('reports MATCHED_AFTER_NORMALIZATION for a year-only or month-year birth date that agrees, so it gets completed', () => {
    for (const dateOfBirth of [{ year: 1990 }, { year: 1990, month: 5 }]) {
      expect(
        compareParticipantToCitizen({ fullName: citizen.fullName, dateOfBirth, gender: 'FEMALE' }, citizen),
      ).toEqual({
        outcome: 'MATCHED_AFTER_NORMALIZATION',
        differences: [],
        normalizedFields: ['date_of_birth'],
      });
    }
  });

  it('reports FIELD_MISMATCH with both values of every differing field', () => {
    const result = compareParticipantToCitizen(
      { fullName: 'Trần Thị Bích Ngân', dateOfBirth: { year: 1991 }, gender: 'MALE' },
      citizen,
    );
    expect(result.outcome).toBe('FIELD_MISMATCH');
    expect(result.differences).toEqual([
      { field: 'full_name', insuranceValue: 'Trần Thị Bích Ngân', registryValue: 'Trần Thị Bích Ngọc' },
      { field: 'date_of_birth', insuranceValue: '1991', registryValue: '1990-05-17' },
      { field: 'gender', insuranceValue: 'MALE', registryValue: 'FEMALE' },
    ]);
  });

  it('treats a month-year date in the wrong month as a mismatch', () => {
    const result = compareParticipantToCitizen(
      { fullName: citizen.fullName, dateOfBirth: { year: 1990, month: 6 }, gender: 'FEMALE' },
      citizen,
    );
    expect(result.differences).toEqual([
      { field: 'date_of_birth', insuranceValue: '1990-06', registryValue: '1990-05-17' },
    ]);
  });

  it('matches every citizen with a record copied from it, at any date precision', () => {
    fc.assert(
      fc.property(citizenArb, fc.constantFrom('YEAR', 'MONTH', 'DAY'), (c, precision) => {
        const { year, month, day } = dateParts(c.dateOfBirth);
        const dob =
          precision === 'YEAR' ? { year } : precision === 'MONTH' ? { year, month } : { year, month, day };
        const r = compareParticipantToCitizen(
          { fullName: c.fullName.toUpperCase(), dateOfBirth: dob, gender: c.gender },
          c,
        );
        return r.outcome !== 'FIELD_MISMATCH' && r.differences.length === 0;
      }),
    );
  });
});

describe('blockingKey', () => {
  it('is the surname match key, birth year and province', () => {
    expect(blockingKey({ fullName: 'Đặng Văn Lâm', birthYear: 1993, provinceCode: '001' })).toBe(
      'dang|1993|001',
    );
  });

  it('puts spellings of the same surname in one block', () => {
    const a = blockingKey({ fullName: 'NGUYỄN Văn An', birthYear: 1985, provinceCode: '079' });
    const b = blockingKey({ fullName: 'nguyen van an', birthYear: 1985, provinceCode: '079' });
    expect(a).toBe(b);
  });
});

describe('scoreCandidate', () => {
  const candidate = { ...citizen, provinceCode: '001' };

  it('is near 1 for a record that agrees on everything', () => {
    expect(
      scoreCandidate(
        { fullName: 'Trần Thị Bích Ngọc', dateOfBirth: fullDob, gender: 'FEMALE', provinceCode: '001' },
        candidate,
      ),
    ).toBeGreaterThan(0.999);
  });

  it('ranks a full-date agreement above a year-only one, and both above a wrong year', () => {
    const record = { fullName: 'Tran Thi Bich Ngoc', gender: 'FEMALE' as const, provinceCode: '001' };
    const day = scoreCandidate({ ...record, dateOfBirth: fullDob }, candidate);
    const year = scoreCandidate({ ...record, dateOfBirth: { year: 1990 } }, candidate);
    const wrong = scoreCandidate({ ...record, dateOfBirth: { year: 1975 } }, candidate);
    expect(day).toBeGreaterThan(year);
    expect(year).toBeGreaterThan(wrong);
  });

  it('scores a different person low', () => {
    expect(
      scoreCandidate(
        { fullName: 'Phạm Văn Dũng', dateOfBirth: { year: 1962 }, gender: 'MALE', provinceCode: '096' },
        candidate,
      ),
    ).toBeLessThan(0.001);
  });

  it('explains which level each comparison fell in', () => {
    const detail = scoreCandidateDetail(
      { fullName: 'Trần Bích Thị Ngọc', dateOfBirth: { year: 1990, month: 5 } },
      candidate,
    );
    expect(detail.levels).toEqual({ fullName: 'VERY_CLOSE', dateOfBirth: 'MONTH_AGREES' });
  });

  it('stays within [0,1] and never rises when the gender stops agreeing', () => {
    const record = fc.record(
      {
        fullName: vietnameseNameArb,
        dateOfBirth: isoDateArb(1930, 2024).map((d) => {
          const { year, month } = dateParts(d);
          return { year, month };
        }),
        gender: genderArb,
        provinceCode: provinceCodeArb,
      },
      { requiredKeys: ['fullName'] },
    );
    fc.assert(
      fc.property(record, citizenArb, (r, c) => {
        const s = scoreCandidate(r, c);
        const flipped = scoreCandidate({ ...r, gender: c.gender === 'MALE' ? 'FEMALE' : 'MALE' }, c);
        const same = scoreCandidate({ ...r, gender: c.gender }, c);
        return s >= 0 && s <= 1 && flipped <= same;
      }),
    );
  });
});
