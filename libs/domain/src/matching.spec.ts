import fc from 'fast-check';
import { citizenArb } from '../test/arbitraries';
import { dateParts } from './dates';
import { blockingKey, compareParticipantToCitizen } from './matching';

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

describe('compareParticipantToCitizen on the spellings of real records', () => {
  it.each([
    ['Ymoan Ênuôl', 'Y-Moan Ênuôl'],
    ['H’Hen Niê', "H'Hen Niê"],
    ['Nguyễn Văn \u0410n', 'Nguyễn Văn An'],
    ['\uFF2Eguyễn Văn An', 'Nguyễn Văn An'],
  ])('completes %s from the registry’s %s (MATCHED_AFTER_NORMALIZATION)', (recorded, registered) => {
    const c = compareParticipantToCitizen(
      { fullName: recorded, dateOfBirth: { year: 1990, month: 5, day: 17 }, gender: 'MALE' },
      { fullName: registered, dateOfBirth: '1990-05-17', gender: 'MALE' },
    );
    expect(c).toEqual({
      outcome: 'MATCHED_AFTER_NORMALIZATION',
      differences: [],
      normalizedFields: ['full_name'],
    });
  });

  it.each([
    ['Nguyễn V. An', 'Nguyễn Văn An'],
    ['Nguyễn An', 'Nguyễn Văn An'],
    ['Nguyễn T. Lan', 'Nguyễn Thị Lan'],
    ['Nguyễn Lan', 'Nguyễn Thị Lan'],
    ['Trần Ngọc Anh', 'Trần Thị Ngọc Anh'],
  ])(
    'leaves %s against the registry’s %s to a person (FIELD_MISMATCH): a legal name is not completed by guess',
    (recorded, registered) => {
      const c = compareParticipantToCitizen(
        { fullName: recorded, dateOfBirth: { year: 1990, month: 5, day: 17 }, gender: 'FEMALE' },
        { fullName: registered, dateOfBirth: '1990-05-17', gender: 'FEMALE' },
      );
      expect(c.outcome).toBe('FIELD_MISMATCH');
      expect(c.differences).toEqual([
        { field: 'full_name', insuranceValue: recorded, registryValue: registered },
      ]);
    },
  );

  it('takes invisible characters for nothing (MATCHED)', () => {
    const c = compareParticipantToCitizen(
      {
        fullName: '\u200eNguyễn\u00a0Văn A\u200bn\u00ad',
        dateOfBirth: { year: 1990, month: 5, day: 17 },
        gender: 'MALE',
      },
      { fullName: 'Nguyễn Văn An', dateOfBirth: '1990-05-17', gender: 'MALE' },
    );
    expect(c.outcome).toBe('MATCHED');
  });
});
