import { loadPopulation } from '@vss/synthetic';
import { formatQuality, type RunQuality, scoreRun } from '../../bench/reconcile/quality';
import { startSystem, type System } from './support';

/**
 * Quality against the generator's truth on a generated population of 20,000 citizens (about
 * 1,900 injected discrepancies of twenty kinds, among them the error kinds of real records:
 * OCR confusions, invisible and lookalike characters, ethnic-minority spellings, abbreviated
 * middle names, 00 placeholders, records kept in a third province, tone-only namesakes, an ID
 * typo naming another person). The targets: ≥ 0.99 precision and ≥ 0.98 recall on every
 * outcome and every kind, the true person first for ≥ 95 % of records without an ID, findings on
 * no more than 0.1 % of clean records.
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

it('reaches ≥ 0.98 recall and ≥ 0.99 precision on every injected kind', () => {
  expect(quality.kinds.length).toBeGreaterThanOrEqual(20);
  for (const k of quality.kinds) {
    expect(k.records).toBeGreaterThan(0);
    if (k.recall < 0.98 || k.precision < 0.99)
      throw new Error(`${k.kind} misses the targets:\n${formatQuality(quality)}`);
  }
});

it('writes a finding on no more than 0.1 % of the records the generator left clean', () => {
  expect(quality.cleanRecords).toBeGreaterThan(15_000);
  expect(quality.cleanFindingShare).toBeLessThanOrEqual(0.001);
});

it('ranks the true person first for ≥ 95 % of records without a citizen ID, movers and namesakes included', () => {
  expect(quality.missingIdTopCandidate.records).toBeGreaterThan(0);
  if (quality.missingIdTopCandidate.share < 0.95) throw new Error(formatQuality(quality));
  for (const k of quality.kinds.filter((k) => k.trueFirst !== null)) {
    if (k.trueFirst! / k.records < 0.95) throw new Error(`${k.kind}:\n${formatQuality(quality)}`);
  }
});
