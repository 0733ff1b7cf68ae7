import { status } from '@grpc/grpc-js';
import type { Run } from '@vss/contracts';
import type { ServiceError } from '@grpc/grpc-js';
import { ReconciliationClient } from '../../tools/cli/reconcile-client';
import { issueAdminKey } from '../support/system';
import { testCredentials } from '../support/tls';
import { waitFor } from '../support/polling';
import { insertFixtures, PEOPLE } from './fixtures';
import { refusal, startSystem, type System } from './support';

/**
 * ReconciliationService through real gRPC: who may call it, what it refuses and why, one run
 * per scope, cancelling, listing, watching, streaming findings by cursor, and applying them.
 */

let system: System;

beforeAll(async () => {
  // No worker at first: started runs stay QUEUED while the API is examined.
  system = await startSystem('reconapi', { worker: false, seed: insertFixtures });
});

afterAll(() => system?.stop());

/** The status name and message of a refused gRPC call. */
async function grpcRefusal(promise: Promise<unknown>): Promise<{ code: string; details: string }> {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as ServiceError | undefined;
  if (!error) throw new Error('expected a refusal');
  return { code: status[error.code], details: error.details };
}

describe('access and input', () => {
  it('refuses callers that are not administrators', async () => {
    const e = await refusal(system.clinic.listRuns({}));
    expect(e.code).toBe(status.PERMISSION_DENIED);
  });

  it.each([
    ['no scope', {}, 'scope', /set exactly one of all, province_code/],
    ['two scopes', { scope: { all: true, provinceCode: '001' } }, 'scope', /exactly one/],
    [
      'an unknown province',
      { scope: { provinceCode: '099' } },
      'scope.province_code',
      /not one of the 63 province codes/,
    ],
    [
      'an impossible date',
      { scope: { changedSince: '2025-02-30' } },
      'scope.changed_since',
      /not a date on the calendar/,
    ],
    ['a future date', { scope: { changedSince: '2999-01-01' } }, 'scope.changed_since', /is in the future/],
  ])('refuses a start with %s, naming the field', async (_name, request, field, message) => {
    const e = await refusal(system.admin.startRun(request));
    expect(e.code).toBe(status.INVALID_ARGUMENT);
    expect(e.field).toBe(field);
    expect(e.details).toMatch(message);
  });

  it('answers INVALID_ARGUMENT for a malformed run ID and NOT_FOUND for an unknown one', async () => {
    expect((await refusal(system.admin.getRun('nope'))).code).toBe(status.INVALID_ARGUMENT);
    const e = await refusal(system.admin.getRun('00000000-0000-4000-8000-000000000000'));
    expect(e.code).toBe(status.NOT_FOUND);
  });

  it('refuses to list the findings of clean matches (there are none) and unknown outcomes', async () => {
    const run = await system.admin.startRun({ scope: { provinceCode: '096' } });
    const consume = async (outcomes: string[]) => {
      for await (const page of system.admin.findings({ runId: run.runId, outcomes: outcomes as never }))
        void page;
    };
    expect((await refusal(consume(['OUTCOME_MATCHED']))).details).toMatch(/clean MATCHED writes no finding/);
    expect((await refusal(consume(['OUTCOME_SOMETHING']))).code).toBe(status.INVALID_ARGUMENT);
    await system.admin.cancelRun(run.runId);
  });
});

describe('runs', () => {
  let first: Run;

  it('returns a queued run at once', async () => {
    first = await system.admin.startRun({ scope: { provinceCode: '001' }, dryRun: true });
    expect(first).toMatchObject({
      state: 'RUN_STATE_QUEUED',
      dryRun: true,
      scope: { provinceCode: '001' },
      startedBy: 'Operator test.admin [test.admin]',
    });
  });

  it('refuses a second run of the same scope, naming the one in the way', async () => {
    const e = await refusal(system.admin.startRun({ scope: { provinceCode: '001' } }));
    expect(e.code).toBe(status.FAILED_PRECONDITION);
    expect(e.details).toContain(
      `run ${first.runId} (QUEUED, started by Operator test.admin [test.admin]) already covers scope province:001`,
    );
  });

  it('starts runs of other scopes meanwhile', async () => {
    const other = await system.admin.startRun({ scope: { provinceCode: '079' } });
    expect(other.state).toBe('RUN_STATE_QUEUED');
    await system.admin.cancelRun(other.runId);
  });

  it('cancels a queued run once, and then lets the scope be run again', async () => {
    const cancelled = await system.admin.cancelRun(first.runId);
    expect(cancelled.state).toBe('RUN_STATE_CANCELLED');
    expect(cancelled.finishedAt).not.toBe('');
    const again = await refusal(system.admin.cancelRun(first.runId));
    expect(again.code).toBe(status.FAILED_PRECONDITION);
    expect(again.details).toMatch(/is CANCELLED; only a queued or running run can be cancelled/);
    const next = await system.admin.startRun({ scope: { provinceCode: '001' } });
    const early = await refusal(
      system.admin.applyFindings({ runId: next.runId, outcomes: ['OUTCOME_FIELD_MISMATCH' as never] }),
    );
    expect(early.code).toBe(status.FAILED_PRECONDITION);
    expect(early.details).toMatch(/is QUEUED; findings are applied once the run has completed/);
    await system.admin.cancelRun(next.runId);
  });

  it('lists runs newest first, page by page, filtered by state', async () => {
    const all: string[] = [];
    let pageToken = '';
    do {
      const page = await system.admin.listRuns({ pageSize: 2, pageToken });
      all.push(...page.runs.map((r) => r.runId));
      pageToken = page.nextPageToken;
    } while (pageToken);
    const whole = await system.admin.listRuns({ pageSize: 100 });
    expect(all).toEqual(whole.runs.map((r) => r.runId));
    expect(new Set(all).size).toBe(all.length);
    const cancelled = await system.admin.listRuns({ state: 'RUN_STATE_CANCELLED', pageSize: 100 });
    expect(cancelled.runs.length).toBe(all.length);
    expect((await refusal(system.admin.listRuns({ pageToken: 'garbage' }))).code).toBe(
      status.INVALID_ARGUMENT,
    );
  });
});

describe('a completed run: watching, findings, applying', () => {
  let run: Run;
  const progress: Run[] = [];

  beforeAll(async () => {
    await system.startWorker();
    const started = await system.admin.startRun({ scope: { all: true }, findMissingIdCandidates: true });
    run = await system.admin.watch(started.runId, (r) => progress.push(r));
  });

  it('streams progress until the run ends', () => {
    expect(run.state).toBe('RUN_STATE_COMPLETED');
    const processed = progress.map((r) => Number(r.recordsProcessed));
    expect(processed).toEqual([...processed].sort((a, b) => a - b));
    expect(progress[progress.length - 1]).toMatchObject({ state: 'RUN_STATE_COMPLETED', etaSeconds: '0' });
    expect(run.recordsPerSecond).toBeGreaterThan(0);
  });

  it('streams findings in pages, resumable from any cursor, filtered by outcome and province', async () => {
    const pages = [];
    for await (const page of system.admin.findings({ runId: run.runId, pageSize: 4 })) pages.push(page);
    const all = pages.flatMap((p) => p.findings);
    expect(pages.every((p) => p.findings.length <= 4)).toBe(true);
    const resumed = [];
    for await (const page of system.admin.findings({ runId: run.runId, after: pages[0].cursor }))
      resumed.push(...page.findings);
    expect(resumed).toEqual(all.slice(pages[0].findings.length));
    const limited = [];
    for await (const page of system.admin.findings({ runId: run.runId, limit: 5, pageSize: 2 }))
      limited.push(...page.findings);
    expect(limited).toEqual(all.slice(0, 5));
    const filtered = [];
    for await (const page of system.admin.findings({
      runId: run.runId,
      outcomes: ['OUTCOME_FIELD_MISMATCH' as never],
      provinceCode: '031',
    }))
      filtered.push(...page.findings);
    expect(filtered.map((f) => f.socialInsuranceCode).sort()).toEqual(['3100000005', '3100000006']);
  });

  it('refuses to apply outcomes that need a person, unknown findings, and dry runs', async () => {
    const notApplicable = await refusal(
      system.admin.applyFindings({ runId: run.runId, outcomes: ['OUTCOME_DUPLICATE_PARTICIPANT' as never] }),
    );
    expect(notApplicable.code).toBe(status.INVALID_ARGUMENT);
    expect(notApplicable.details).toMatch(/DUPLICATE_PARTICIPANT cannot be applied automatically/);
    const unknown = await refusal(
      system.admin.applyFindings({
        runId: run.runId,
        outcomes: ['OUTCOME_FIELD_MISMATCH' as never],
        findingIds: ['999999'],
      }),
    );
    expect(unknown.code).toBe(status.NOT_FOUND);
    const dry = await system.admin.startRun({ scope: { provinceCode: '038' }, dryRun: true });
    await system.admin.watch(dry.runId);
    const refused = await refusal(
      system.admin.applyFindings({ runId: dry.runId, outcomes: ['OUTCOME_FIELD_MISMATCH' as never] }),
    );
    expect(refused.code).toBe(status.FAILED_PRECONDITION);
    expect(refused.details).toMatch(/was a dry run/);
  });

  it('skips a finding whose record changed since the run, chosen by its ID', async () => {
    const finding = (await system.findings(run.runId)).find((f) => f.socialInsuranceCode === '9200000021')!;
    await system.pool.query(
      `UPDATE vss.participants SET full_name = 'Dương Văn Thứ' WHERE social_insurance_code = '9200000021'`,
    );
    const res = await system.admin.applyFindings({
      runId: run.runId,
      outcomes: ['OUTCOME_MATCHED_AFTER_NORMALIZATION' as never],
      findingIds: [finding.findingId],
    });
    expect(res).toEqual({
      applied: [{ outcome: 'OUTCOME_MATCHED_AFTER_NORMALIZATION', count: '0' }],
      skipped: '1',
      awaitingApproval: false,
      approvalId: '',
      applicationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      inProgress: false,
    });
    // The worker carried it out; the gateway only asked, in the operator's name.
    // (Entries staged in a transaction join the chain just after it commits.)
    const rows = await waitFor('the queued application in the trail', async () => {
      const { rows } = await system.pool.query(
        `SELECT a.state, e.caller FROM vss.finding_applications a
           JOIN vss.audit_events e ON e.action = 'reconciliation.findings.queue' AND e.detail->>'applicationId' = a.application_id::text
          WHERE a.application_id = $1`,
        [res.applicationId],
      );
      return rows.length > 0 ? rows : undefined;
    });
    expect(rows).toEqual([{ state: 'DONE', caller: expect.stringMatching(/^Operator test\.admin/) }]);
  });

  it('corrects fields to the registry, completes partial dates, links legacy IDs and marks records verified, once', async () => {
    const outcomes = [
      'OUTCOME_FIELD_MISMATCH',
      'OUTCOME_MATCHED_AFTER_NORMALIZATION',
      'OUTCOME_LEGACY_ID_RESOLVED',
    ] as never[];
    const first = await system.admin.applyFindings({ runId: run.runId, outcomes });
    expect(first.applied.map((a) => [a.outcome, a.count])).toEqual([
      ['OUTCOME_MATCHED_AFTER_NORMALIZATION', '3'],
      ['OUTCOME_FIELD_MISMATCH', '4'],
      ['OUTCOME_LEGACY_ID_RESOLVED', '1'],
    ]);
    expect(first.skipped).toBe('1'); // the record changed since the run
    const { rows } = await system.pool.query(
      `SELECT social_insurance_code AS sic, citizen_id, full_name, date_of_birth, gender, verified_at IS NOT NULL AS verified
         FROM vss.participants WHERE social_insurance_code = ANY($1) ORDER BY 1`,
      [['3100000006', '3600000007', '3600000008', '7900000003', '3500000009']],
    );
    expect(rows).toEqual([
      {
        sic: '3100000006',
        citizen_id: PEOPLE.typo.citizenId,
        full_name: 'Phạm Minh Tuấn',
        date_of_birth: '1998-07-22',
        gender: 'M',
        verified: true,
      },
      {
        sic: '3500000009',
        citizen_id: PEOPLE.legacy.citizenId,
        full_name: 'Đặng Văn Bình',
        date_of_birth: '1968-12-01',
        gender: 'M',
        verified: true,
      },
      {
        sic: '3600000007',
        citizen_id: PEOPLE.swapped.citizenId,
        full_name: 'Đỗ Thị Lan',
        date_of_birth: '1988-04-07',
        gender: 'F',
        verified: true,
      },
      {
        sic: '3600000008',
        citizen_id: PEOPLE.gender.citizenId,
        full_name: 'Bùi Văn Cường',
        date_of_birth: '1975-09-30',
        gender: 'M',
        verified: true,
      },
      {
        sic: '7900000003',
        citizen_id: PEOPLE.yearOnly.citizenId,
        full_name: 'Lê Thị Hoa',
        date_of_birth: '1979-11-05',
        gender: 'F',
        verified: true,
      },
    ]);
    const again = await system.admin.applyFindings({ runId: run.runId, outcomes });
    expect(again.applied.every((a) => a.count === '0')).toBe(true);
    expect(again.skipped).toBe('9');
  });

  it('audits every applied change with its run and finding', async () => {
    const rows = await waitFor('the applied change in the trail', async () => {
      const { rows } = await system.pool.query(
        `SELECT detail FROM vss.audit_events WHERE action = 'reconciliation.finding.apply' AND detail->>'socialInsuranceCode' = '3100000006'`,
      );
      return rows.length > 0 ? rows : undefined;
    });
    expect(rows).toHaveLength(1);
    expect(rows[0].detail).toMatchObject({
      runId: run.runId,
      findingId: expect.stringMatching(/^\d+$/),
      changes: { full_name: { from: 'Phạm Minh Tấn', to: 'Phạm Minh Tuấn' }, verified: true },
    });
  });

  it('stops the benefits of the dead once an approver agrees: death recorded, pension stopped, later payments flagged, card ended', async () => {
    const res = await system.admin.applyFindings({
      runId: run.runId,
      outcomes: ['OUTCOME_DECEASED_BUT_ACTIVE' as never],
    });
    // Nothing yet: recording a death waits for a second person.
    expect(res).toMatchObject({
      applied: [{ outcome: 'OUTCOME_DECEASED_BUT_ACTIVE', count: '0' }],
      awaitingApproval: true,
    });
    expect(
      (
        await system.pool.query(
          `SELECT deceased_on FROM vss.participants WHERE social_insurance_code = '4000000010'`,
        )
      ).rows[0].deceased_on,
    ).toBeNull();
    // The one who asked cannot approve their own request, even holding the approver role.
    const both = await issueAdminKey(system.pool, ['reviewer', 'approver']);
    const deceased = (await system.findings(run.runId)).find(
      (f) => f.outcome === 'OUTCOME_DECEASED_BUT_ACTIVE',
    )!;
    const mine = new ReconciliationClient(system.gateway.grpcAddress, both, testCredentials());
    const asked = await mine.applyFindings({
      runId: run.runId,
      outcomes: ['OUTCOME_DECEASED_BUT_ACTIVE' as never],
      findingIds: [deceased.findingId],
    });
    mine.close();
    expect(asked.approvalId).not.toBe(res.approvalId);
    const selfApproval = await grpcRefusal(system.approvals.approve(asked.approvalId, both));
    expect(selfApproval).toEqual({
      code: 'PERMISSION_DENIED',
      details: `you asked for this yourself (approval ${asked.approvalId}); another approver must decide it`,
    });
    // The same application asked again is the same request.
    const again1 = await system.admin.applyFindings({
      runId: run.runId,
      outcomes: ['OUTCOME_DECEASED_BUT_ACTIVE' as never],
    });
    expect(again1.approvalId).toBe(res.approvalId);
    const decided = await system.approvals.approve(
      res.approvalId,
      system.approverKey,
      'death confirmed in the registry',
    );
    const applicationId =
      /^queued for the worker: application (\S+) applies 1 finding\(s\); each death is checked with the population registry again first$/.exec(
        decided.outcome,
      )?.[1];
    expect(applicationId).toBeDefined();
    const done = await waitFor('the worker to apply the approved application', async () =>
      (
        await system.pool.query(
          `SELECT state, applied, alive_again::text[] AS alive FROM vss.finding_applications WHERE application_id = $1`,
          [applicationId],
        )
      ).rows.find((r) => r.state === 'DONE'),
    );
    expect(done).toEqual({ state: 'DONE', applied: { DECEASED_BUT_ACTIVE: 1 }, alive: [] });
    const q = async (sql: string) => (await system.pool.query(sql, ['4000000010'])).rows;
    expect(
      await q(`SELECT deceased_on::text FROM vss.participants WHERE social_insurance_code = $1`),
    ).toEqual([{ deceased_on: '2025-06-10' }]);
    expect(await q(`SELECT ended_on::text FROM vss.hi_cards WHERE social_insurance_code = $1`)).toEqual([
      { ended_on: '2025-06-10' },
    ]);
    expect(
      await q(`SELECT stopped_from::text, stop_reason FROM vss.benefits WHERE social_insurance_code = $1`),
    ).toEqual([{ stopped_from: '2025-07-01', stop_reason: 'DECEASED' }]);
    const payments = await q(
      `SELECT period, recovery_flagged_at IS NOT NULL AS flagged, recovery_reason FROM vss.benefit_payments
        WHERE social_insurance_code = $1 ORDER BY period`,
    );
    expect(payments.map((p) => [p.period, p.flagged])).toEqual([
      ['2025-05', false],
      ['2025-06', false],
      ['2025-07', true],
      ['2025-08', true],
    ]);
    expect(payments[2].recovery_reason).toContain(`reconciliation run ${run.runId}`);
    const again = await system.admin.applyFindings({
      runId: run.runId,
      outcomes: ['OUTCOME_DECEASED_BUT_ACTIVE' as never],
    });
    expect(again).toMatchObject({
      applied: [{ outcome: 'OUTCOME_DECEASED_BUT_ACTIVE', count: '0' }],
      skipped: '1',
    });
    // The trail names all three: the worker that made each change, the requester, and the approver.
    const rows = await waitFor('the applied death in the trail', async () => {
      const { rows } = await system.pool.query(
        `SELECT caller, detail FROM vss.audit_events WHERE action = 'reconciliation.finding.apply'
           AND detail->>'socialInsuranceCode' = '4000000010'`,
      );
      return rows.length > 0 ? rows : undefined;
    });
    expect(rows).toHaveLength(1);
    expect(rows[0].caller).toMatch(/^reconciliation worker/);
    expect(rows[0].detail).toMatchObject({
      applicationId,
      requestedBy: expect.stringMatching(/^Operator test\.admin \[test\.admin\]/),
      approvalId: res.approvalId,
      approvedBy: 'Operator test.approver [test.approver]',
    });
  });
});
