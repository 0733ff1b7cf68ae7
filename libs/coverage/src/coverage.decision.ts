import {
  compareDates,
  type CoverageCard,
  type CoverageDecision,
  decideCoverage,
  type IsoDate,
  type RegistryAnswer,
} from '@vss/domain';
import type { CardRecord, CoverageRecord } from '@vss/insurance-records';

export interface CoverageAnswer {
  decision: CoverageDecision;
  /** The record the answer is about; absent when VSS does not know the citizen. */
  record?: CoverageRecord;
}

/** The card as the coverage rule sees it: a death that ended it ends its validity too. */
export function effectiveCard(card: CardRecord): CoverageCard {
  let validTo = card.validTo ?? undefined;
  if (card.endedOn !== null && (validTo === undefined || compareDates(card.endedOn, validTo) < 0)) {
    validTo = card.endedOn;
  }
  const effective: CoverageCard = { validFrom: card.validFrom, suspended: card.suspended };
  if (validTo !== undefined) effective.validTo = validTo;
  return effective;
}

function validOn(card: CardRecord | null, visitDate: IsoDate): boolean {
  if (!card) return false;
  return decideCoverage({ known: true, card: effectiveCard(card), visitDate }).status === 'COVERED';
}

/** Later card first: later start, then later (open-ended latest) end; then the code, for a stable order. */
function byLatestCard(a: CoverageRecord, b: CoverageRecord): number {
  if (a.card && !b.card) return -1;
  if (!a.card && b.card) return 1;
  if (a.card && b.card) {
    const from = compareDates(b.card.validFrom, a.card.validFrom);
    if (from !== 0) return from;
    const aTo = a.card.validTo ?? '9999-12-31';
    const bTo = b.card.validTo ?? '9999-12-31';
    if (aTo !== bTo) return bTo < aTo ? -1 : 1;
  }
  return a.socialInsuranceCode < b.socialInsuranceCode
    ? -1
    : a.socialInsuranceCode > b.socialInsuranceCode
      ? 1
      : 0;
}

/**
 * Which of a citizen's insurance records answers (one citizen on several social insurance codes
 * is a known data problem that reconciliation reports): the one whose card is valid on the
 * visit date, else the one with the latest card, else the lowest code. Deterministic, so the
 * same question always gets the same answer.
 */
export function chooseRecord(
  records: readonly CoverageRecord[],
  visitDate: IsoDate,
): CoverageRecord | undefined {
  if (records.length <= 1) return records[0];
  const ordered = [...records].sort(byLatestCard);
  return ordered.find((r) => validOn(r.card, visitDate)) ?? ordered[0];
}

/**
 * Decides a lookup from the citizen's records. A death is a fact about the person, not about
 * one of their records: if any record holds a date of death, the earliest one ends coverage.
 */
export function decideFromRecords(
  records: readonly CoverageRecord[],
  visitDate: IsoDate,
  registry?: RegistryAnswer,
): CoverageAnswer {
  const record = chooseRecord(records, visitDate);
  if (!record) return { decision: decideCoverage({ known: false, visitDate, registry }) };
  let deceasedOn: IsoDate | undefined;
  let reinstating = false;
  for (const r of records) {
    if (r.deceasedOn !== null && (deceasedOn === undefined || compareDates(r.deceasedOn, deceasedOn) < 0)) {
      deceasedOn = r.deceasedOn;
      reinstating = r.reinstating;
    }
  }
  const input: Parameters<typeof decideCoverage>[0] = { known: true, visitDate };
  if (deceasedOn !== undefined) input.deceasedOn = deceasedOn;
  if (reinstating) input.reinstating = true;
  if (record.card) input.card = effectiveCard(record.card);
  return { decision: decideCoverage(input), record };
}
