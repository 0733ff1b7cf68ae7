import { Inject, Injectable } from '@nestjs/common';
import type { MatchModel } from '@vss/domain/match-model';
import type { InsuranceRecord } from '@vss/domain/reconciliation';
import type { Candidate } from '@vss/domain/reconciliation-candidates';
import { APP_CONFIG, type WorkerConfig } from '@vss/platform';
import { RegistryClient } from '@vss/registry-client';
import { CandidateIndex } from '../candidate-index';
import { NameKeys, searchRequestOf, toRegistryPerson } from '../registry-person';

/** Runs `f` over the items, at most `limit` at a time, answers in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  f: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

/**
 * Candidates for records without a citizen ID, from the registry rather than from an export:
 * for each record, the citizens of its blocking rules (SearchCitizens: surname and year in the
 * record's province, the birth date and the whole name anywhere), weighed by the run's model in
 * one CandidateIndex, as a whole-population run weighs the export. A few records at a time
 * (RECONCILE_LEGACY_CONCURRENCY), like legacy-ID look-ups.
 */
@Injectable()
export class DemographicSearch {
  readonly keys = new NameKeys();

  constructor(
    private readonly registry: RegistryClient,
    @Inject(APP_CONFIG) private readonly config: WorkerConfig,
  ) {}

  /** Each record's best candidates, by social insurance code. */
  async candidates(
    records: readonly InsuranceRecord[],
    model: MatchModel,
  ): Promise<Map<string, readonly Candidate[]>> {
    if (records.length === 0) return new Map();
    const index = new CandidateIndex(records, this.keys, model);
    const found = await mapLimit(records, this.config.RECONCILE_LEGACY_CONCURRENCY, (r) =>
      this.registry.searchCitizens(searchRequestOf(r, this.keys), {
        deadlineMs: this.config.REGISTRY_DEADLINE_MS,
      }),
    );
    // Citizens in ID order, once each, as the export would bring them.
    const citizens = new Map(found.flat().map((c) => [c.citizenId, c]));
    for (const id of [...citizens.keys()].sort()) index.consider(toRegistryPerson(citizens.get(id)!));
    return new Map(records.map((r) => [r.socialInsuranceCode, index.candidatesOf(r.socialInsuranceCode)]));
  }
}
