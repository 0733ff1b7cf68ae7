import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { type Procedure, ProcedureState } from '@vss/contracts';
import { makeCitizenId } from '@vss/domain';
import { type AppProcess, startAppProcess } from '../support/processes';
import { birthRequest, FAST_WORKER, insertCitizens, type Stack, startStack } from '../civil-events/support';
import { waitFor } from '../support/polling';

/**
 * Nothing stuck for ever, tested by spending a step's retries for real: a worker is SIGKILLed
 * in the middle of a step whose queue allows no retry (PROCEDURE_JOB_RETRY_LIMIT=0), so the
 * job expires and the queue gives up on it. Without a sweeper the procedure stays RUNNING with
 * no job, and RetryProcedure starts it again; with one it is queued again and completes, or —
 * out of requeues — goes to NEEDS_REVIEW with the reason, which ends its watch, and completes
 * after RetryProcedure.
 */
jest.setTimeout(180_000);
const ROOT = join(__dirname, '..', '..');

let stack: Stack;
const processes: AppProcess[] = [];
let serial = 7000;
const MOTHER = makeCitizenId({ provinceCode: '001', gender: 'FEMALE', birthYear: 1992, serial: 6999 });

beforeAll(async () => {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'pipe' });
  // Every registry call takes 1.2 s: a step is long enough to kill a worker in the middle of it.
  stack = await startStack('stuck', { worker: false, registryConfig: { REGISTRY_FAULT_LATENCY_MS: 1200 } });
  await insertCitizens(stack.pool, [
    { citizenId: MOTHER, fullName: 'Lê Thị Hạnh', dateOfBirth: '1992-05-01', gender: 'F' },
  ]);
});

afterAll(async () => {
  for (const p of processes) await p.kill('SIGKILL');
  await stack?.stop();
});

function worker(env: Record<string, string | number>): AppProcess {
  const process = startAppProcess(
    'worker',
    Object.fromEntries(
      Object.entries({
        ...FAST_WORKER,
        DATABASE_URL: stack.db.urlFor('worker'),
        REGISTRY_ADDRESS: stack.registry.address,
        PROCEDURE_JOB_RETRY_LIMIT: 0,
        SWEEP_SECONDS: 1,
        SWEEP_GRACE_SECONDS: 1,
        ...env,
      }).map(([k, v]) => [k, String(v)]),
    ),
  );
  processes.push(process);
  return process;
}

/** Files a birth, lets a worker start its first step, and kills the worker in the middle of it. */
async function birthWithKilledWorker(): Promise<string> {
  serial += 1;
  // Started first: it sets the queue's retry limit (0) that the birth's job is created with.
  const doomed = worker({ SWEEP_SECONDS: 0 });
  await doomed.waitFor(/worker running/);
  const { procedureId } = await stack.submitBirth(
    birthRequest(
      {
        citizenId: makeCitizenId({
          provinceCode: '001',
          gender: 'MALE',
          birthYear: new Date().getUTCFullYear(),
          serial,
        }),
        fullName: 'Trần Văn Bình',
        dateOfBirth: new Date().toISOString().slice(0, 10),
        gender: 'M',
      },
      { motherCitizenId: MOTHER },
    ),
  );
  await waitFor(
    'a step running',
    async () => {
      const { rows } = await stack.pool.query(
        `SELECT 1 FROM vss.procedure_steps WHERE procedure_id = $1 AND state = 'RUNNING'`,
        [procedureId],
      );
      return rows.length > 0;
    },
    { timeoutMs: 60_000 },
  );
  await doomed.kill('SIGKILL');
  return procedureId;
}

/** Until the queue has given up on the procedure's job (expired with no retry left). */
async function jobGivenUp(procedureId: string): Promise<void> {
  await waitFor(
    'the job failed',
    async () => {
      const { rows } = await stack.pool.query(
        `SELECT 1 FROM pgboss.job WHERE data->>'procedureId' = $1 AND state = 'failed'`,
        [procedureId],
      );
      return rows.length > 0;
    },
    { timeoutMs: 60_000 },
  );
}

const state = async (procedureId: string) => (await stack.getProcedure(procedureId)).state;

it('RetryProcedure starts a procedure left RUNNING with no job', async () => {
  const procedureId = await birthWithKilledWorker();
  const survivor = worker({ SWEEP_SECONDS: 0 }); // supervises the queue, sweeps nothing
  await survivor.waitFor(/worker running/);
  await jobGivenUp(procedureId);
  await new Promise((r) => setTimeout(r, 2000));
  expect(await state(procedureId)).toBe(ProcedureState.PROCEDURE_STATE_RUNNING); // stuck: no job, no progress
  const retried = await stack.call<{ procedure: Procedure }>(
    'retryProcedure',
    { procedureId },
    stack.keys.admin,
  );
  expect(retried.procedure.procedureId).toBe(procedureId);
  expect((await stack.settled(procedureId, 60_000)).state).toBe(ProcedureState.PROCEDURE_STATE_COMPLETED);
  await survivor.kill('SIGTERM');
});

it('the sweeper queues a procedure with no job again, and it completes', async () => {
  const procedureId = await birthWithKilledWorker();
  const sweeper = worker({ SWEEP_MAX_REQUEUES: 3 });
  await sweeper.waitFor(/worker running/);
  expect((await stack.settled(procedureId, 90_000)).state).toBe(ProcedureState.PROCEDURE_STATE_COMPLETED);
  const { rows } = await stack.pool.query(`SELECT sweeps FROM vss.procedures WHERE procedure_id = $1`, [
    procedureId,
  ]);
  expect(rows[0].sweeps).toBe(1);
  expect(sweeper.output()).toMatch(/procedure had no job left; its current step was queued again/);
  await sweeper.kill('SIGTERM');
});

it('out of requeues, the sweeper moves it to NEEDS_REVIEW with the reason, its watch ends, and RetryProcedure completes it', async () => {
  const procedureId = await birthWithKilledWorker();
  const metadata = new grpc.Metadata();
  metadata.set('x-api-key', stack.keys.office);
  const stream = (
    stack.grpcClient as unknown as {
      watchProcedure(r: object, m: grpc.Metadata): grpc.ClientReadableStream<{ procedure: Procedure }>;
    }
  ).watchProcedure({ procedureId }, metadata);
  const seen: Procedure[] = [];
  stream.on('data', (d: { procedure: Procedure }) => seen.push(d.procedure));
  const ended = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  const sweeper = worker({ SWEEP_MAX_REQUEUES: 0 });
  await sweeper.waitFor(/worker running/);
  await ended; // the watch ends by itself when the procedure stops for review
  const last = seen[seen.length - 1];
  expect(last.state).toBe(ProcedureState.PROCEDURE_STATE_NEEDS_REVIEW);
  expect(last.reviewReason).toMatch(/lost its job 1 time\(s\): the queue spent its retries/);
  await stack.call('retryProcedure', { procedureId }, stack.keys.admin);
  expect((await stack.settled(procedureId, 60_000)).state).toBe(ProcedureState.PROCEDURE_STATE_COMPLETED);
  await sweeper.kill('SIGTERM');
});
