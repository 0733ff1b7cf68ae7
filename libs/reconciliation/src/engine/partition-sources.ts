import { Inject, Injectable } from '@nestjs/common';
import type { RegistryPerson } from '@vss/domain/reconciliation';
import type { WorkerConfig } from '@vss/platform';
import { RegistryClient } from '@vss/registry-client';
import { APP_CONFIG } from '@vss/platform';
import type { MatchModel } from '@vss/domain/match-model';
import type { CandidateIndex } from '../candidate-index';
import { type ChunkInput, missingIdFinding, recordsNeedingActivity } from './chunk-classifier';
import type { NewFinding } from '../findings.repository';
import { RecordsScanRepository, type ScopedRecord } from '@vss/insurance-records';
import { DemographicSearch, mapLimit } from './demographic-search';
import { type NameKeys, summaryToRegistryPerson, toRegistryPerson } from '../registry-person';
import type { PartitionRecord } from '../partitions.repository';
import type { RunRecord } from '../runs.repository';

/** One unit of work: committed with its checkpoint, or not at all. */
export interface ChunkWork {
  /** The key this chunk runs through; the partition's checkpoint once committed. */
  through: string;
  /** The partition has nothing after this chunk. */
  done: boolean;
  /** Citizens or records read: chunks are committed once they hold RECONCILE_CHUNK_SIZE. */
  size: number;
  input: ChunkInput | null;
  /** Findings decided outside the citizen groups (records without a citizen ID). */
  missing: NewFinding[];
}

const everyRecord = () => true;

/**
 * Where each kind of partition gets its chunks from. A REGISTRY_RANGE partition merges the
 * registry's export (in citizen-ID order) with our records of the same key range; a RECORDS
 * partition pages through our records in scope and fetches their citizens in batches; a
 * CHANGED_CITIZENS partition follows the registry's changes since a date.
 */
@Injectable()
export class PartitionSources {
  constructor(
    private readonly registry: RegistryClient,
    private readonly records: RecordsScanRepository,
    private readonly search: DemographicSearch,
    @Inject(APP_CONFIG) private readonly config: WorkerConfig,
  ) {}

  get nameKeys(): NameKeys {
    return this.search.keys;
  }

  open(
    run: RunRecord,
    partition: PartitionRecord,
    index: CandidateIndex | null,
    model: MatchModel,
  ): AsyncGenerator<ChunkWork> {
    switch (partition.kind) {
      case 'REGISTRY_RANGE':
        return this.registryRange(partition, index);
      case 'RECORDS':
        return this.recordsInScope(run, partition, model);
      case 'CHANGED_CITIZENS':
        return this.changedCitizens(run, partition);
    }
  }

  private export(after: string, before: string, updatedSince = '') {
    return this.registry.exportSummaries(
      {
        afterCitizenId: after,
        beforeCitizenId: before,
        updatedSince,
        pageSize: this.config.RECONCILE_EXPORT_PAGE_SIZE,
      },
      { deadlineMs: this.config.RECONCILE_EXPORT_DEADLINE_MS },
    );
  }

  /**
   * The merge of the registry's export with our records, page by page. While one page is
   * classified (and a chunk committed), our records of the next page's key range are already
   * being read, so the worker rarely waits; only two pages are alive at a time, so what the
   * worker holds stays young and small whatever the population.
   */
  private async *registryRange(p: PartitionRecord, index: CandidateIndex | null): AsyncGenerator<ChunkWork> {
    const pages = this.export(p.checkpoint ?? p.lowerBound, p.upperBound)[Symbol.asyncIterator]();
    const read = async (after: string): Promise<ChunkWork & { input: ChunkInput }> => {
      let next = await pages.next();
      while (!next.done && next.value.length === 0) next = await pages.next();
      const citizens = next.done ? [] : next.value.map(summaryToRegistryPerson);
      const through = next.done ? after : citizens[citizens.length - 1].citizenId;
      const legacyIds = citizens.flatMap((c) => (c.legacyId ? [c.legacyId] : []));
      // After the registry's last citizen: our records with IDs it does not hold.
      const { byCitizenId, byLegacyId } = await this.records.citizenPage(
        next.done ? { after, below: p.upperBound } : { after, through },
        legacyIds,
      );
      const activity = await this.records.activity(
        recordsNeedingActivity({ citizens, byCitizenId, byLegacyId }),
      );
      return {
        through,
        done: next.done === true,
        size: citizens.length,
        input: { citizens, byCitizenId, byLegacyId, emit: everyRecord, activity },
        missing: [],
      };
    };
    // The page read ahead may fail while this one is processed: it must not count as unhandled
    // (Node would end the process); awaiting it later still throws.
    const ahead = (after: string) => {
      const promise = read(after);
      promise.catch(() => undefined);
      return promise;
    };
    let pending = ahead(p.checkpoint ?? p.lowerBound);
    try {
      for (;;) {
        const page = await pending;
        if (!page.done) pending = ahead(page.through);
        if (index) for (const c of page.input.citizens) index.consider(c);
        yield page;
        if (page.done) return;
      }
    } finally {
      // A slice that stops early leaves the page read ahead unprocessed: the next slice reads it again.
      await pages.return?.(undefined);
    }
  }

  private async *recordsInScope(
    run: RunRecord,
    p: PartitionRecord,
    model: MatchModel,
  ): AsyncGenerator<ChunkWork> {
    const limit = this.config.RECONCILE_RECORDS_PAGE_SIZE;
    let after = p.checkpoint ?? p.lowerBound;
    for (;;) {
      const page = await this.records.page(run.scope, after, p.upperBound, limit);
      const through = page.length > 0 ? page[page.length - 1].socialInsuranceCode : after;
      const done = page.length < limit;
      if (page.length === 0) {
        yield { through, done, size: 0, input: null, missing: [] };
        return;
      }
      const ids = [...new Set(page.flatMap((r) => (r.citizenId ? [r.citizenId] : [])))];
      const found = ids.length > 0 ? await this.registry.batchGetCitizens(ids) : [];
      const citizens = new Map<string, RegistryPerson>();
      for (const r of found) if (r.found && r.citizen) citizens.set(r.citizenId, toRegistryPerson(r.citizen));

      const legacyOnly = page.filter((r) => !r.citizenId && r.legacyId);
      const resolved = await mapLimit(legacyOnly, this.config.RECONCILE_LEGACY_CONCURRENCY, (r) =>
        this.registry.resolveLegacyId(r.legacyId!),
      );
      for (const answer of resolved) {
        if (answer?.citizen) citizens.set(answer.citizenId, toRegistryPerson(answer.citizen));
      }
      const all = [...citizens.values()];
      const legacyIds = all.flatMap((c) => (c.legacyId ? [c.legacyId] : []));
      const [byCitizenId, byLegacyId] = await Promise.all([
        this.records.byCitizenIds([...new Set([...ids, ...citizens.keys()])], run.scope),
        this.records.legacyOnly(legacyIds, run.scope),
      ]);
      const inPage = new Set(page.map((r) => r.socialInsuranceCode));
      const resolvedLegacy = new Set(legacyIds);
      const unresolved = page.filter((r) => !r.citizenId && !(r.legacyId && resolvedLegacy.has(r.legacyId)));
      yield {
        through,
        done,
        size: page.length,
        input: { citizens: all, byCitizenId, byLegacyId, emit: (r) => inPage.has(r.socialInsuranceCode) },
        missing: await this.missingIds(unresolved, run.findCandidates, model),
      };
      if (done) return;
      after = through;
    }
  }

  /** The findings of a page's records without an ID that no legacy ID resolved, with their candidates. */
  private async missingIds(
    records: ScopedRecord[],
    wanted: boolean,
    model: MatchModel,
  ): Promise<NewFinding[]> {
    const found = wanted ? await this.search.candidates(records, model) : new Map();
    return records.map((r) => missingIdFinding(r, found.get(r.socialInsuranceCode) ?? [], wanted));
  }

  private async *changedCitizens(run: RunRecord, p: PartitionRecord): AsyncGenerator<ChunkWork> {
    if (run.scope.kind !== 'CHANGED_SINCE')
      throw new Error(`partition ${p.partitionNo} needs a changed-since run`);
    // The registry's timestamps are instants; the scope's date starts at midnight in Vietnam.
    const since = `${run.scope.since}T00:00:00+07:00`;
    let after = p.checkpoint ?? p.lowerBound;
    for await (const page of this.export(after, p.upperBound, since)) {
      if (page.length === 0) continue;
      const citizens = page.map(summaryToRegistryPerson);
      const through = citizens[citizens.length - 1].citizenId;
      const legacyIds = citizens.flatMap((c) => (c.legacyId ? [c.legacyId] : []));
      const [byCitizenId, byLegacyId] = await Promise.all([
        this.records.byCitizenIds(
          citizens.map((c) => c.citizenId),
          run.scope,
        ),
        this.records.legacyOnly(legacyIds, run.scope),
      ]);
      // Records changed since the date are the RECORDS partitions' to answer for.
      yield {
        through,
        done: false,
        size: citizens.length,
        input: { citizens, byCitizenId, byLegacyId, emit: (r) => !r.inScope },
        missing: [],
      };
      after = through;
    }
    yield { through: after, done: true, size: 0, input: null, missing: [] };
  }
}
