import type { PartialDate } from '@vss/domain';
import type { InsuranceRecord, RegistryPerson } from '@vss/domain/reconciliation';
import { storedPartialDate } from '@vss/domain/reconciliation';
import {
  type Candidate,
  pushCandidate,
  scoreCandidatePair,
  worthScoring,
} from '@vss/domain/reconciliation-candidates';
import type { NameKeys } from './registry-person';

interface IndexedRecord {
  record: InsuranceRecord;
  nameKey: string;
  dateOfBirth: PartialDate;
  top: readonly Candidate[];
  dirty: boolean;
}

/** Records by province, then birth year, then surname key. */
type Blocks = Map<string, Map<number, Map<string, IndexedRecord[]>>>;

/** The year of an ISO date without building strings: one of these runs per citizen exported. */
function yearOf(isoDate: string): number {
  return (
    (isoDate.charCodeAt(0) - 48) * 1000 +
    (isoDate.charCodeAt(1) - 48) * 100 +
    (isoDate.charCodeAt(2) - 48) * 10 +
    (isoDate.charCodeAt(3) - 48)
  );
}

/**
 * The records without a citizen ID, indexed by block (surname + birth year + province), each
 * with its best registry candidates so far. Registry citizens stream past in citizen-ID order;
 * each is looked up in the blocks it belongs to and scored against the few records there
 * worth scoring. Memory is proportional to the records without an ID, not to either table.
 */
export class CandidateIndex {
  // The blocks of reconciliation-candidates (blockKey, citizenBlockKeys) as nested maps: looking a
  // citizen up builds no key string, and a province or year without records costs one lookup.
  private readonly blocks: Blocks = new Map();
  private readonly bySic = new Map<string, IndexedRecord>();
  private dirty: IndexedRecord[] = [];

  constructor(
    records: Iterable<InsuranceRecord>,
    private readonly keys: NameKeys,
    state: ReadonlyMap<string, readonly Candidate[]> = new Map(),
  ) {
    for (const record of records) this.add(record, state.get(record.socialInsuranceCode) ?? []);
  }

  get size(): number {
    return this.bySic.size;
  }

  private add(record: InsuranceRecord, top: readonly Candidate[]): void {
    const dateOfBirth = storedPartialDate(record.dateOfBirth);
    const entry: IndexedRecord = {
      record,
      nameKey: this.keys.of(record.fullName),
      dateOfBirth,
      top,
      dirty: false,
    };
    let years = this.blocks.get(record.provinceCode);
    if (!years) this.blocks.set(record.provinceCode, (years = new Map()));
    let surnames = years.get(dateOfBirth.year);
    if (!surnames) years.set(dateOfBirth.year, (surnames = new Map()));
    const surname = this.keys.surname(record.fullName);
    const block = surnames.get(surname);
    if (block) block.push(entry);
    else surnames.set(surname, [entry]);
    this.bySic.set(record.socialInsuranceCode, entry);
  }

  /**
   * Scores the citizen against the records of its blocks, in the province where they live and,
   * when they moved, the one where they were registered at birth; remembers which records changed.
   */
  consider(citizen: RegistryPerson): void {
    const year = yearOf(citizen.dateOfBirth);
    const residence = citizen.residenceProvinceCode ?? citizen.birthProvinceCode;
    const here = this.blocks.get(residence)?.get(year);
    const born =
      residence !== citizen.birthProvinceCode
        ? this.blocks.get(citizen.birthProvinceCode)?.get(year)
        : undefined;
    if (!here && !born) return;
    const surname = this.keys.surname(citizen.fullName);
    let nameKey: string | undefined;
    for (const block of [here?.get(surname), born?.get(surname)]) {
      if (!block) continue;
      nameKey ??= this.keys.of(citizen.fullName);
      const pair = { dateOfBirth: citizen.dateOfBirth, nameKey };
      for (const entry of block) {
        if (!worthScoring(entry, pair)) continue;
        const score = scoreCandidatePair(
          {
            nameKey: entry.nameKey,
            dateOfBirth: entry.dateOfBirth,
            gender: entry.record.gender,
            provinceCode: entry.record.provinceCode,
          },
          { ...citizen, nameKey },
        );
        const next = pushCandidate(entry.top, {
          citizenId: citizen.citizenId,
          fullName: citizen.fullName,
          dateOfBirth: citizen.dateOfBirth,
          score,
        });
        if (next === entry.top) continue;
        entry.top = next;
        if (!entry.dirty) {
          entry.dirty = true;
          this.dirty.push(entry);
        }
      }
    }
  }

  /** The records whose candidates changed since the last call, to be saved with the chunk. */
  takeChanged(): { socialInsuranceCode: string; candidates: readonly Candidate[] }[] {
    const changed = this.dirty.map((e) => {
      e.dirty = false;
      return { socialInsuranceCode: e.record.socialInsuranceCode, candidates: e.top };
    });
    this.dirty = [];
    return changed;
  }

  candidatesOf(socialInsuranceCode: string): readonly Candidate[] {
    return this.bySic.get(socialInsuranceCode)?.top ?? [];
  }
}
