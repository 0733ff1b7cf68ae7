import fc from 'fast-check';
import { chooseRecord, decideFromRecords, effectiveCard } from './coverage.decision';
import type { CardRecord, CoverageRecord } from '@vss/insurance-records';

function card(validFrom: string, validTo: string | null, extra: Partial<CardRecord> = {}): CardRecord {
  return {
    objectGroup: 'DN',
    benefitLevelPercent: 80,
    validFrom,
    validTo,
    primaryCareFacilityCode: '01001',
    primaryCareFacilityName: 'Bệnh viện Đa khoa Hà Nội',
    fiveYearsContinuousFrom: null,
    suspended: false,
    endedOn: null,
    ...extra,
  };
}

function record(code: string, c: CardRecord | null, deceasedOn: string | null = null): CoverageRecord {
  return {
    socialInsuranceCode: code,
    fullName: 'Hoàng Văn Nam',
    dateOfBirth: '1985',
    gender: 'M',
    deceasedOn,
    reinstating: false,
    card: c,
  };
}

describe('effectiveCard', () => {
  it('ends a card on the day a death ended it, when that is before its own end', () => {
    expect(effectiveCard(card('2025-01-01', '2025-12-31', { endedOn: '2025-05-01' })).validTo).toBe(
      '2025-05-01',
    );
    expect(effectiveCard(card('2001-01-01', null, { endedOn: '2025-05-01' })).validTo).toBe('2025-05-01');
    expect(effectiveCard(card('2025-01-01', '2025-03-31', { endedOn: '2025-05-01' })).validTo).toBe(
      '2025-03-31',
    );
  });
});

describe('decideFromRecords', () => {
  it('calls a citizen without records unknown', () => {
    expect(decideFromRecords([], '2025-06-15')).toEqual({
      decision: { status: 'NOT_COVERED', reason: 'UNKNOWN_CITIZEN' },
    });
  });

  it('says CARD_EXPIRED after a card ended by death when no death is recorded on the participant', () => {
    const answer = decideFromRecords(
      [record('1', card('2025-01-01', null, { endedOn: '2025-05-01' }))],
      '2025-06-15',
    );
    expect(answer.decision).toEqual({ status: 'NOT_COVERED', reason: 'CARD_EXPIRED' });
  });

  it('applies a death recorded on any of the citizen’s records', () => {
    const records = [record('1', card('2025-01-01', '2025-12-31')), record('2', null, '2025-05-01')];
    expect(decideFromRecords(records, '2025-06-15').decision.reason).toBe('DECEASED');
    expect(decideFromRecords(records, '2025-04-30').decision.status).toBe('COVERED');
  });

  it('says the death is being undone, not DECEASED, while an approved revocation reinstates the records', () => {
    const records = [record('1', card('2025-01-01', '2025-05-01', { endedOn: '2025-05-01' }), '2025-05-01')];
    records[0].reinstating = true;
    expect(decideFromRecords(records, '2025-06-15').decision.reason).toBe('REINSTATEMENT_PENDING');
  });
});

describe('chooseRecord', () => {
  const expired = record('4800000007', card('2023-01-01', '2023-12-31'));
  const valid = record('4800000008', card('2025-02-01', '2026-01-31'));
  const noCard = record('4800000001', null);
  const suspended = record('4800000009', card('2025-03-01', '2026-02-28', { suspended: true }));

  it('prefers the record whose card is valid on the visit date', () => {
    expect(chooseRecord([expired, noCard, suspended, valid], '2025-06-15')).toBe(valid);
  });

  it('otherwise takes the latest card, even a suspended one, over no card', () => {
    expect(chooseRecord([expired, noCard, suspended], '2025-06-15')).toBe(suspended);
    expect(chooseRecord([noCard, expired], '2025-06-15')).toBe(expired);
  });

  it('breaks ties by the lower social insurance code', () => {
    const twin = record('4800000002', null);
    expect(chooseRecord([twin, noCard], '2025-06-15')).toBe(noCard);
  });

  it('gives the same answer whatever order the database returns the records in', () => {
    const pool = [expired, valid, noCard, suspended, record('4800000003', card('2025-06-01', null))];
    fc.assert(
      fc.property(
        fc.shuffledSubarray(pool, { minLength: 1 }),
        fc.constantFrom('2023-06-01', '2025-01-15', '2025-06-15', '2026-03-01'),
        (records, visitDate) => {
          const canonical = [...records].sort((a, b) =>
            a.socialInsuranceCode.localeCompare(b.socialInsuranceCode),
          );
          expect(decideFromRecords(records, visitDate)).toEqual(decideFromRecords(canonical, visitDate));
        },
      ),
    );
  });
});
