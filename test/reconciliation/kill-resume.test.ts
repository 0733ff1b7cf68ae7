import { loadPopulation } from '@vss/synthetic';
import { type AppProcess, startAppProcess } from '../support/processes';
import { startSystem, type System } from './support';

/**
 * A worker process SIGKILLed mid-run, twice: the run resumes from the last committed chunk
 * in a new process and ends with exactly the findings of a run nobody interrupted — none
 * missing, none twice, every record counted once. Needs `npm run build` (npm test does it).
 */

let system: System;
let worker: AppProcess | undefined;

const CITIZENS = 4000;

beforeAll(async () => {
  system = await startSystem('reconkill', {
    worker: false,
    seed: (pool) =>
      loadPopulation(pool, { citizens: CITIZENS, seed: 11, asOf: '2025-10-01' }).then(() => undefined),
    gatewayConfig: { RECONCILE_PARTITIONS: 2 },
  });
}, 60_000);

afterAll(async () => {
  await worker?.kill('SIGKILL');
  await system?.stop();
});

/** Everything a finding says, by record and outcome, so two runs can be compared. */
async function findingsOf(runId: string): Promise<Map<string, string>> {
  const { rows } = await system.pool.query(
    `SELECT social_insurance_code AS sic, outcome, citizen_id, province_code, differences, resolved_citizen_id,
            candidates, duplicate_codes, date_of_death::text, detail
       FROM vss.reconciliation_findings WHERE run_id = $1`,
    [runId],
  );
  return new Map(rows.map((r) => [`${r.sic}:${r.outcome}`, JSON.stringify(r)]));
}

const chunksCommitted = async (runId: string) =>
  Number(
    (
      await system.pool.query(
        `SELECT sum(chunks) AS n FROM vss.reconciliation_partitions WHERE run_id = $1`,
        [runId],
      )
    ).rows[0].n ?? 0,
  );

function startWorkerProcess(): AppProcess {
  return startAppProcess('worker', {
    DATABASE_URL: system.db.urlFor('worker'),
    REGISTRY_ADDRESS: system.registry.address,
    // A killed worker's slice is handed out again 5 s after it started.
    JOB_EXPIRE_SECONDS: '5',
    QUEUE_SUPERVISE_SECONDS: '1',
    QUEUE_POLL_SECONDS: '0.5',
    // Pages of 25 citizens: a few hundred chunks, so the kills land mid-run.
    RECONCILE_EXPORT_PAGE_SIZE: '25',
    RECONCILE_CHUNK_SIZE: '25',
  });
}

async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('resumes after SIGKILL from the last checkpoint with no duplicate and no missing finding', async () => {
  // The reference: the same population reconciled in large pages by a worker nobody disturbs.
  await system.startWorker({ RECONCILE_EXPORT_PAGE_SIZE: 1000, RECONCILE_CHUNK_SIZE: 1000 });
  const reference = await system.runToEnd({ scope: { all: true }, findMissingIdCandidates: true });
  expect(reference.state).toBe('RUN_STATE_COMPLETED');
  await system.stopWorkers();
  const expected = await findingsOf(reference.runId);

  worker = startWorkerProcess();
  await worker.waitFor(/taking partition slices/);
  const run = await system.admin.startRun({ scope: { all: true }, findMissingIdCandidates: true });

  for (const kill of [1, 2]) {
    const before = await chunksCommitted(run.runId);
    await until(
      async () => (await chunksCommitted(run.runId)) >= before + 8,
      60_000,
      `chunks before kill ${kill}`,
    );
    await worker.kill('SIGKILL');
    const atKill = await system.admin.getRun(run.runId);
    expect(atKill.state).toBe('RUN_STATE_RUNNING');
    expect(Number(atKill.recordsProcessed)).toBeLessThan(Number(atKill.recordsTotal));
    worker = startWorkerProcess();
    await worker.waitFor(/taking partition slices/);
  }

  const final = await system.admin.watch(run.runId);
  expect(final.state).toBe('RUN_STATE_COMPLETED');
  expect(final.recordsProcessed).toBe(final.recordsTotal);
  expect(final.recordsTotal).toBe(reference.recordsTotal);
  expect(final.counts).toEqual(reference.counts);

  const actual = await findingsOf(run.runId);
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [key, finding] of expected) {
    expect(JSON.parse(actual.get(key)!)).toEqual(JSON.parse(finding));
  }
  const { rows } = await system.pool.query(
    `SELECT count(*)::int AS n, count(DISTINCT social_insurance_code)::int AS records
       FROM vss.reconciliation_findings WHERE run_id = $1`,
    [run.runId],
  );
  expect(rows[0].n).toBe(rows[0].records);
}, 180_000);
