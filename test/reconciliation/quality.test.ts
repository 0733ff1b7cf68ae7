import { loadPopulation } from '@vss/synthetic';
import { formatQuality, type RunQuality, scoreRun } from '../../bench/reconcile/quality';
import { startSystem, type System } from './support';

/**
 * Quality against the generator's truth on a generated population of 20,000 citizens (about
 * 1,300 injected discrepancies): the targets of the issue, ≥ 0.99 precision and ≥ 0.98 recall
 * on every outcome, the true person the top candidate for ≥ 90 % of records without an ID.
 */

let system: System;
let quality: RunQuality;

beforeAll(async () => {
  system = await startSystem('reconquality', {
    seed: (pool) =>
      loadPopulation(pool, { citizens: 20_000, seed: 2025, asOf: '2025-10-01' }).then(() => undefined),
    workerConfig: { RECONCILE_EXPORT_PAGE_SIZE: 1000, RECONCILE_CHUNK_SIZE: 5000 },
  });
  const run = await system.runToEnd({ scope: { all: true }, findMissingIdCandidates: true });
  expect(run.state).toBe('RUN_STATE_COMPLETED');
  expect(run.recordsProcessed).toBe(run.recordsTotal);
  quality = await scoreRun(system.pool, run.runId);
}, 120_000);

afterAll(() => system?.stop());

it('reaches ≥ 0.99 precision and ≥ 0.98 recall on every outcome', () => {
  for (const o of quality.outcomes) {
    expect(o.expected).toBeGreaterThan(0);
    if (o.precision < 0.99 || o.recall < 0.98)
      throw new Error(`${o.outcome} misses the targets:\n${formatQuality(quality)}`);
  }
});

it('writes no finding on a record the generator left clean', () => {
  expect(quality.findingsOnCleanRecords).toBe(0);
});

it('ranks the true person first for ≥ 90 % of records without a citizen ID', () => {
  expect(quality.missingIdTopCandidate.records).toBeGreaterThan(0);
  expect(quality.missingIdTopCandidate.share).toBeGreaterThanOrEqual(0.9);
});
