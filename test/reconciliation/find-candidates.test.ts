import { readdirSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { type FindCandidatesRequest, Gender } from '@vss/contracts';
import { nameMatchKey } from '@vss/domain';
import { loadPopulation } from '@vss/synthetic';
import { GatewayCallError } from '../../tools/cli/reconcile-client';
import { startSystem, type System } from './support';

/**
 * FindCandidates on a generated population of 20,000 citizens, against the registry stub over
 * real gRPC and TLS: every record the generator stripped of its citizen ID (kept where the
 * person lives, in a third province, with a dirty name or date, beside a tone-only namesake)
 * is searched alone, as an officer would, and must find its true person first as a run does.
 */

let system: System;
type Truth = {
  sic: string;
  kind: string;
  citizen_id: string;
  full_name: string;
  date_of_birth: string;
  gender: string;
  province_code: string;
};
let missing: Truth[];

beforeAll(async () => {
  system = await startSystem('findcandidates', {
    seed: (pool) =>
      loadPopulation(pool, { citizens: 20_000, seed: 2025, asOf: '2025-10-01' }).then(() => undefined),
    worker: false,
  });
  const { rows } = await system.pool.query<Truth>(
    `SELECT t.social_insurance_code AS sic, t.detail ->> 'kind' AS kind, t.citizen_id,
            p.full_name, p.date_of_birth, p.gender, p.province_code
       FROM synth.truth t JOIN vss.participants p USING (social_insurance_code)
      WHERE t.outcome = 'MISSING_ID_CANDIDATE' ORDER BY 1`,
  );
  missing = rows;
}, 120_000);

afterAll(() => system?.stop());

const request = (t: Truth): Partial<FindCandidatesRequest> => ({
  fullName: t.full_name,
  dateOfBirth: t.date_of_birth,
  gender: t.gender === 'M' ? Gender.GENDER_MALE : Gender.GENDER_FEMALE,
  provinceCode: t.province_code,
  socialInsuranceCode: t.sic,
});

it('ranks the true person first for ≥ 95 % of the records without an ID, of every kind', async () => {
  expect(missing.length).toBeGreaterThan(150);
  const byKind = new Map<string, { records: number; first: number }>();
  for (const t of missing) {
    const found = await system.admin.findCandidates(request(t));
    const k = byKind.get(t.kind) ?? { records: 0, first: 0 };
    k.records += 1;
    if (found.candidates[0]?.citizenId === t.citizen_id) k.first += 1;
    byKind.set(t.kind, k);
  }
  expect([...byKind.keys()].sort()).toEqual([
    'CITIZEN_ID_MISSING',
    'MISSING_ID_DIRTY',
    'MISSING_ID_THIRD_PROVINCE',
    'MISSING_ID_TONE_NAMESAKE',
  ]);
  for (const [kind, k] of byKind)
    if (k.first / k.records < 0.95)
      throw new Error(`${kind}: true person first for ${k.first} of ${k.records}`);
});

it("keys every registry name as the gateway does (the registry's SQL against nameMatchKey)", async () => {
  const { rows } = await system.pool.query<{ full_name: string; name_key: string }>(
    `SELECT full_name, name_key FROM npd.citizens`,
  );
  expect(rows.length).toBeGreaterThan(20_000);
  expect(rows.filter((r) => r.name_key !== nameMatchKey(r.full_name))).toEqual([]);
});

it('answers with the model, its evidence per candidate, best first, at most the limit asked', async () => {
  const namesake = missing.find((t) => t.kind === 'MISSING_ID_TONE_NAMESAKE')!;
  const found = await system.admin.findCandidates({ ...request(namesake), limit: 10 });
  const newest = readdirSync('models')
    .filter((f) => f.endsWith('.json'))
    .sort()
    .pop();
  expect(`${found.modelVersion}.json`).toBe(newest);
  expect(found.citizensConsidered).toBeGreaterThanOrEqual(found.candidates.length);
  expect(found.candidates.length).toBeGreaterThanOrEqual(2);
  expect(found.candidates.length).toBeLessThanOrEqual(10);
  const [first, second] = found.candidates;
  expect(first.citizenId).toBe(namesake.citizen_id);
  expect(first.evidence[0]).toMatchObject({ field: 'full_name', level: 'EXACT' });
  expect(second.evidence[0]).toMatchObject({ field: 'full_name', level: 'EXACT_WITHOUT_DIACRITICS' });
  const weights = found.candidates.map((c) => c.matchWeight);
  expect(weights).toEqual([...weights].sort((a, b) => b - a));
  for (const c of found.candidates) {
    expect(c.score).toBeGreaterThanOrEqual(0.5);
    expect(Math.abs(c.evidence.reduce((s, e) => s + e.weight, 0) - c.matchWeight)).toBeLessThan(0.05);
  }
  expect((await system.admin.findCandidates({ ...request(namesake), limit: 1 })).candidates).toHaveLength(1);
});

it('finds a person by name and birth date alone, without a province', async () => {
  const t = missing.find((m) => m.kind === 'MISSING_ID_THIRD_PROVINCE')!;
  const found = await system.admin.findCandidates({ ...request(t), provinceCode: '' });
  expect(found.candidates[0].citizenId).toBe(t.citizen_id);
  expect(found.candidates[0].evidence.map((e) => e.field)).toEqual(['full_name', 'date_of_birth', 'gender']);
});

it('audits every citizen it answered with, naming the caller', async () => {
  const t = missing[0];
  const found = await system.admin.findCandidates(request(t));
  const { rows } = await system.pool.query<{ subject_citizen_id: string }>(
    `SELECT subject_citizen_id FROM vss.audit_events
      WHERE action = 'reconciliation.candidate.find' AND subject_citizen_id = ANY($1::text[])`,
    [found.candidates.map((c) => c.citizenId)],
  );
  expect(new Set(rows.map((r) => r.subject_citizen_id))).toEqual(
    new Set(found.candidates.map((c) => c.citizenId)),
  );
});

it.each([
  [{ fullName: '' }, 'full_name'],
  [{ fullName: '  !!  ' }, 'full_name'],
  [{ fullName: 'A'.repeat(201) }, 'full_name'],
  [{ dateOfBirth: '' }, 'date_of_birth'],
  [{ dateOfBirth: '1985-13-01' }, 'date_of_birth'],
  [{ dateOfBirth: '31/02/1985' }, 'date_of_birth'],
  [{ gender: Gender.GENDER_UNSPECIFIED }, 'gender'],
  [{ provinceCode: '999' }, 'province_code'],
  [{ limit: 11 }, 'limit'],
  [{ limit: -1 }, 'limit'],
  [{ socialInsuranceCode: '' }, 'finding_id'],
  [{ socialInsuranceCode: '12345' }, 'social_insurance_code'],
  [{ socialInsuranceCode: '', findingId: 'x1' }, 'finding_id'],
])('refuses %j with INVALID_ARGUMENT naming %s', async (bad, field) => {
  const good = request(missing[0]);
  const error = await system.admin.findCandidates({ ...good, ...bad }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(GatewayCallError);
  expect((error as GatewayCallError).code).toBe(grpc.status.INVALID_ARGUMENT);
  expect((error as GatewayCallError).field).toBe(field);
});

it('searches only for a record or finding that exists, and audits the search with what it was for', async () => {
  const t = missing[1];
  const unknown = await system.admin
    .findCandidates({ ...request(t), socialInsuranceCode: '0000000000' })
    .catch((e: unknown) => e);
  expect((unknown as GatewayCallError).code).toBe(grpc.status.NOT_FOUND);
  expect((unknown as GatewayCallError).details).toBe('social_insurance_code 0000000000 is not a VSS record');
  await system.admin.findCandidates(request(t));
  const { rows } = await system.pool.query(
    `SELECT caller, outcome, detail FROM vss.audit_events WHERE action = 'reconciliation.candidates.search'
       AND detail->>'socialInsuranceCode' = $1`,
    [t.sic],
  );
  // This record was searched by the tests above too: every search of it is there, each naming
  // the operator, the record it was for and what was searched.
  expect(rows.length).toBeGreaterThan(0);
  for (const row of rows) {
    expect(row.caller).toMatch(/^Operator test\.admin \[test\.admin\]/);
    expect(row.detail.searched).toMatchObject({ fullName: t.full_name, dateOfBirth: t.date_of_birth });
  }
});

it("counts against the operator's daily quota, all their keys together", async () => {
  const { rows } = await system.pool.query<{ key_id: string }>(
    `SELECT k.key_id FROM vss.api_keys k JOIN vss.operators o USING (operator_id) WHERE o.login = 'test.admin'`,
  );
  // A quota of one search a day, which the searches above have spent: heard at once (NOTIFY).
  await system.pool.query(`INSERT INTO vss.caller_limits (caller_id, limits) VALUES ($1, 'daily=1')`, [
    rows[0].key_id,
  ]);
  await new Promise((r) => setTimeout(r, 500));
  const refused = await system.admin.findCandidates(request(missing[0])).catch((e: unknown) => e);
  expect((refused as GatewayCallError).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
  expect((refused as GatewayCallError).details).toMatch(
    /^daily quota of 1 person searches reached for operator test\.admin/,
  );
  await system.pool.query(`DELETE FROM vss.caller_limits WHERE caller_id = $1`, [rows[0].key_id]);
  await new Promise((r) => setTimeout(r, 500));
});

it('is for administrators only', async () => {
  const error = await system.clinic.findCandidates(request(missing[0])).catch((e: unknown) => e);
  expect((error as GatewayCallError).code).toBe(grpc.status.PERMISSION_DENIED);
});

it('answers UNAVAILABLE, saying so, while the registry refuses', async () => {
  system.registry.faults.update({ refuseAll: true });
  try {
    const error = await system.admin.findCandidates(request(missing[0])).catch((e: unknown) => e);
    expect((error as GatewayCallError).code).toBe(grpc.status.UNAVAILABLE);
    expect((error as GatewayCallError).details).toMatch(/registry did not answer/);
  } finally {
    system.registry.faults.update({ refuseAll: false });
  }
  expect((await system.admin.findCandidates(request(missing[0]))).candidates.length).toBeGreaterThan(0);
});
