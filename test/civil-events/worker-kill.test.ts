import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { PROCEDURE_STEP_QUEUE } from '@vss/domain/linked-procedures';
import { loadPopulation } from '@vss/synthetic';
import { buildProcedureFixtures, inParallel, type ProcedureFixtures } from '../../bench/procedures/fixtures';
import type { AppProcess } from '../support/processes';
import { vietnamDate } from '@vss/domain';
import { type Stack, startStack, workerProcess } from './support';
import { waitFor } from '../support/polling';

/**
 * Nothing lost, nothing twice: a real worker process is SIGKILLed while hundreds of procedures
 * are in flight, a new one is started, and every procedure completes with one card per child
 * and at most one payout per deceased. The queue's expiry is short here (5 s) so that the
 * interrupted steps come back quickly; production uses JOB_EXPIRE_SECONDS (30 s by default).
 */
const BIRTHS = 200;
const DEATHS = 100;
const ROOT = join(__dirname, '..', '..');

let stack: Stack;
let fixtures: ProcedureFixtures;
const processes: AppProcess[] = [];

beforeAll(async () => {
  // The worker runs from dist/, as in production: build what is checked out now.
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'pipe' });
  stack = await startStack('kill', {
    worker: false,
    seed: async (pool) => {
      await loadPopulation(pool, { citizens: 1500, seed: 11, asOf: '2025-06-30' });
    },
  });
  fixtures = await buildProcedureFixtures(stack.pool, {
    births: BIRTHS,
    deaths: DEATHS,
    receivedOn: vietnamDate(Date.now()),
    eventPrefix: 'kill',
  });
}, 120_000);

afterAll(async () => {
  for (const p of processes) await p.kill('SIGKILL');
  await stack?.stop();
});

function worker(): AppProcess {
  const started = workerProcess(stack, { WORKER_CONCURRENCY: 8, PAYOUT_DAILY_PER_OFFICE: DEATHS });
  processes.push(started);
  return started;
}

async function counts() {
  const result = await stack.pool.query<{ state: string; n: number }>(
    'SELECT state, count(*)::int AS n FROM vss.procedures GROUP BY state',
  );
  return Object.fromEntries(result.rows.map((r) => [r.state, r.n])) as Record<string, number>;
}

describe('a worker killed with SIGKILL mid-flight', () => {
  it('loses nothing and does nothing twice: every procedure completes after a new worker starts', async () => {
    const total = BIRTHS + DEATHS;
    const submitted = await inParallel([...fixtures.births, ...fixtures.deaths], 16, async (request) => {
      const key = await stack.officeKey(request.header!.officeCode);
      return 'birth' in request && request.birth
        ? stack.submitBirth(request as Parameters<Stack['submitBirth']>[0], key)
        : stack.submitDeath(request as Parameters<Stack['submitDeath']>[0], key);
    });
    expect(new Set(submitted.map((s) => s.procedureId)).size).toBe(total);

    const first = worker();
    await first.waitFor(/worker running/);
    await waitFor(
      'a fifth of the procedures to complete',
      async () => ((await counts()).COMPLETED ?? 0) >= total / 5,
      { timeoutMs: 60_000, detail: counts },
    );
    await first.kill('SIGKILL');
    const atKill = await counts();
    const activeJobs = await stack.pool.query(
      `SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state = 'active'`,
      [PROCEDURE_STEP_QUEUE],
    );
    expect(atKill.COMPLETED ?? 0).toBeLessThan(total);

    const second = worker();
    await second.waitFor(/worker running/);
    await waitFor(
      'every procedure to settle',
      async () => {
        const c = await counts();
        return (c.COMPLETED ?? 0) + (c.NEEDS_REVIEW ?? 0) + (c.RESOLVED ?? 0) === total;
      },
      { timeoutMs: 90_000, detail: counts },
    );

    const unfinished = await stack.pool.query(
      `SELECT procedure_id, state, review_reason FROM vss.procedures WHERE state <> 'COMPLETED'`,
    );
    expect(unfinished.rows).toEqual([]);
    const cards = await stack.pool.query<{ citizen_id: string; n: number }>(
      `SELECT p.citizen_id, count(*)::int AS n FROM vss.participants p JOIN vss.hi_cards c USING (social_insurance_code)
       WHERE p.citizen_id = ANY($1) GROUP BY p.citizen_id`,
      [fixtures.births.map((b) => b.birth!.childCitizenId)],
    );
    expect(cards.rows).toHaveLength(BIRTHS);
    expect(cards.rows.filter((r) => r.n !== 1)).toEqual([]);
    const issued = await stack.pool.query(
      `SELECT count(*)::int AS n FROM vss.procedures p JOIN vss.hi_cards c ON c.issued_by_procedure = p.procedure_id
       WHERE p.kind = 'BIRTH' AND c.social_insurance_code = p.issued_social_insurance_code`,
    );
    expect(issued.rows[0].n).toBe(BIRTHS);
    const payouts = await stack.pool.query(
      `SELECT count(*)::int AS n, count(DISTINCT deceased_citizen_id)::int AS people FROM vss.funeral_payouts`,
    );
    expect(payouts.rows[0].n).toBe(payouts.rows[0].people);
    expect(payouts.rows[0].n).toBeLessThanOrEqual(DEATHS);
    // The steps the killed worker held were expired by the queue and handed out again.
    if (activeJobs.rows[0].n > 0) {
      const retried = await stack.pool.query(
        `SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND retry_count > 0`,
        [PROCEDURE_STEP_QUEUE],
      );
      expect(retried.rows[0].n).toBeGreaterThan(0);
    }
    await second.kill('SIGTERM');
  }, 240_000);
});
