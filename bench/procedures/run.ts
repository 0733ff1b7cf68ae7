import { vietnamDate } from '@vss/domain';
import 'reflect-metadata';
import { benchPki } from '../pki';
import * as grpc from '@grpc/grpc-js';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import { freePort } from '@vss/persistence';
import { serviceClient, unary } from '@vss/registry-client';
import { ApiKeys } from '@vss/api-keys';
import { LimitOverrides } from '@vss/limits';
import { loadPopulation } from '@vss/synthetic';
import { buildProcedureFixtures, inParallel } from './fixtures';
import { type BenchProcess, cpuMsOfTree, startNode } from '../support/processes';
import { freshDatabase } from './system';

/**
 * `npm run bench:procedures [-- --births N --deaths N --citizens N --concurrency N --worker-concurrency N --empty-jobs N]`
 *
 * Seeds a small population into a fresh database, starts the registry stub, the gateway and one
 * worker as processes of their own, submits 2,000 births and 500 deaths through gRPC
 * (`--concurrency` calls in flight) while the worker runs them, and measures accepted events/s
 * (until the last acknowledgement) and completed procedures/s (until the last procedure
 * settles), both from the first submission. In the same run, on the same database, a process
 * configured like the worker sends empty pg-boss jobs while taking them: the ratios of accepted
 * events/s to empty jobs sent/s and of step jobs/s to empty jobs handled/s are the figures that
 * survive a noisy machine, with the CPU each process spent per procedure and per empty job.
 */
const { values: opts } = parseArgs({
  options: {
    births: { type: 'string', default: '2000' },
    deaths: { type: 'string', default: '500' },
    citizens: { type: 'string', default: '6000' },
    concurrency: { type: 'string', default: '32' },
    'worker-concurrency': { type: 'string', default: '8' },
    'empty-jobs': { type: 'string', default: '10000' },
  },
});
const say = (line = '') => process.stdout.write(`${line}\n`);
const rate = (n: number, seconds: number) => (n / seconds).toFixed(1);

async function main(): Promise<void> {
  say(
    `procedures benchmark: ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const db = await freshDatabase(process.env.DATABASE_URL);
  const pool = new Pool({ connectionString: db.url, max: 4 });
  const processes: BenchProcess[] = [];
  const pki = await benchPki();
  await pki.register(db.url);
  try {
    say(`seeding ${opts.citizens} citizens…`);
    await loadPopulation(pool, { citizens: Number(opts.citizens), seed: 5, asOf: '2025-06-30' });
    const fixtures = await buildProcedureFixtures(pool, {
      births: Number(opts.births),
      deaths: Number(opts.deaths),
      receivedOn: vietnamDate(Date.now()),
      eventPrefix: 'bench',
    });
    const requests = [...fixtures.births, ...fixtures.deaths];
    // Births and deaths interleaved, as they arrive from the offices.
    requests.sort((a, b) => a.header!.eventId.localeCompare(b.header!.eventId));
    // Each event is filed by the office of the person's province, with a key of its own; events
    // arrive as fast as the bench can send them: no rate of an office's may hold them.
    const metadataOf = new Map<string, grpc.Metadata>();
    for (const officeCode of fixtures.offices) {
      const { apiKey, keyId } = await new ApiKeys(pool).issue({
        role: 'civil-registry',
        officeCode,
        label: `bench ${officeCode}`,
      });
      await new LimitOverrides(pool).set(keyId, 'rate=off,burst=off,calls=off,daily=off', 'bench:procedures');
      const metadata = new grpc.Metadata();
      metadata.set('x-api-key', apiKey);
      metadataOf.set(officeCode, metadata);
    }

    const common = { DATABASE_URL: db.url, LOG_LEVEL: 'info' };
    const registryPort = await freePort();
    const grpcPort = await freePort();
    const start = async (
      name: string,
      script: string,
      ready: RegExp,
      env: Record<string, string | number>,
    ) => {
      const p = startNode(name, script, { ...common, ...env });
      processes.push(p);
      await p.waitFor(ready);
      return p;
    };
    const registry = await start(
      'registry',
      'apps/population-registry/src/main.js',
      /population registry serving/,
      {
        REGISTRY_GRPC_PORT: registryPort,
        ...pki.env('population-registry'),
      },
    );
    const registryAddress = `127.0.0.1:${registryPort}`;
    const gateway = await start('gateway', 'apps/gateway/src/main.js', /gateway serving/, {
      GATEWAY_GRPC_PORT: grpcPort,
      GATEWAY_HTTP_PORT: await freePort(),
      OPERATOR_HTTP_PORT: await freePort(),
      REGISTRY_ADDRESS: registryAddress,
      ...pki.env('gateway'),
    });
    const worker = await start('worker', 'apps/worker/src/main.js', /worker running/, {
      REGISTRY_ADDRESS: registryAddress,
      WORKER_CONCURRENCY: opts['worker-concurrency'],
      // The bench files in a minute what the offices file in weeks: no office's count of a day holds it.
      PAYOUT_DAILY_PER_OFFICE: Number(opts.deaths),
      ...pki.env('worker'),
    });

    const Client = serviceClient(['vss/gateway/v1/civil_event.proto'], 'vss.gateway.v1.CivilEventService');
    const client = new Client(`127.0.0.1:${grpcPort}`, pki.credentials());
    say(
      `submitting ${fixtures.births.length} births and ${fixtures.deaths.length} deaths, ${opts.concurrency} in flight…`,
    );
    const system = { registry, gateway, worker };
    const cpuBefore = cpuOf(system, db.serverPid);
    const started = Date.now();
    await inParallel(requests, Number(opts.concurrency), (request) =>
      unary(client, 'birth' in request ? 'submitBirthRegistration' : 'submitDeathRegistration', request, {
        deadlineMs: 30_000,
        metadata: metadataOf.get(request.header!.officeCode)!,
      }),
    );
    const acceptedSeconds = (Date.now() - started) / 1000;
    client.close();
    const settledSeconds = await untilSettled(pool, requests.length, started);
    const outcome = await pool.query<{ kind: string; state: string; n: number; steps: number }>(
      `SELECT p.kind, p.state, count(DISTINCT p.procedure_id)::int AS n, count(*)::int AS steps
       FROM vss.procedures p JOIN vss.procedure_steps s USING (procedure_id)
       WHERE s.state IN ('DONE', 'SKIPPED') GROUP BY p.kind, p.state ORDER BY 1, 2`,
    );
    const stepJobs = outcome.rows.reduce((sum, r) => sum + r.steps, 0);
    const procedureCpu = difference(cpuOf(system, db.serverPid), cpuBefore);
    await worker.stop();

    say(`pg-boss baseline: ${opts['empty-jobs']} empty jobs…`);
    const empty = startNode('empty-jobs', 'bench/procedures/empty-jobs.js', {
      DATABASE_URL: db.url,
      BENCH_JOBS: opts['empty-jobs'],
      BENCH_CONCURRENCY: opts.concurrency,
      BENCH_LOOPS: opts['worker-concurrency'],
    });
    processes.push(empty);
    const emptyBefore = cpuOf({ empty }, db.serverPid);
    await empty.waitFor(/"workPerSecond"/, 300_000);
    const emptyCpu = difference(cpuOf({ empty }, db.serverPid), emptyBefore);
    const baseline = JSON.parse(empty.lines(/"workPerSecond"/)[0]) as {
      jobs: number;
      sendPerSecond: number;
      workPerSecond: number;
    };

    const n = requests.length;
    const accepted = n / acceptedSeconds;
    const steps = stepJobs / settledSeconds;
    say();
    say(`procedures by outcome: ${outcome.rows.map((r) => `${r.kind} ${r.state} ${r.n}`).join(', ')}`);
    say(`accepted events:       ${rate(n, acceptedSeconds)}/s  (${n} in ${acceptedSeconds.toFixed(1)} s)`);
    say(
      `completed procedures:  ${rate(n, settledSeconds)}/s  (${n} in ${settledSeconds.toFixed(1)} s, end to end)`,
    );
    say(`step jobs:             ${steps.toFixed(1)}/s  (${stepJobs} steps)`);
    say(
      `pg-boss empty jobs:    sent ${baseline.sendPerSecond.toFixed(1)}/s, handled ${baseline.workPerSecond.toFixed(1)}/s`,
    );
    say(`ratio accepted events / empty sends:  ${(accepted / baseline.sendPerSecond).toFixed(2)}`);
    say(`ratio step jobs / empty jobs handled: ${(steps / baseline.workPerSecond).toFixed(2)}`);
    const perProcedure = Object.entries(procedureCpu).map(([k, ms]) => `${k} ${(ms / n).toFixed(1)}`);
    const perEmpty = Object.entries(emptyCpu).map(([k, ms]) => `${k} ${(ms / baseline.jobs).toFixed(2)}`);
    say(
      `CPU ms per procedure:  ${perProcedure.join(', ')}; per step job ${(sum(procedureCpu) / stepJobs).toFixed(1)}`,
    );
    say(
      `CPU ms per empty job:  ${perEmpty.join(', ')}; in all ${(sum(emptyCpu) / baseline.jobs).toFixed(2)}`,
    );
    say(
      `ratio CPU per step job / per empty job: ${(sum(procedureCpu) / stepJobs / (sum(emptyCpu) / baseline.jobs)).toFixed(1)}`,
    );
  } finally {
    for (const p of processes.reverse()) await p.stop();
    await pool.end();
    await db.close();
    pki.remove();
  }
}

/** CPU milliseconds used so far by each process (and its children), PostgreSQL included when it is ours. */
function cpuOf(
  processes: Record<string, BenchProcess>,
  serverPid: number | undefined,
): Record<string, number> {
  const cpu: Record<string, number> = {};
  for (const [name, p] of Object.entries(processes)) cpu[name] = p.child.pid ? cpuMsOfTree(p.child.pid) : 0;
  if (serverPid) cpu.postgres = cpuMsOfTree(serverPid);
  const own = process.cpuUsage();
  cpu.client = (own.user + own.system) / 1000;
  return cpu;
}

function difference(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]));
}

const sum = (cpu: Record<string, number>) => Object.values(cpu).reduce((a, b) => a + b, 0);

/** Seconds from `started` until every procedure has settled. */
async function untilSettled(pool: Pool, total: number, started: number): Promise<number> {
  for (;;) {
    const result = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM vss.procedures WHERE state IN ('COMPLETED', 'NEEDS_REVIEW', 'RESOLVED')`,
    );
    if (result.rows[0].n >= total) return (Date.now() - started) / 1000;
    if (Date.now() - started > 30 * 60_000)
      throw new Error(`only ${result.rows[0].n} of ${total} settled in 30 min`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench:procedures failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exit(1);
  },
);
