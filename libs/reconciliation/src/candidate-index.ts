import { type PartialDate, precisionOf, sameLetters } from '@vss/domain';
import {
  citizenProvinces,
  distantNameLevel,
  type MatchModel,
  nameWeightBound,
  nearNameLevel,
  type PairCitizen,
  probabilityOf,
  weightWithNameLevel,
  weightWithoutName,
} from '@vss/domain/match-model';
import type { InsuranceRecord, RegistryPerson } from '@vss/domain/reconciliation';
import { storedPartialDate } from '@vss/domain/reconciliation';
import {
  agreesAtPrecision,
  BLOCKING_RULES,
  type BlockingRule,
  type Candidate,
  type CandidateRecordInput,
  givenNameKey,
  MAX_CANDIDATES,
  mayImprove,
  pushCandidate,
  scoreCandidatePair,
  worthScoring,
} from '@vss/domain/reconciliation-candidates';
import type { NameKeys } from './registry-person';

interface IndexedRecord {
  record: InsuranceRecord;
  nameKey: string;
  givenKey: string;
  /**
   * The record as the model compares it, built once: it meets many citizens. Its exact-name form
   * is added the first time a citizen's name agrees by key (most records never meet one).
   */
  input: CandidateRecordInput;
  dateOfBirth: PartialDate;
  top: readonly Candidate[];
  dirty: boolean;
  /** The citizen last scored against this record: one citizen reached by two rules is scored once. */
  lastCitizen: string;
}

/** Bounds are sums in another order than a pair's weight: a hair above, never below. */
const BOUND_MARGIN = 1e-9;

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

/** The month and the day of an ISO date, likewise. */
function monthOf(isoDate: string): number {
  return (isoDate.charCodeAt(5) - 48) * 10 + (isoDate.charCodeAt(6) - 48);
}

function dayOf(isoDate: string): number {
  return (isoDate.charCodeAt(8) - 48) * 10 + (isoDate.charCodeAt(9) - 48);
}

const dayNumber = (year: number, month: number, day: number) => year * 10_000 + month * 100 + day;

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** An exported citizen as scoring needs it, built once per citizen that meets a block. */
interface Probe {
  citizen: RegistryPerson;
  dateOfBirth: string;
  /** Whether nameKey (and pair.nameKey) is built yet. */
  keyed: boolean;
  nameKey: string;
  givenKey: string;
  parts: { year: number; month: number; day: number };
  pair: PairCitizen;
}

/** What one blocking rule costs: the records' blocks, and the pairs it brought to be scored. */
export interface BlockingMeasure {
  rule: BlockingRule;
  /** Blocks holding at least one record, and the most records in one. */
  recordBlocks: number;
  largestRecordBlock: number;
  /** Pairs the rule put side by side, and those that passed its filter and were scored. */
  pairsCompared: number;
  pairsScored: number;
}

/**
 * The records without a citizen ID, indexed by the blocks of every blocking rule
 * (reconciliation-candidates.BLOCKING_RULES), each with its best registry candidates so far.
 * Registry citizens stream past in citizen-ID order; each is looked up in the blocks it belongs
 * to and scored by the model against the records there worth scoring. Memory is proportional
 * to the records without an ID, not to either table.
 */
export class CandidateIndex {
  // Rule 1 as nested maps: looking a citizen up builds no key string, and a province or year
  // without records costs one lookup.
  private readonly blocks: Blocks = new Map();
  // Rule 2: by the birth date as the record knows it, as a number (YYYYMMDD, or YYYYMM), so that
  // looking an exported citizen's date up builds and hashes no string.
  private readonly byDay = new Map<number, IndexedRecord[]>();
  private readonly byMonth = new Map<number, IndexedRecord[]>();
  // Rule 3: by birth year, the given name's key, the surname's key, then the whole key: a
  // citizen's whole key is built only when someone born that year has their given name and
  // surname.
  private readonly byNameYear = new Map<number, Map<string, Map<string, Map<string, IndexedRecord[]>>>>();
  private readonly bySic = new Map<string, IndexedRecord>();
  private dirty: IndexedRecord[] = [];
  private readonly measures: Record<BlockingRule, BlockingMeasure>;
  // The most a name can add to a pair's weight, at any level and when further than one edit.
  private readonly bestName: number;
  private readonly distantName: number;

  constructor(
    records: Iterable<InsuranceRecord>,
    private readonly keys: NameKeys,
    private readonly model: MatchModel,
    state: ReadonlyMap<string, readonly Candidate[]> = new Map(),
    /** Candidates kept per record. */
    private readonly keep = MAX_CANDIDATES,
  ) {
    this.measures = Object.fromEntries(
      BLOCKING_RULES.map(({ rule }) => [
        rule,
        { rule, recordBlocks: 0, largestRecordBlock: 0, pairsCompared: 0, pairsScored: 0 },
      ]),
    ) as Record<BlockingRule, BlockingMeasure>;
    this.bestName = nameWeightBound(model, 'ANY');
    this.distantName = nameWeightBound(model, 'DISTANT');
    for (const record of records) this.add(record, state.get(record.socialInsuranceCode) ?? []);
    this.measureRecordBlocks();
  }

  get size(): number {
    return this.bySic.size;
  }

  private add(record: InsuranceRecord, top: readonly Candidate[]): void {
    const dateOfBirth = storedPartialDate(record.dateOfBirth);
    const nameKey = this.keys.of(record.fullName);
    const entry: IndexedRecord = {
      record,
      nameKey,
      givenKey: givenNameKey(nameKey),
      input: {
        fullName: record.fullName,
        nameKey,
        dateOfBirth,
        gender: record.gender,
        // A record of no province (a search by name and date alone) is no evidence either way.
        provinceCode: record.provinceCode || undefined,
      },
      dateOfBirth,
      top,
      dirty: false,
      lastCitizen: '',
    };
    const surname = this.keys.surname(record.fullName);
    let years = this.blocks.get(record.provinceCode);
    if (!years) this.blocks.set(record.provinceCode, (years = new Map()));
    let surnames = years.get(dateOfBirth.year);
    if (!surnames) years.set(dateOfBirth.year, (surnames = new Map()));
    push(surnames, surname, entry);
    const precision = precisionOf(dateOfBirth);
    if (precision === 'DAY')
      push(this.byDay, dayNumber(dateOfBirth.year, dateOfBirth.month!, dateOfBirth.day!), entry);
    if (precision === 'MONTH') push(this.byMonth, dateOfBirth.year * 100 + dateOfBirth.month!, entry);
    let givens = this.byNameYear.get(dateOfBirth.year);
    if (!givens) this.byNameYear.set(dateOfBirth.year, (givens = new Map()));
    let bySurname = givens.get(entry.givenKey);
    if (!bySurname) givens.set(entry.givenKey, (bySurname = new Map()));
    let names = bySurname.get(surname);
    if (!names) bySurname.set(surname, (names = new Map()));
    push(names, nameKey, entry);
    this.bySic.set(record.socialInsuranceCode, entry);
  }

  private measureRecordBlocks(): void {
    const measure = (rule: BlockingRule, lists: Iterable<IndexedRecord[]>) => {
      const m = this.measures[rule];
      for (const list of lists) {
        m.recordBlocks += 1;
        m.largestRecordBlock = Math.max(m.largestRecordBlock, list.length);
      }
    };
    measure(
      'SURNAME_YEAR_PROVINCE',
      [...this.blocks.values()].flatMap((years) => [...years.values()].flatMap((s) => [...s.values()])),
    );
    measure('BIRTH_DATE', [...this.byDay.values(), ...this.byMonth.values()]);
    measure(
      'NAME_YEAR',
      [...this.byNameYear.values()].flatMap((givens) =>
        [...givens.values()].flatMap((surnames) =>
          [...surnames.values()].flatMap((names) => [...names.values()]),
        ),
      ),
    );
  }

  /** Each rule's blocks and pairs so far. */
  blocking(): BlockingMeasure[] {
    return BLOCKING_RULES.map(({ rule }) => ({ ...this.measures[rule] }));
  }

  /**
   * Scores the citizen against the records of every block it falls in: its surname and year in
   * the province where it lives and, when it moved, where it was registered at birth; its birth
   * date anywhere; its whole name and birth year anywhere. Remembers which records changed.
   */
  consider(citizen: RegistryPerson): void {
    const year = yearOf(citizen.dateOfBirth);
    const given = this.keys.given(citizen.fullName);
    let surname: string | undefined;
    // What scoring needs of the citizen, built the first time a block holds someone; its whole
    // name key only when a pair needs it.
    let probe: Probe | undefined;
    const residence = citizen.residenceProvinceCode ?? citizen.birthProvinceCode;
    const here = this.blocks.get(residence)?.get(year);
    const born =
      residence !== citizen.birthProvinceCode
        ? this.blocks.get(citizen.birthProvinceCode)?.get(year)
        : undefined;
    if (here || born) {
      surname = this.keys.surname(citizen.fullName);
      const inResidence = here?.get(surname);
      if (inResidence)
        this.scoreBlock('SURNAME_YEAR_PROVINCE', inResidence, (probe ??= this.probe(citizen, given)));
      const inBirthProvince = born?.get(surname);
      if (inBirthProvince)
        this.scoreBlock('SURNAME_YEAR_PROVINCE', inBirthProvince, (probe ??= this.probe(citizen, given)));
    }
    const month = monthOf(citizen.dateOfBirth);
    const sameDay = this.byDay.get(dayNumber(year, month, dayOf(citizen.dateOfBirth)));
    if (sameDay) this.scoreBlock('BIRTH_DATE', sameDay, (probe ??= this.probe(citizen, given)));
    if (this.byMonth.size > 0) {
      const sameMonth = this.byMonth.get(year * 100 + month);
      if (sameMonth) this.scoreBlock('BIRTH_DATE', sameMonth, (probe ??= this.probe(citizen, given)));
    }
    const names = this.byNameYear
      .get(year)
      ?.get(given)
      ?.get(surname ?? this.keys.surname(citizen.fullName));
    if (names) {
      const keyed = this.keyed(probe ?? this.probe(citizen, given));
      const block = names.get(keyed.nameKey);
      if (block) this.scoreBlock('NAME_YEAR', block, keyed);
    }
  }

  // One probe, refilled for each citizen that meets a block (scoring reads it synchronously and
  // keeps nothing of it): a million citizens exported leave no probes to collect.
  private readonly scratch: Probe = {
    citizen: undefined as unknown as RegistryPerson,
    dateOfBirth: '',
    keyed: false,
    nameKey: '',
    givenKey: '',
    parts: { year: 0, month: 0, day: 0 },
    pair: {
      fullName: '',
      nameKey: '',
      exactForm: undefined,
      dateOfBirth: '',
      gender: 'MALE',
      provinceCodes: [],
    },
  };

  private probe(citizen: RegistryPerson, givenKey: string): Probe {
    const p = this.scratch;
    p.citizen = citizen;
    p.dateOfBirth = citizen.dateOfBirth;
    p.keyed = false;
    p.nameKey = '';
    p.givenKey = givenKey;
    p.parts.year = yearOf(citizen.dateOfBirth);
    p.parts.month = monthOf(citizen.dateOfBirth);
    p.parts.day = dayOf(citizen.dateOfBirth);
    p.pair.fullName = citizen.fullName;
    p.pair.nameKey = '';
    p.pair.exactForm = undefined;
    p.pair.dateOfBirth = citizen.dateOfBirth;
    p.pair.gender = citizen.gender;
    p.pair.provinceCodes = citizenProvinces(citizen.residenceProvinceCode, citizen.birthProvinceCode);
    return p;
  }

  /** The probe with the citizen's whole name key, built the first time a pair needs it. */
  private keyed(p: Probe): Probe {
    if (!p.keyed) {
      p.nameKey = this.keys.of(p.citizen.fullName);
      p.pair.nameKey = p.nameKey;
      p.keyed = true;
    }
    return p;
  }

  /** Whether a pair of this weight (or of at most this weight) could enter the record's list. */
  private matters(entry: IndexedRecord, citizenId: string, weight: number): boolean {
    return (
      probabilityOf(this.model, weight) >= this.model.thresholds.candidate &&
      mayImprove(entry.top, citizenId, weight, this.keep)
    );
  }

  /**
   * Weighs the citizen against each record of a block worth it, and builds a candidate with its
   * explanation only when it would enter the record's list: most pairs are weighed and dropped.
   * What a pair's birth date, gender and province weigh, with the most a name could add, tells
   * first whether the names need comparing at all, then whether their similarity (names
   * further apart than one edit) does: skipping a pair that could not matter changes nothing.
   */
  private scoreBlock(rule: BlockingRule, block: readonly IndexedRecord[], probe: Probe): void {
    const measure = this.measures[rule];
    measure.pairsCompared += block.length;
    const { citizen } = probe;
    for (const entry of block) {
      if (entry.lastCitizen === citizen.citizenId) continue;
      // A province block's filter without the whole key: names whose given names differ differ.
      if (
        rule === 'SURNAME_YEAR_PROVINCE' &&
        entry.givenKey !== probe.givenKey &&
        !agreesAtPrecision(entry.dateOfBirth, probe.parts)
      )
        continue;
      if (!worthScoring(rule, entry, this.keyed(probe))) continue;
      entry.lastCitizen = citizen.citizenId;
      measure.pairsScored += 1;
      const input = entry.input;
      const rest = weightWithoutName(this.model, input, probe.pair);
      if (!this.matters(entry, citizen.citizenId, rest + this.bestName + BOUND_MARGIN)) continue;
      if (sameLetters(entry.nameKey, probe.nameKey)) {
        // Only names that agree by key are told apart by their exact forms.
        input.exactForm ??= this.keys.exact(entry.record.fullName);
        probe.pair.exactForm ??= this.keys.exact(citizen.fullName);
      }
      let level = nearNameLevel(
        input.fullName,
        citizen.fullName,
        entry.nameKey,
        probe.nameKey,
        input.exactForm,
        probe.pair.exactForm,
      );
      if (level === null) {
        if (!this.matters(entry, citizen.citizenId, rest + this.distantName + BOUND_MARGIN)) continue;
        level = distantNameLevel(entry.nameKey, probe.nameKey);
      }
      const weight = weightWithNameLevel(this.model, level, input, probe.pair);
      if (!this.matters(entry, citizen.citizenId, weight)) continue;
      const candidate = scoreCandidatePair(this.model, entry.input, {
        ...citizen,
        nameKey: probe.nameKey,
        exactForm: probe.pair.exactForm,
      });
      const next = pushCandidate(entry.top, candidate, this.keep);
      if (next === entry.top) continue;
      entry.top = next;
      if (!entry.dirty) {
        entry.dirty = true;
        this.dirty.push(entry);
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
