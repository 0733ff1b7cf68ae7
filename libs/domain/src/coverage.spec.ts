import fc from 'fast-check';
import { isoDateArb } from '../test/arbitraries';
import { compareIdentity, CoverageInput, decideCoverage } from './coverage';
import { addDays, compareDates } from './dates';

const card = { validFrom: '2024-01-01', validTo: '2024-12-31', suspended: false };

describe('decideCoverage', () => {
  it('covers a known, living citizen with a valid card', () => {
    expect(decideCoverage({ known: true, card, visitDate: '2024-06-15' })).toEqual({ status: 'COVERED' });
  });

  it('covers on the first and the last day of the card (validTo is inclusive)', () => {
    expect(decideCoverage({ known: true, card, visitDate: '2024-01-01' }).status).toBe('COVERED');
    expect(decideCoverage({ known: true, card, visitDate: '2024-12-31' }).status).toBe('COVERED');
  });

  it('covers an open-ended card long after it started', () => {
    expect(
      decideCoverage({
        known: true,
        card: { validFrom: '2020-01-01', suspended: false },
        visitDate: '2044-01-01',
      }),
    ).toEqual({
      status: 'COVERED',
    });
  });

  it.each<[string, CoverageInput, string]>([
    ['an unknown citizen', { known: false, visitDate: '2024-06-15' }, 'UNKNOWN_CITIZEN'],
    [
      'an ID the registry does not know either',
      { known: false, registry: 'NOT_FOUND', visitDate: '2024-06-15' },
      'UNKNOWN_CITIZEN',
    ],
    [
      'a citizen the registry knows and VSS does not',
      { known: false, registry: 'KNOWN', visitDate: '2024-06-15' },
      'NO_CARD',
    ],
    [
      'an ID VSS does not know while the registry cannot be asked',
      { known: false, registry: 'UNREACHABLE', visitDate: '2024-06-15' },
      'NO_CARD',
    ],
    ['a citizen without a card', { known: true, visitDate: '2024-06-15' }, 'NO_CARD'],
    ['an expired card', { known: true, card, visitDate: '2025-01-01' }, 'CARD_EXPIRED'],
    ['a card not yet valid', { known: true, card, visitDate: '2023-12-31' }, 'CARD_NOT_YET_VALID'],
    [
      'a suspended card',
      { known: true, card: { ...card, suspended: true }, visitDate: '2024-06-15' },
      'COVERAGE_SUSPENDED',
    ],
    [
      'a visit the day after death',
      { known: true, card, deceasedOn: '2024-06-14', visitDate: '2024-06-15' },
      'DECEASED',
    ],
  ])('refuses %s', (_what, input, reason) => {
    expect(decideCoverage(input)).toEqual({ status: 'NOT_COVERED', reason });
  });

  it('still covers a visit on the day of death', () => {
    expect(
      decideCoverage({ known: true, card, deceasedOn: '2024-06-15', visitDate: '2024-06-15' }).status,
    ).toBe('COVERED');
  });

  it('reports death before anything about the card, and a missing card before suspension', () => {
    expect(decideCoverage({ known: true, deceasedOn: '2024-01-01', visitDate: '2024-06-15' }).reason).toBe(
      'DECEASED',
    );
    expect(
      decideCoverage({
        known: true,
        card: { ...card, suspended: true },
        deceasedOn: '2024-01-01',
        visitDate: '2025-06-15',
      }).reason,
    ).toBe('DECEASED');
    expect(
      decideCoverage({ known: true, card: { ...card, suspended: true }, visitDate: '2025-06-15' }).reason,
    ).toBe('COVERAGE_SUSPENDED');
  });

  it('covers exactly when known, alive on the visit, holding an unsuspended card valid that day', () => {
    const input = fc.record(
      {
        known: fc.boolean(),
        deceasedOn: isoDateArb(2020, 2030),
        card: fc.record(
          { validFrom: isoDateArb(2020, 2030), validTo: isoDateArb(2020, 2030), suspended: fc.boolean() },
          {
            requiredKeys: ['validFrom', 'suspended'],
          },
        ),
        visitDate: isoDateArb(2020, 2030),
      },
      { requiredKeys: ['known', 'visitDate'] },
    );
    fc.assert(
      fc.property(input, (i) => {
        const decision = decideCoverage(i);
        const expected =
          i.known &&
          (i.deceasedOn === undefined || compareDates(i.visitDate, i.deceasedOn) <= 0) &&
          i.card !== undefined &&
          !i.card.suspended &&
          compareDates(i.card.validFrom, i.visitDate) <= 0 &&
          (i.card.validTo === undefined || compareDates(i.visitDate, i.card.validTo) <= 0);
        return (decision.status === 'COVERED') === expected && (decision.reason === undefined) === expected;
      }),
    );
  });

  it('never covers anyone after their death, whatever the card says', () => {
    fc.assert(
      fc.property(isoDateArb(2000, 2050), fc.integer({ min: 1, max: 3000 }), (death, daysLater) => {
        const visitDate = addDays(death, daysLater);
        const d = decideCoverage({
          known: true,
          deceasedOn: death,
          card: { validFrom: '1990-01-01', suspended: false },
          visitDate,
        });
        return d.status === 'NOT_COVERED' && d.reason === 'DECEASED';
      }),
    );
  });

  it('says a revoked death being undone for every visit after it, never DECEASED, and changes nothing before it', () => {
    fc.assert(
      fc.property(isoDateArb(2000, 2050), fc.integer({ min: -3000, max: 3000 }), (death, days) => {
        const visitDate = addDays(death, days);
        const card = { validFrom: '1990-01-01', suspended: false };
        const revoking = decideCoverage({
          known: true,
          deceasedOn: death,
          reinstating: true,
          card,
          visitDate,
        });
        const plain = decideCoverage({ known: true, deceasedOn: death, card, visitDate });
        if (days > 0) return revoking.reason === 'REINSTATEMENT_PENDING' && plain.reason === 'DECEASED';
        return revoking.status === 'COVERED' && plain.status === 'COVERED';
      }),
    );
  });
});

describe('compareIdentity', () => {
  const registry = { fullName: 'Trần Thị Bích Ngọc', dateOfBirth: '1990-05-17', gender: 'FEMALE' as const };

  it('verifies chip data equal to the registry up to case, spacing and Unicode form', () => {
    expect(
      compareIdentity(
        { fullName: ' TRẦN THỊ  BÍCH NGỌC '.normalize('NFD'), dateOfBirth: '1990-05-17', gender: 'FEMALE' },
        registry,
      ),
    ).toEqual({ result: 'VERIFIED', mismatchedFields: [] });
  });

  it('verifies a name written with the other tone-mark convention (Thủy/Thuỷ)', () => {
    expect(
      compareIdentity({ fullName: 'Phạm Thu Thuỷ' }, { ...registry, fullName: 'Phạm Thu Thủy' }).result,
    ).toBe('VERIFIED');
  });

  it('treats a name differing only in diacritics as a mismatch', () => {
    expect(compareIdentity({ fullName: 'Tran Thi Bich Ngoc' }, registry)).toEqual({
      result: 'MISMATCH',
      mismatchedFields: ['full_name'],
    });
  });

  it('lists every mismatched field', () => {
    expect(
      compareIdentity({ fullName: 'Đặng Văn Lâm', dateOfBirth: '1990-05-18', gender: 'MALE' }, registry),
    ).toEqual({
      result: 'MISMATCH',
      mismatchedFields: ['full_name', 'date_of_birth', 'gender'],
    });
  });

  it('compares only the fields the chip gave, treating empty strings as not given', () => {
    expect(compareIdentity({ gender: 'FEMALE', fullName: '' }, registry)).toEqual({
      result: 'VERIFIED',
      mismatchedFields: [],
    });
  });

  it('answers NOT_CHECKED, not VERIFIED, when the chip gave nothing to compare', () => {
    expect(compareIdentity({}, registry)).toEqual({ result: 'NOT_CHECKED', mismatchedFields: [] });
    expect(compareIdentity({ fullName: '  ', dateOfBirth: '' }, registry).result).toBe('NOT_CHECKED');
  });
});
