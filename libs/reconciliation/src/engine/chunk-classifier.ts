import { Injectable } from '@nestjs/common';
import {
  classifyCitizenGroup,
  type GroupMember,
  isFinding,
  needsActivity,
  type ReconciliationOutcome,
  type RecordActivity,
  type RegistryPerson,
} from '@vss/domain/reconciliation';
import type { MatchModel } from '@vss/domain/match-model';
import { type Candidate, missingIdDetail } from '@vss/domain/reconciliation-candidates';
import { RecordsScanRepository, type ScopedRecord } from '@vss/insurance-records';
import { NameKeys } from '../registry-person';
import type { NewFinding, OutcomeCounts } from '../findings.repository';
import { pairFingerprint } from '../pair-fingerprint';

/** What one chunk brings together: registry citizens and every record tied to them. */
export interface ChunkInput {
  citizens: readonly RegistryPerson[];
  /** Records holding a citizen ID: of these citizens, or of IDs in the chunk's range the registry lacks. */
  byCitizenId: readonly ScopedRecord[];
  /** Records without a citizen ID whose legacy CMND belongs to one of the citizens. */
  byLegacyId: readonly ScopedRecord[];
  /** Which records this chunk answers for; the others only complete a citizen's group. */
  emit: (record: ScopedRecord) => boolean;
  /** Cards and benefits of the records that need them, when the source read them ahead. */
  activity?: ReadonlyMap<string, RecordActivity>;
}

/**
 * The records whose cards and benefits decide their outcome: records of citizens the registry
 * says are dead, that VSS still thinks alive. A few in a thousand.
 */
export function recordsNeedingActivity(input: Omit<ChunkInput, 'emit' | 'activity'>): string[] {
  const dead = new Map<string, RegistryPerson>();
  for (const c of input.citizens) if (c.dateOfDeath !== null) dead.set(c.citizenId, c);
  if (dead.size === 0) return [];
  const deadByLegacy = new Map<string, RegistryPerson>();
  for (const c of dead.values()) if (c.legacyId) deadByLegacy.set(c.legacyId, c);
  const wanted: string[] = [];
  for (const r of input.byCitizenId) {
    const c = r.citizenId ? dead.get(r.citizenId) : undefined;
    if (c && needsActivity(c, r)) wanted.push(r.socialInsuranceCode);
  }
  for (const r of input.byLegacyId) {
    const c = r.legacyId ? deadByLegacy.get(r.legacyId) : undefined;
    if (c && needsActivity(c, r)) wanted.push(r.socialInsuranceCode);
  }
  return wanted;
}

/** The records pointing at one citizen, and that citizen when the registry has them. */
interface CitizenGroup {
  citizen: RegistryPerson | null;
  members: (GroupMember & { record: ScopedRecord })[];
}

export interface ChunkOutcome {
  findings: NewFinding[];
  counts: OutcomeCounts;
  processed: number;
}

export function addCount(counts: OutcomeCounts, outcome: ReconciliationOutcome, n = 1): void {
  counts[outcome] = (counts[outcome] ?? 0) + n;
}

/** The finding of a record without a citizen ID that nothing resolved. */
export function missingIdFinding(
  record: ScopedRecord,
  candidates: readonly Candidate[],
  searched: boolean,
): NewFinding {
  return {
    outcome: 'MISSING_ID_CANDIDATE',
    socialInsuranceCode: record.socialInsuranceCode,
    citizenId: null,
    provinceCode: record.provinceCode,
    differences: [],
    resolvedCitizenId: null,
    candidates,
    duplicateCodes: [],
    dateOfDeath: null,
    evidence: [],
    detail: missingIdDetail({ legacyId: record.legacyId, candidates, searched }),
    pairFingerprint: pairFingerprint(record, { candidates: candidates.map((c) => c.citizenId) }),
  };
}

/**
 * Turns a chunk into outcomes: groups records by the citizen they point at, reads cards and
 * benefits only of records whose citizen the registry says is dead, and lets the domain
 * rules decide. Each record is answered for by exactly one chunk of the run.
 */
@Injectable()
export class ChunkClassifier {
  private readonly keys = new NameKeys();
  private readonly keyOf = (name: string) => this.keys.of(name);

  constructor(private readonly records: RecordsScanRepository) {}

  async classify(input: ChunkInput, model: MatchModel): Promise<ChunkOutcome> {
    // Written to allocate little per record: a whole-population run classifies every record.
    // Groups come from the records; the chunk's citizens are looked up in them, so that no map
    // of every citizen is built. The two lists are disjoint (with and without a citizen ID).
    const groups = new Map<string, CitizenGroup>();
    const groupOf = (citizenId: string) => {
      let group = groups.get(citizenId);
      if (!group) groups.set(citizenId, (group = { citizen: null, members: [] }));
      return group;
    };
    for (const r of input.byCitizenId)
      if (r.citizenId) groupOf(r.citizenId).members.push({ record: r, link: 'CITIZEN_ID' });
    // Records without a citizen ID by the legacy CMND they hold (a few a chunk), and the citizen
    // holding each CMND (the last, should two hold one).
    const byLegacy = new Map<string, ScopedRecord[]>();
    for (const r of input.byLegacyId) {
      if (!r.legacyId) continue;
      const records = byLegacy.get(r.legacyId);
      if (records) records.push(r);
      else byLegacy.set(r.legacyId, [r]);
    }
    const holders = new Map<string, RegistryPerson>();
    for (const c of input.citizens) {
      const group = groups.get(c.citizenId);
      if (group) group.citizen = c;
      if (c.legacyId && byLegacy.size > 0 && byLegacy.has(c.legacyId)) holders.set(c.legacyId, c);
    }
    for (const [legacyId, records] of byLegacy) {
      const citizen = holders.get(legacyId);
      if (!citizen) continue;
      const group = groupOf(citizen.citizenId);
      group.citizen = citizen;
      for (const record of records) group.members.push({ record, link: 'LEGACY_ID' });
    }

    const activity = input.activity ?? (await this.records.activity(recordsNeedingActivity(input)));

    const out: ChunkOutcome = { findings: [], counts: {}, processed: 0 };
    for (const { citizen, members } of groups.values()) {
      if (members.length > 1 && !members.some((m) => input.emit(m.record))) continue;
      if (members.length === 1 && !input.emit(members[0].record)) continue;
      if (activity.size > 0) for (const m of members) m.activity = activity.get(m.record.socialInsuranceCode);
      const classes = classifyCitizenGroup(citizen, members, model, this.keyOf);
      classes.forEach((c, i) => {
        const record = members[i].record;
        if (!input.emit(record)) return;
        out.processed += 1;
        addCount(out.counts, c.outcome);
        if (!isFinding(c.outcome)) return;
        out.findings.push({
          outcome: c.outcome,
          socialInsuranceCode: record.socialInsuranceCode,
          citizenId: record.citizenId,
          provinceCode: record.provinceCode,
          differences: c.corrections,
          resolvedCitizenId: c.resolvedCitizenId,
          candidates: [],
          duplicateCodes: c.duplicateSocialInsuranceCodes,
          dateOfDeath: c.outcome === 'DECEASED_BUT_ACTIVE' ? c.dateOfDeath : null,
          evidence: c.evidence,
          detail: c.detail,
          pairFingerprint: pairFingerprint(record, citizen, members[i].activity),
        });
      });
    }
    return out;
  }
}
