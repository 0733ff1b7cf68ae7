import type { PartialDate } from '@vss/domain';
import type { InsuranceRecord, RegistryPerson } from '@vss/domain/reconciliation';
import { storedPartialDate } from '@vss/domain/reconciliation';
import {
  blockKey,
  type Candidate,
  citizenBlockKeys,
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

/**
 * The records without a citizen ID, indexed by block (surname + birth year + province), each
 * with its best registry candidates so far. Registry citizens stream past in citizen-ID order;
 * each is looked up in the blocks it belongs to and scored against the few records there
 * worth scoring. Memory is proportional to the records without an ID, not to either table.
 */
export class CandidateIndex {
  private readonly blocks = new Map<string, IndexedRecord[]>();
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
    const key = blockKey(this.keys.surname(record.fullName), dateOfBirth.year, record.provinceCode);
    const block = this.blocks.get(key);
    if (block) block.push(entry);
    else this.blocks.set(key, [entry]);
    this.bySic.set(record.socialInsuranceCode, entry);
  }

  /** Scores the citizen against the records of its blocks; remembers which records changed. */
  consider(citizen: RegistryPerson): void {
    if (this.blocks.size === 0) return;
    const year = Number(citizen.dateOfBirth.slice(0, 4));
    const keys = citizenBlockKeys(
      this.keys.surname(citizen.fullName),
      year,
      citizen.residenceProvinceCode,
      citizen.birthProvinceCode,
    );
    let nameKey: string | undefined;
    for (const key of keys) {
      const block = this.blocks.get(key);
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
