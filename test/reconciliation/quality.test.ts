import { readdirSync } from 'node:fs';
import type { Finding } from '@vss/contracts';
import { Outcome } from '@vss/contracts';
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
let findings: Finding[];
let modelVersion: string;
let modelDigest: string;
let otherPerson: Set<string>;

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
  findings = await system.findings(run.runId);
  modelVersion = run.modelVersion;
  modelDigest = run.modelDigest;
  const { rows } = await system.pool.query<{ sic: string }>(
    `SELECT social_insurance_code AS sic FROM synth.truth WHERE detail ->> 'kind' = 'CITIZEN_ID_OTHER_PERSON'`,
  );
  otherPerson = new Set(rows.map((r) => r.sic));
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

it('records the model it scored with, and explains candidates and mismatches field by field over gRPC', () => {
  const newest = readdirSync('models')
    .filter((f) => f.endsWith('.json'))
    .sort()
    .pop();
  expect(`${modelVersion}.json`).toBe(newest);
  expect(modelDigest).toMatch(/^[0-9a-f]{64}$/);
  const missing = findings.filter((f) => f.outcome === Outcome.OUTCOME_MISSING_ID_CANDIDATE);
  const mismatches = findings.filter((f) => f.outcome === Outcome.OUTCOME_FIELD_MISMATCH);
  expect(missing.length).toBeGreaterThan(100);
  expect(mismatches.length).toBeGreaterThan(100);
  for (const f of missing) {
    for (const c of f.candidates) {
      expect(c.evidence.map((e) => e.field)).toEqual(['full_name', 'date_of_birth', 'gender', 'province']);
      expect(Math.abs(c.evidence.reduce((s, e) => s + e.weight, 0) - c.matchWeight)).toBeLessThan(0.05);
    }
    expect(f.candidates.map((c) => c.matchWeight)).toEqual(
      [...f.candidates.map((c) => c.matchWeight)].sort((a, b) => b - a),
    );
  }
  for (const f of mismatches) {
    expect(f.evidence.length).toBeGreaterThanOrEqual(3);
    expect(f.detail).toContain(f.evidence[0].level);
  }
  // An ID typo naming another real person is told apart from a mistyped field, mostly.
  const flagged = (f: Finding) => f.detail.includes('probably different people');
  const other = mismatches.filter((f) => otherPerson.has(f.socialInsuranceCode));
  const rest = mismatches.filter((f) => !otherPerson.has(f.socialInsuranceCode));
  expect(other.filter(flagged).length).toBeGreaterThanOrEqual(other.length * 0.8);
  expect(rest.filter(flagged).length).toBeLessThanOrEqual(rest.length * 0.02);
});
