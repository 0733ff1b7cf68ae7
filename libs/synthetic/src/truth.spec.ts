import { parseCitizenId } from '@vss/domain';
import { DISCREPANCY_KINDS } from './discrepancies';
import { createPopulation } from './generator';
import type { CitizenRow, ParticipantRow, PersonRecords, TruthRow } from './rows';
import { AS_OF, compareWithRegistry as compare, generatePeople, zeroRates } from './spec-support';

/**
 * The truth table is what reconciliation is scored against, so it must be exact: every
 * injection recorded, every recorded injection really in the rows, every other record clean.
 */

const SIZE = 20_000;

let people: PersonRecords[];
let citizensById: Map<string, CitizenRow>;
let truthByCode: Map<string, TruthRow>;

beforeAll(() => {
  people = generatePeople(SIZE);
  citizensById = new Map(people.map((p) => [p.citizen.citizenId, p.citizen]));
  truthByCode = new Map(people.flatMap((p) => p.truth.map((t) => [t.socialInsuranceCode, t] as const)));
});

const participants = () => people.flatMap((p) => p.participants);

describe('injected discrepancies and their truth', () => {
  it('inject every kind, each recorded once, with no participant carrying two', () => {
    const truth = people.flatMap((p) => p.truth);
    expect(new Set(truth.map((t) => t.socialInsuranceCode)).size).toBe(truth.length);
    const kinds = new Set(truth.map((t) => t.detail.kind));
    expect(kinds.size).toBe(DISCREPANCY_KINDS.length);
    const codes = new Set(participants().map((r) => r.socialInsuranceCode));
    for (const t of truth) expect(codes.has(t.socialInsuranceCode)).toBe(true);
  });

  it('leave every record without a truth row a clean match of its registry citizen', () => {
    const problems: string[] = [];
    for (const p of people) {
      const deathMonth = p.citizen.dateOfDeath?.slice(0, 7);
      for (const record of p.participants) {
        if (truthByCode.has(record.socialInsuranceCode)) continue;
        const outcome = compare(record, p.citizen).outcome;
        const code = record.socialInsuranceCode;
        if (record.citizenId !== p.citizen.citizenId)
          problems.push(`${code}: citizen ID ${record.citizenId}`);
        if (outcome !== 'MATCHED') problems.push(`${code}: ${outcome}`);
        if (record.deceasedOn !== p.citizen.dateOfDeath)
          problems.push(`${code}: deceased on ${record.deceasedOn}`);
        if (!deathMonth) continue;
        // A death VSS knows of: card ended, benefits stopped, nothing paid for later months.
        const card = p.cards.find((c) => c.socialInsuranceCode === code);
        if (card && card.endedOn !== p.citizen.dateOfDeath) problems.push(`${code}: card not ended`);
        if (p.benefits.some((b) => b.socialInsuranceCode === code && b.stopReason !== 'DECEASED')) {
          problems.push(`${code}: benefit not stopped`);
        }
        if (p.payments.some((pay) => pay.socialInsuranceCode === code && pay.period > deathMonth)) {
          problems.push(`${code}: paid after death`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('make identity discrepancies really present: the domain matcher reaches the recorded outcome and fields', () => {
    const identityKinds = [
      'NAME_FORM',
      'NAME_TYPO',
      'DOB_DAY_MONTH_SWAPPED',
      'GENDER_WRONG',
      'DOB_PRECISION_LOST',
    ];
    let checked = 0;
    for (const p of people) {
      for (const record of p.participants) {
        const t = truthByCode.get(record.socialInsuranceCode);
        if (!t || !identityKinds.includes(t.detail.kind as string)) continue;
        const result = compare(record, p.citizen);
        expect({ kind: t.detail.kind, outcome: result.outcome }).toEqual({
          kind: t.detail.kind,
          outcome: t.outcome,
        });
        const fields = [...result.differences.map((d) => d.field), ...result.normalizedFields];
        expect(fields).toEqual(t.fields);
        expect(t.detail.recorded).toBe(recordedValue(record, t));
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(SIZE * 0.02);
  });

  it('swap day and month into a date that differs from the registry', () => {
    const swapped = people.flatMap((p) =>
      p.truth.filter((t) => t.detail.kind === 'DOB_DAY_MONTH_SWAPPED').map((t) => ({ t, p })),
    );
    expect(swapped.length).toBeGreaterThan(0);
    for (const { t, p } of swapped) {
      const [y, m, d] = p.citizen.dateOfBirth.split('-');
      expect(p.participants[0].dateOfBirth).toBe(`${y}-${d}-${m}`);
      expect(p.participants[0].dateOfBirth).not.toBe(p.citizen.dateOfBirth);
      expect(t.detail.clean).toBe(p.citizen.dateOfBirth);
    }
  });

  it('strip the citizen ID from legacy-only and missing-ID records, keeping the true citizen in the truth', () => {
    for (const p of people) {
      for (const t of p.truth) {
        const record = p.participants.find((r) => r.socialInsuranceCode === t.socialInsuranceCode)!;
        if (t.outcome === 'LEGACY_ID_RESOLVED') {
          expect(record.citizenId).toBeNull();
          expect(record.legacyId).toBe(p.citizen.legacyId);
          expect(record.legacyId).toMatch(/^[0-9]{9}$/);
          expect(t.citizenId).toBe(p.citizen.citizenId);
        }
        if (t.outcome === 'MISSING_ID_CANDIDATE') {
          expect([record.citizenId, record.legacyId]).toEqual([null, null]);
          expect(t.citizenId).toBe(p.citizen.citizenId);
          // Without an ID, and otherwise as the registry has them, unless the kind dirtied them.
          expect(compare(record, p.citizen).outcome === 'MATCHED').toBe(t.detail.kind !== 'MISSING_ID_DIRTY');
        }
      }
    }
  });

  it('record both sides of a duplicate, pointing at each other', () => {
    const duplicates = people.filter((p) => p.truth.some((t) => t.outcome === 'DUPLICATE_PARTICIPANT'));
    expect(duplicates.length).toBeGreaterThan(0);
    for (const p of duplicates) {
      expect(p.participants).toHaveLength(2);
      const [a, b] = p.participants;
      expect([a.citizenId, b.citizenId]).toEqual([p.citizen.citizenId, p.citizen.citizenId]);
      expect(truthByCode.get(a.socialInsuranceCode)?.detail.otherSocialInsuranceCodes).toEqual([
        b.socialInsuranceCode,
      ]);
      expect(truthByCode.get(b.socialInsuranceCode)?.detail.otherSocialInsuranceCodes).toEqual([
        a.socialInsuranceCode,
      ]);
    }
  });

  it('keep the unrecorded dead active: card running and pension paid after the month of death', () => {
    const cases = people.filter((p) => p.truth.some((t) => t.outcome === 'DECEASED_BUT_ACTIVE'));
    expect(cases.length).toBeGreaterThan(0);
    let paidAfterDeath = 0;
    for (const p of cases) {
      const [record] = p.participants;
      const t = truthByCode.get(record.socialInsuranceCode)!;
      expect(p.citizen.vitalStatus).toBe('DECEASED');
      expect(record.deceasedOn).toBeNull();
      expect(p.cards[0]?.endedOn ?? null).toBeNull();
      const after = p.payments.filter((pay) => pay.period > p.citizen.dateOfDeath!.slice(0, 7));
      expect(t.detail.paymentsAfterDeath).toBe(after.length);
      expect(p.benefits.every((b) => b.stoppedFrom === null)).toBe(true);
      paidAfterDeath += after.length > 0 ? 1 : 0;
    }
    expect(paidAfterDeath).toBeGreaterThan(0);
  });

  it('give NOT_IN_REGISTRY records a well-formed citizen ID that no registry citizen holds', () => {
    const unknown = people.flatMap((p) =>
      p.truth.filter((t) => t.outcome === 'NOT_IN_REGISTRY').map((t) => ({ t, p })),
    );
    expect(unknown.length).toBeGreaterThan(0);
    for (const { t, p } of unknown) {
      const record = p.participants.find((r) => r.socialInsuranceCode === t.socialInsuranceCode)!;
      expect(t.citizenId).toBeNull();
      expect(record.citizenId).toBe(t.detail.recordCitizenId);
      expect(citizensById.has(record.citizenId!)).toBe(false);
      const parsed = parseCitizenId(record.citizenId!);
      expect(parsed.ok && parsed.value.birthYear === Number(record.dateOfBirth.slice(0, 4))).toBe(true);
    }
  });

  it('inject nothing at zero rates, and a chosen kind into every eligible participant at rate 1', () => {
    const none = [
      ...createPopulation({ citizens: 2_000, seed: 3, asOf: AS_OF, rates: zeroRates() }).people(),
    ];
    expect(none.slice(10).flatMap((p) => p.truth)).toEqual([]);
    const all = [
      ...createPopulation({
        citizens: 2_000,
        seed: 3,
        asOf: AS_OF,
        rates: { ...zeroRates(), NAME_TYPO: 1 },
      }).people(),
    ];
    const insured = all.slice(10).filter((p) => p.participants.length > 0);
    expect(insured.every((p) => p.truth.length === 1 && p.truth[0].detail.kind === 'NAME_TYPO')).toBe(true);
  });

  it('refuses rates that cannot be probabilities', () => {
    expect(() => createPopulation({ citizens: 1, rates: { NAME_TYPO: 0.7, NAME_FORM: 0.7 } })).toThrow(
      /at most 1/,
    );
    expect(() => createPopulation({ citizens: 1, rates: { GENDER_WRONG: -0.1 } })).toThrow(/between 0 and 1/);
  });
});

function recordedValue(record: ParticipantRow, t: TruthRow): string {
  if (t.fields[0] === 'gender') return record.gender;
  return t.fields[0] === 'full_name' ? record.fullName : record.dateOfBirth;
}
