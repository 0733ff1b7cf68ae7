import { type AppProcess, startAppProcess } from '../support/processes';
import { waitFor } from '../support/polling';
import { FINDINGS, RUN_ID, seedManyFindings } from './many-findings';
import { startSystem, type System } from './support';

/**
 * The worker, not the gateway, applies findings, and a worker process SIGKILLed mid-application
 * loses nothing and repeats nothing: a new worker resumes from the application's checkpoint
 * (the last committed batch), every finding is applied exactly once with one audit entry, and
 * the application's counts are exact. Needs `npm run build` (npm test does it).
 */
let system: System;
let worker: AppProcess | undefined;

const MISMATCHES = FINDINGS * (2 / 5);

beforeAll(async () => {
  system = await startSystem('applykill', {
    worker: false,
    seed: seedManyFindings,
    gatewayConfig: { APPLY_APPROVAL_OVER: FINDINGS },
  });
}, 60_000);

afterAll(async () => {
  await worker?.kill('SIGKILL');
  await system?.stop();
});

function startWorkerProcess(): AppProcess {
  return startAppProcess('worker', {
    DATABASE_URL: system.db.urlFor('worker'),
    REGISTRY_ADDRESS: system.registry.address,
    // A killed worker's job is handed out again 5 s after it started.
    JOB_EXPIRE_SECONDS: '5',
    QUEUE_SUPERVISE_SECONDS: '1',
    QUEUE_POLL_SECONDS: '0.5',
    // Batches of 3 findings: hundreds of transactions, so the kill lands mid-application.
    APPLY_BATCH_SIZE: '3',
  });
}

const progress = async () =>
  (
    await system.pool.query<{ state: string; applied: number; checkpoint: string }>(
      `SELECT state, coalesce((applied->>'FIELD_MISMATCH')::int, 0) AS applied, after_finding_id::text AS checkpoint
         FROM vss.finding_applications WHERE run_id = $1`,
      [RUN_ID],
    )
  ).rows[0];

it('resumes an application after SIGKILL from its checkpoint, each finding applied once', async () => {
  worker = startWorkerProcess();
  await worker.waitFor(/taking partition slices and applications of findings/);
  const answer = system.admin.applyFindings({ runId: RUN_ID, outcomes: ['OUTCOME_FIELD_MISMATCH'] as never });
  const before = await waitFor('the application under way', progress, {
    until: (p) => p !== undefined && p.applied > 0,
    timeoutMs: 20_000,
  });
  await worker.kill('SIGKILL');
  const stopped = await progress();
  expect(stopped.state).toBe('RUNNING');
  expect(stopped.applied).toBeGreaterThanOrEqual(before.applied);
  expect(stopped.applied).toBeLessThan(MISMATCHES);
  // What the killed worker committed stays; what it had not is not half there.
  const renamed = async () =>
    (
      await system.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM vss.participants WHERE full_name = 'Nguyễn Văn A'`,
      )
    ).rows[0].n;
  expect(await renamed()).toBe(stopped.applied);

  worker = startWorkerProcess();
  const done = await waitFor('the application finished by the new worker', progress, {
    until: (p) => p?.state === 'DONE',
    timeoutMs: 60_000,
  });
  expect(done.applied).toBe(MISMATCHES);
  expect(await renamed()).toBe(MISMATCHES);
  // (Entries staged in a batch's transaction join the chain just after it commits.)
  const trail = async () =>
    (
      await system.pool.query<{ findings: number; entries: number; unapplied: number }>(
        `SELECT (SELECT count(DISTINCT detail->>'findingId')::int FROM vss.audit_events
                  WHERE action = 'reconciliation.finding.apply' AND detail->>'runId' = $1::text) AS findings,
                (SELECT count(*)::int FROM vss.audit_events
                  WHERE action = 'reconciliation.finding.apply' AND detail->>'runId' = $1::text) AS entries,
                (SELECT count(*)::int FROM vss.reconciliation_findings
                  WHERE run_id = $1::uuid AND outcome = 'FIELD_MISMATCH' AND applied_at IS NULL) AS unapplied`,
        [RUN_ID],
      )
    ).rows[0];
  const counted = await waitFor('every applied finding in the trail', trail, {
    until: (t) => t.entries >= MISMATCHES,
  });
  expect(counted).toEqual({ findings: MISMATCHES, entries: MISMATCHES, unapplied: 0 });
  // The operator's answer: the counts once the worker was done, or those so far, saying so.
  const answered = await answer;
  const count = answered.applied.reduce((n, a) => n + Number(a.count), 0);
  if (answered.inProgress) expect(count).toBeLessThanOrEqual(MISMATCHES);
  else expect(count).toBe(MISMATCHES);
}, 120_000);
