import { loadPopulation } from '@vss/synthetic';
import { type AppProcess, startAppProcess } from '../support/processes';
import { startSystem, type System } from './support';
import { waitFor } from '../support/polling';

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

function startWorkerProcess(env: Record<string, string> = {}): AppProcess {
  return startAppProcess('worker', {
    ...env,
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
    await waitFor(
      `chunks before kill ${kill}`,
      async () => (await chunksCommitted(run.runId)) >= before + 8,
      {
        timeoutMs: 60_000,
      },
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

/**
 * A run whose slice's job dies with its worker when the queue has no retry left (set to 0
 * here, so that it is spent at once): the run would stay RUNNING for ever and hold its scope.
 * The sweeper queues the partition again and the run completes; out of requeues it fails the
 * run with the reason, and its watch ends.
 */
describe('a run whose job the queue gave up on', () => {
  const stuckRun = async (): Promise<string> => {
    await worker?.kill('SIGTERM'); // no other worker may take over the slice
    await system.pool.query(
      `UPDATE pgboss.queue SET retry_limit = 0 WHERE name = 'reconciliation-partition'`,
    );
    worker = startWorkerProcess({ SWEEP_SECONDS: '0' });
    await worker.waitFor(/taking partition slices/);
    const run = await system.admin.startRun({ scope: { all: true }, findMissingIdCandidates: true });
    await waitFor('chunks before the kill', async () => (await chunksCommitted(run.runId)) >= 4, {
      timeoutMs: 60_000,
    });
    await worker.kill('SIGKILL');
    worker = undefined;
    return run.runId;
  };
  const gaveUp = (runId: string) =>
    waitFor(
      'the slice job to fail',
      async () =>
        (
          await system.pool.query(`SELECT 1 FROM pgboss.job WHERE data->>'runId' = $1 AND state = 'failed'`, [
            runId,
          ])
        ).rowCount! > 0,
      { timeoutMs: 60_000 },
    );

  it('is queued again by the sweeper and completes', async () => {
    const runId = await stuckRun();
    // A worker that supervises the queue but does not sweep: the run is stuck.
    worker = startWorkerProcess({ SWEEP_SECONDS: '0' });
    await worker.waitFor(/taking partition slices/);
    await gaveUp(runId);
    const before = await chunksCommitted(runId);
    await new Promise((r) => setTimeout(r, 2000));
    expect(await chunksCommitted(runId)).toBe(before);
    expect((await system.admin.getRun(runId)).state).toBe('RUN_STATE_RUNNING');
    await worker.kill('SIGTERM');
    worker = startWorkerProcess({ SWEEP_SECONDS: '1', SWEEP_GRACE_SECONDS: '1' });
    const final = await system.admin.watch(runId);
    expect(final.state).toBe('RUN_STATE_COMPLETED');
    expect(final.recordsProcessed).toBe(final.recordsTotal);
    expect(worker.output()).toMatch(/run partition had no job left; queued again from its checkpoint/);
    await worker.kill('SIGTERM');
    worker = undefined;
  }, 180_000);

  it('finishes a run whose worker died while searching the records of unknown legacy IDs, with no job left', async () => {
    await worker?.kill('SIGTERM');
    worker = undefined;
    // Records kept under a CMND the registry never took over: the finisher searches them by
    // name and birth date once every partition is done. Each of the registry's answers is slowed
    // so that the worker can be killed in the middle of that search.
    const { rows: people } = await system.pool.query<{ citizen_id: string }>(
      `SELECT citizen_id FROM npd.citizens WHERE vital_status = 'ALIVE' ORDER BY citizen_id LIMIT 24`,
    );
    await system.pool.query(
      `INSERT INTO vss.participants (social_insurance_code, citizen_id, legacy_id, full_name, date_of_birth, gender, province_code)
       SELECT '99' || lpad(n::text, 8, '0'), NULL, '9' || lpad(n::text, 8, '0'), c.full_name, c.date_of_birth::text,
              c.gender, COALESCE(c.residence_province_code, c.birth_province_code)
         FROM unnest($1::text[]) WITH ORDINALITY AS u(citizen_id, n) JOIN npd.citizens c USING (citizen_id)`,
      [people.map((p) => p.citizen_id)],
    );
    await system.pool.query(
      `UPDATE pgboss.queue SET retry_limit = 0 WHERE name = 'reconciliation-partition'`,
    );
    worker = startWorkerProcess({ SWEEP_SECONDS: '0' });
    await worker.waitFor(/taking partition slices/);
    const run = await system.admin.startRun({ scope: { all: true }, findMissingIdCandidates: true });
    system.registry.faults.update({ latencyMs: 600 });
    try {
      await waitFor(
        'every partition done',
        async () =>
          (
            await system.pool.query(
              `SELECT 1 FROM vss.reconciliation_partitions WHERE run_id = $1 HAVING bool_and(done)`,
              [run.runId],
            )
          ).rowCount === 1,
        { timeoutMs: 120_000 },
      );
      await worker.kill('SIGKILL');
      expect((await system.admin.getRun(run.runId)).state).toBe('RUN_STATE_RUNNING');
    } finally {
      system.registry.faults.update({ latencyMs: 0 });
    }
    // A worker that supervises the queue but does not sweep: the job fails, the run is stuck.
    worker = startWorkerProcess({ SWEEP_SECONDS: '0' });
    await worker.waitFor(/taking partition slices/);
    await gaveUp(run.runId);
    await new Promise((r) => setTimeout(r, 2000));
    expect((await system.admin.getRun(run.runId)).state).toBe('RUN_STATE_RUNNING');
    await worker.kill('SIGTERM');
    worker = startWorkerProcess({ SWEEP_SECONDS: '1', SWEEP_GRACE_SECONDS: '1' });
    const final = await system.admin.watch(run.runId);
    expect(final.state).toBe('RUN_STATE_COMPLETED');
    expect(worker.output()).toMatch(/run partition had no job left; queued again from its checkpoint/);
    const { rows } = await system.pool.query<{ sic: string; first: string | null; n: number }>(
      `SELECT social_insurance_code AS sic, candidates->0->>'citizenId' AS first,
              count(*) OVER (PARTITION BY social_insurance_code)::int AS n
         FROM vss.reconciliation_findings WHERE run_id = $1 AND social_insurance_code LIKE '99%'`,
      [run.runId],
    );
    expect(rows).toHaveLength(people.length);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    const byCode = new Map(rows.map((r) => [r.sic, r.first]));
    people.forEach((p, i) => expect(byCode.get(`99${String(i + 1).padStart(8, '0')}`)).toBe(p.citizen_id));
    await worker.kill('SIGTERM');
    worker = undefined;
    await system.pool.query(`DELETE FROM vss.participants WHERE social_insurance_code LIKE '99%'`);
  }, 240_000);

  it('fails, with the reason, once out of requeues, and frees its scope', async () => {
    const runId = await stuckRun();
    worker = startWorkerProcess({ SWEEP_SECONDS: '1', SWEEP_GRACE_SECONDS: '1', SWEEP_MAX_REQUEUES: '0' });
    const final = await system.admin.watch(runId);
    expect(final.state).toBe('RUN_STATE_FAILED');
    expect(final.error).toMatch(/partition \d+ lost its job 1 time\(s\)/);
    await worker.kill('SIGTERM');
    worker = undefined;
    await system.pool.query(
      `UPDATE pgboss.queue SET retry_limit = 2 WHERE name = 'reconciliation-partition'`,
    );
    const next = await system.admin.startRun({ scope: { all: true } }); // the scope is free again
    expect(next.runId).not.toBe(runId);
    await system.admin.cancelRun(next.runId);
  }, 180_000);
});
