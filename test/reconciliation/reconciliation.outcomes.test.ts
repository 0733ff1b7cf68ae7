import type { Finding } from '@vss/contracts';
import { expectedFindings, insertFixtures, PEOPLE, RECORDS, UNKNOWN_IDS } from './fixtures';
import { countsOf, startSystem, type System } from './support';

/**
 * The run engine on hand-made records, one per thing reconciliation must notice. Pages of
 * three citizens and three partitions make even these few records span many chunks.
 */

let system: System;

beforeAll(async () => {
  system = await startSystem('reconoutcomes', { seed: insertFixtures });
});

afterAll(() => system?.stop());

const bySic = (findings: Finding[]) => new Map(findings.map((f) => [f.socialInsuranceCode, f]));
const outcomes = (findings: Finding[]) =>
  Object.fromEntries(findings.map((f) => [f.socialInsuranceCode, f.outcome.replace('OUTCOME_', '')]));

describe('a whole-population run with candidate search', () => {
  let findings: Map<string, Finding>;
  let list: Finding[];

  beforeAll(async () => {
    const run = await system.runToEnd({ scope: { all: true }, findMissingIdCandidates: true });
    expect(run.state).toBe('RUN_STATE_COMPLETED');
    expect(run.recordsProcessed).toBe(String(RECORDS.length));
    expect(run.recordsTotal).toBe(String(RECORDS.length));
    list = await system.findings(run.runId);
    findings = bySic(list);
  });

  it('reaches the expected outcome for every record, and writes nothing for a clean match', () => {
    expect(outcomes(list)).toEqual(expectedFindings());
    expect(list).toHaveLength(Object.keys(expectedFindings()).length);
  });

  it('counts every outcome, clean matches included', async () => {
    const runs = await system.admin.listRuns({ pageSize: 1 });
    const counts = countsOf(runs.runs[0]);
    const expected: Record<string, number> = {};
    for (const r of RECORDS) expected[r.expect] = (expected[r.expect] ?? 0) + 1;
    expect(counts).toEqual(expected);
  });

  it('reports both values of each differing field', () => {
    expect(findings.get('3100000006')!.differences).toEqual([
      { field: 'full_name', insuranceValue: 'Phạm Minh Tấn', registryValue: 'Phạm Minh Tuấn' },
    ]);
    expect(findings.get('3600000007')!.differences).toEqual([
      { field: 'date_of_birth', insuranceValue: '1988-07-04', registryValue: '1988-04-07' },
    ]);
    expect(findings.get('3600000008')!.differences).toEqual([
      { field: 'gender', insuranceValue: 'FEMALE', registryValue: 'MALE' },
    ]);
  });

  it('matches a partial birth date at its precision: the right year or month is normalisation, another month a mismatch', () => {
    expect(findings.get('7900000003')).toMatchObject({
      outcome: 'OUTCOME_MATCHED_AFTER_NORMALIZATION',
      differences: [{ field: 'date_of_birth', insuranceValue: '1979', registryValue: '1979-11-05' }],
    });
    expect(findings.get('3100000004')!.outcome).toBe('OUTCOME_MATCHED_AFTER_NORMALIZATION');
    expect(findings.get('3100000005')).toMatchObject({
      outcome: 'OUTCOME_FIELD_MISMATCH',
      differences: [{ field: 'date_of_birth', insuranceValue: '1991-02', registryValue: '1991-01-15' }],
    });
  });

  it('resolves a legacy CMND to the citizen it belongs to', () => {
    expect(findings.get('3500000009')).toMatchObject({
      outcome: 'OUTCOME_LEGACY_ID_RESOLVED',
      citizenId: '',
      resolvedCitizenId: PEOPLE.legacy.citizenId,
    });
  });

  it('reports citizen IDs the registry lacks, before its first citizen, between two and after its last', () => {
    for (const [sic, citizenId] of [
      ['0100000018', UNKNOWN_IDS.first],
      ['4800000019', UNKNOWN_IDS.middle],
      ['9600000020', UNKNOWN_IDS.last],
    ]) {
      expect(findings.get(sic)).toMatchObject({ outcome: 'OUTCOME_NOT_IN_REGISTRY', citizenId });
    }
  });

  it('catches a death VSS has not recorded while the card and the pension run on', () => {
    const f = findings.get('4000000010')!;
    expect(f).toMatchObject({ outcome: 'OUTCOME_DECEASED_BUT_ACTIVE', dateOfDeath: '2025-06-10' });
    expect(f.detail).toBe(
      'died 2025-06-10 per the registry, not recorded at VSS: HI card valid to 2026-01-31; pension not stopped',
    );
    // A death VSS knows of, and a death after which nothing ran, are no findings.
    expect(findings.has('3800000011')).toBe(false);
    expect(findings.has('3800000012')).toBe(false);
  });

  it('reports both codes of one citizen as duplicates of each other', () => {
    expect(findings.get('4800000013')).toMatchObject({
      outcome: 'OUTCOME_DUPLICATE_PARTICIPANT',
      duplicateSocialInsuranceCodes: ['7900000014'],
    });
    expect(findings.get('7900000014')!.duplicateSocialInsuranceCodes).toEqual(['4800000013']);
  });

  it('ranks the true person first for a record without an ID, even one registered at birth in another province', () => {
    const f = findings.get('7900000015')!;
    expect(f.outcome).toBe('OUTCOME_MISSING_ID_CANDIDATE');
    expect(f.candidates.map((c) => c.citizenId)).toEqual([PEOPLE.moved.citizenId, PEOPLE.namesake.citizenId]);
    expect(f.candidates[0].score).toBeGreaterThan(0.99);
    expect(f.candidates[1].score).toBeLessThan(f.candidates[0].score);
    expect(f.detail).toMatch(/^no citizen ID; best candidate \d{12} Hoàng Thị Mai, born 1993-08-20/);
  });

  it('searches a record whose legacy ID the registry lacks by its name and birth date, when the partitions are done', () => {
    const f = findings.get('2700000022')!;
    expect(f.outcome).toBe('OUTCOME_MISSING_ID_CANDIDATE');
    expect(f.candidates[0].citizenId).toBe(PEOPLE.oldCmnd.citizenId);
    expect(f.candidates[0].score).toBeGreaterThan(0.99);
    expect(f.detail).toMatch(
      /^no citizen ID, and legacy ID 031234567 is not in the registry; best candidate \d{12} Trịnh Văn Khoa, born 1962-03-14/,
    );
  });

  it('says so when nobody resembles a record without an ID, or its legacy ID is unknown', () => {
    expect(findings.get('7900000016')).toMatchObject({
      candidates: [],
      detail: 'no citizen ID; no registry citizen resembles the record',
    });
    expect(findings.get('0100000017')!.detail).toBe(
      'no citizen ID, and legacy ID 999999999 is not in the registry; no registry citizen resembles the record',
    );
  });
});

describe('other scopes and options', () => {
  it('reports records without an ID without candidates when the search was not asked for', async () => {
    const run = await system.runToEnd({ scope: { all: true } });
    const f = bySic(await system.findings(run.runId)).get('7900000015')!;
    expect(f).toMatchObject({ outcome: 'OUTCOME_MISSING_ID_CANDIDATE', candidates: [] });
    expect(f.detail).toBe('no citizen ID; candidate search was not asked for');
  });

  it('covers only the records of one province, still seeing their duplicates elsewhere', async () => {
    const run = await system.runToEnd({ scope: { provinceCode: '079' }, findMissingIdCandidates: true });
    expect(run.recordsProcessed).toBe(String(RECORDS.filter((r) => r.provinceCode === '079').length));
    const list = await system.findings(run.runId);
    expect(outcomes(list)).toEqual(expectedFindings(RECORDS.filter((r) => r.provinceCode === '079')));
    const f = bySic(list);
    expect(f.get('7900000014')!.duplicateSocialInsuranceCodes).toEqual(['4800000013']);
    // A province run searches the registry by the same blocking rules as a whole-population
    // run: the true person, registered at birth in another province, comes first here too.
    expect(f.get('7900000015')!.candidates.map((c) => c.citizenId)).toEqual([
      PEOPLE.moved.citizenId,
      PEOPLE.namesake.citizenId,
    ]);
  });

  it('covers records changed since a date and records of citizens the registry changed since then', async () => {
    const run = await system.runToEnd({ scope: { changedSince: '2025-01-01' } });
    expect(outcomes(await system.findings(run.runId))).toEqual({
      '3100000006': 'FIELD_MISMATCH',
      '4000000010': 'DECEASED_BUT_ACTIVE',
      '9200000021': 'MATCHED_AFTER_NORMALIZATION',
    });
    expect(run.recordsProcessed).toBe('3');
    expect(run.recordsTotal).toBe('3');
  });

  it('shares one run between two workers, each record answered for once', async () => {
    await system.startWorker(); // stopped with the system
    const run = await system.runToEnd({ scope: { all: true }, findMissingIdCandidates: true });
    expect(run.recordsProcessed).toBe(String(RECORDS.length));
    expect(outcomes(await system.findings(run.runId))).toEqual(expectedFindings());
  });

  it('finds the same in a dry run', async () => {
    const run = await system.runToEnd({ scope: { all: true }, findMissingIdCandidates: true, dryRun: true });
    expect(run.dryRun).toBe(true);
    expect(outcomes(await system.findings(run.runId))).toEqual(expectedFindings());
  });
});
