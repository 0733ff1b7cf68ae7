/**
 * Reconciliation benchmark: a whole-population run against the registry stub, next to the
 * baseline of just reading both datasets once, at several sizes.
 *
 *   npm run bench:reconcile -- --size 1000000            (also runs 100 k and 300 k)
 *   npm run bench:reconcile -- --sizes 20000 --keep       (one size, databases kept)
 *   npm run bench:reconcile -- --sizes 1000000 --cpu-prof /tmp/prof   (the worker's CPU profile)
 *   npm run bench:reconcile -- --sizes 300000 --pg-stats       (PostgreSQL's costliest statements)
 *   npm run bench:reconcile -- --sizes 1000000 --worker-node-args "--max-semi-space-size=64"
 *   npm run bench:reconcile -- --sizes 1000000 --app-env RECONCILE_CONCURRENCY=4   (settings of the gateway and worker)
 *
 * Each size gets a fresh database on an embedded PostgreSQL of the benchmark's own (or the
 * server of --admin-url), seeded with libs/synthetic. The registry, gateway and worker run as
 * processes, as in production. Printed: the baseline (COPY of our participants, the registry's
 * export over gRPC, and both at once: the median of two reads before the run and one after), the run (wall time, records/s, peak RSS of the worker,
 * CPU of every process), the ratio run/baseline, and precision/recall against the truth.
 */
import { benchPki, type BenchPki } from '../pki';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { freePort, startEmbeddedPostgres } from '@vss/persistence';
import { ApiKeys } from '@vss/api-keys';
import { OperatorsRepository } from '@vss/authority';
import { ReconciliationClient } from '../../tools/cli/reconcile-client';
import { cpuMsOfTree, ownCpuMs } from '../support/processes';
import { type AppProcess, startApp } from './processes';
import { formatQuality, type RunQuality, scoreRun } from './quality';
import { copyParticipants, databaseUrl, exportRegistry, freshPopulation } from './setup';
import { benchOptions } from './options';
import { log, printStatements, printTimeline, secs } from './run-report';

interface SizeResult {
  citizens: number;
  participants: number;
  copyMs: number;
  exportMs: number;
  baselineMs: number;
  baselineCpuMs: number;
  runMs: number;
  runCpuMs: number;
  /** CPU seconds of the run, per process. */
  runCpuBy: Record<string, number>;
  workerPeakRssMb: number;
  quality: RunQuality;
  /** The same run by a worker whose heap was capped: proof that nothing grows with the data. */
  capped?: { heapCapMb: number; runMs: number; workerPeakRssMb: number };
}

/** One read of both datasets at once: its wall time and the CPU of the processes serving it. */
interface BaselineRead {
  ms: number;
  cpuMs: number;
  /** The CPU of cpuMs by process: the registry, PostgreSQL, and this process reading. */
  registryMs: number;
  postgresMs: number;
  readerMs: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Every app of the run serves and calls over TLS, with the run's own certificates. */
let pki: BenchPki;

async function measureSize(
  adminUrl: string,
  pgPid: number,
  citizens: number,
  seed: number,
  heapCapMb: number,
  cpuProfDir: string | undefined,
  pgStats: boolean,
  workerNodeArgs: readonly string[],
  appEnv: Record<string, string>,
): Promise<SizeResult> {
  const name = `bench_reconcile_${citizens}`;
  log(`\n== ${citizens.toLocaleString('en-US')} citizens: seeding ${name}`);
  const { url, report } = await freshPopulation(adminUrl, name, citizens, seed);
  // The registry serves registered peers only: the worker exports, the gateway reads.
  await pki.register(url);
  const participants = report.rows['vss.participants'] ?? 0;
  log(`   seeded ${report.totalRows.toLocaleString('en-US')} rows in ${report.seconds.toFixed(0)} s`);

  const registryPort = await freePort();
  const registryAddress = `127.0.0.1:${registryPort}`;
  const apps: AppProcess[] = [];
  try {
    const registry = startApp('population-registry', {
      DATABASE_URL: url,
      REGISTRY_GRPC_PORT: String(registryPort),
      ...pki.env('population-registry'),
    });
    apps.push(registry);
    await registry.waitFor(/population registry serving/);

    // Baseline: each dataset alone (warming the caches), then both at once, as a merge reads them:
    // twice before the run and once after it, the median of the three (one read of both varies
    // by a third on these machines, more than the code's changes do).
    const copy = await copyParticipants(url);
    const exported = await exportRegistry(registryAddress, pki.credentials('worker'));
    const readBoth = async (): Promise<BaselineRead> => {
      const cpu = () => [cpuMsOfTree(registry.child.pid!), cpuMsOfTree(pgPid), ownCpuMs()];
      const before = cpu();
      const started = Date.now();
      await Promise.all([copyParticipants(url), exportRegistry(registryAddress, pki.credentials('worker'))]);
      const ms = Date.now() - started;
      const [registryMs, postgresMs, readerMs] = cpu().map((v, i) => v - before[i]);
      return { ms, cpuMs: registryMs + postgresMs + readerMs, registryMs, postgresMs, readerMs };
    };
    const baselines = [await readBoth(), await readBoth()];
    log(
      `   baseline: COPY ${participants} participants ${secs(copy.ms)}, export ${exported.citizens} citizens ${secs(exported.ms)}, both at once ${baselines.map((b) => secs(b.ms)).join(', ')}`,
    );
    for (const b of baselines)
      log(
        `     CPU ${secs(b.cpuMs)}: registry ${secs(b.registryMs)}, postgres ${secs(b.postgresMs)}, reading ${secs(b.readerMs)}`,
      );

    const gatewayPort = await freePort();
    const common = {
      DATABASE_URL: url,
      REGISTRY_ADDRESS: registryAddress,
      LOG_LEVEL: 'info',
      ...appEnv,
    };
    const gateway = startApp('gateway', {
      ...common,
      ...pki.env('gateway'),
      OPERATOR_HTTP_PORT: String(await freePort()),
      GATEWAY_GRPC_PORT: String(gatewayPort),
      GATEWAY_HTTP_PORT: String(await freePort()),
    });
    apps.push(gateway);
    await gateway.waitFor(/gateway serving/);
    const worker = startApp('worker', { ...common, ...pki.env('worker') }, [
      ...workerNodeArgs,
      ...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : []),
    ]);
    apps.push(worker);
    await worker.waitFor(/taking partition slices/);

    const pool = new Pool({ connectionString: url, max: 2 });
    const key = await new ApiKeys(pool).issue({
      role: 'admin',
      label: 'bench:reconcile',
      operatorLogin: (
        await new OperatorsRepository(pool).add({
          login: `bench.reconcile.${process.pid}`,
          displayName: 'bench:reconcile',
          roles: ['operator', 'reviewer'],
          by: 'bench:reconcile',
        })
      ).login,
    });
    const client = new ReconciliationClient(`127.0.0.1:${gatewayPort}`, key.apiKey, pki.credentials());
    try {
      const pids = [registry, gateway, worker].map((a) => a.child.pid!);
      const names = ['registry', 'gateway', 'worker', 'postgres'];
      const cpuBy = () => [...pids, pgPid].map((pid) => cpuMsOfTree(pid));
      const cpuAt = () => cpuBy().reduce((sum, ms) => sum + ms, 0);
      if (pgStats) {
        await pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
        await pool.query('SELECT pg_stat_statements_reset()');
      }
      const byBefore = cpuBy();
      const runCpuBefore = cpuAt();
      const runStarted = Date.now();
      const run = await client.startRun({ scope: { all: true }, findMissingIdCandidates: true });
      let lastPrinted = 0;
      const final = await client.watch(run.runId, (r) => {
        if (Date.now() - lastPrinted < 5000) return;
        lastPrinted = Date.now();
        log(
          `   ${r.state.replace('RUN_STATE_', '')} ${r.recordsProcessed}/${r.recordsTotal} at ${r.recordsPerSecond} records/s`,
        );
      });
      // From the call to the run's own finish: WatchRun's polling interval is not the run's time.
      const runMs = (final.finishedAt ? Date.parse(final.finishedAt) : Date.now()) - runStarted;
      const runCpuMs = cpuAt() - runCpuBefore;
      const byAfter = cpuBy();
      const runCpuBy = Object.fromEntries(names.map((n, i) => [n, (byAfter[i] - byBefore[i]) / 1000]));
      if (final.state !== 'RUN_STATE_COMPLETED') throw new Error(`run ended ${final.state}: ${final.error}`);
      const workerPeakRssMb = worker.peakRssMb();
      if (pgStats) await printStatements(pool);
      baselines.push(await readBoth());
      const baselineMs = median(baselines.map((b) => b.ms));
      const baselineCpuMs = median(baselines.map((b) => b.cpuMs));
      const after = baselines[2];
      log(
        `   baseline after the run: both at once ${secs(after.ms)}, CPU ${secs(after.cpuMs)} (registry ${secs(after.registryMs)}, postgres ${secs(after.postgresMs)}, reading ${secs(after.readerMs)}); median of the three ${secs(baselineMs)} (CPU ${secs(baselineCpuMs)})`,
      );
      await printTimeline(pool, run.runId);
      const quality = await scoreRun(pool, run.runId);
      log(
        `   run: ${secs(runMs)}, ratio ${(runMs / baselineMs).toFixed(2)}, worker peak RSS ${workerPeakRssMb.toFixed(0)} MB`,
      );
      log(formatQuality(quality).replace(/^/gm, '   '));
      let capped: SizeResult['capped'];
      if (heapCapMb > 0) {
        await worker.stop();
        const cappedWorker = startApp(
          'worker',
          { ...common, ...pki.env('worker'), NODE_OPTIONS: `--max-old-space-size=${heapCapMb}` },
          workerNodeArgs,
        );
        apps.push(cappedWorker);
        await cappedWorker.waitFor(/taking partition slices/);
        const again = Date.now();
        const second = await client.startRun({ scope: { all: true }, findMissingIdCandidates: true });
        const done = await client.watch(second.runId);
        if (done.state !== 'RUN_STATE_COMPLETED')
          throw new Error(`capped run ended ${done.state}: ${done.error}`);
        capped = {
          heapCapMb,
          runMs: Date.parse(done.finishedAt) - again,
          workerPeakRssMb: cappedWorker.peakRssMb(),
        };
        log(
          `   with the worker heap capped at ${heapCapMb} MB: ${secs(capped.runMs)}, worker peak RSS ${capped.workerPeakRssMb.toFixed(0)} MB`,
        );
      }
      return {
        citizens,
        participants,
        copyMs: copy.ms,
        exportMs: exported.ms,
        baselineMs,
        baselineCpuMs,
        runMs,
        runCpuMs,
        runCpuBy,
        workerPeakRssMb,
        quality,
        capped,
      };
    } finally {
      client.close();
      await pool.end();
    }
  } finally {
    for (const app of apps.reverse()) await app.stop();
  }
}

async function main(): Promise<void> {
  const {
    sizes,
    seed,
    adminUrl: given,
    keep,
    heapCapMb,
    cpuProfDir,
    pgStats,
    workerNodeArgs,
    appEnv,
  } = benchOptions();
  let dataDir: string | undefined;
  let stop = async () => undefined as void;
  let adminUrl = given;
  let pgPid = 0;
  if (!adminUrl) {
    dataDir = mkdtempSync(join(tmpdir(), 'bench-reconcile-pg-'));
    const embedded = await startEmbeddedPostgres({
      dataDir,
      throwaway: !keep,
      tls: (await benchPki()).database(),
      settings: pgStats ? { shared_preload_libraries: 'pg_stat_statements' } : {},
    });
    adminUrl = embedded.adminUrl;
    stop = () => embedded.stop();
    const pool = new Pool({ connectionString: adminUrl, max: 1 });
    // The postmaster: its tree holds every backend, so its CPU is all of PostgreSQL's.
    const { rows } = await pool.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'`,
    );
    await pool.end();
    pgPid = Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${rows[0].pid}/status`, 'utf8'))?.[1]);
  }
  const results: SizeResult[] = [];
  pki = await benchPki();
  try {
    for (const [i, size] of sizes.entries()) {
      const last = i === sizes.length - 1;
      results.push(
        await measureSize(
          adminUrl,
          pgPid,
          size,
          seed,
          last ? heapCapMb : 0,
          last ? cpuProfDir : undefined,
          pgStats,
          workerNodeArgs,
          appEnv,
        ),
      );
    }
  } finally {
    await stop();
    pki.remove();
    if (dataDir && !keep) rmSync(dataDir, { recursive: true, force: true });
  }
  log(
    '\n| citizens | participants | COPY | export | baseline (both at once, median of 3) | run | records/s | ratio | CPU ratio | worker peak RSS |',
  );
  log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    log(
      `| ${r.citizens.toLocaleString('en-US')} | ${r.participants.toLocaleString('en-US')} | ${secs(r.copyMs)} | ${secs(r.exportMs)} | ${secs(r.baselineMs)} | ${secs(r.runMs)} | ${Math.round(r.participants / (r.runMs / 1000)).toLocaleString('en-US')} | ${(r.runMs / r.baselineMs).toFixed(2)} | ${given ? 'n/a' : (r.runCpuMs / r.baselineCpuMs).toFixed(2)} | ${r.workerPeakRssMb.toFixed(0)} MB |`,
    );
  }
  if (!given) {
    log('\n| citizens | baseline CPU | run CPU | registry | gateway | worker | postgres |');
    log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of results) {
      const by = r.runCpuBy;
      log(
        `| ${r.citizens.toLocaleString('en-US')} | ${secs(r.baselineCpuMs)} | ${secs(r.runCpuMs)} | ${by.registry.toFixed(1)} s | ${by.gateway.toFixed(1)} s | ${by.worker.toFixed(1)} s | ${by.postgres.toFixed(1)} s |`,
      );
    }
  }
  const largest = results[results.length - 1];
  if (largest?.capped) {
    log(
      `\nworker heap capped at ${largest.capped.heapCapMb} MB at ${largest.citizens.toLocaleString('en-US')} citizens: run ${secs(largest.capped.runMs)}, worker peak RSS ${largest.capped.workerPeakRssMb.toFixed(0)} MB`,
    );
  }
  if (largest)
    log(
      `\nquality at ${largest.citizens.toLocaleString('en-US')} citizens:\n${formatQuality(largest.quality)}`,
    );
  if (given) log(`\n(databases left on ${databaseUrl(adminUrl, 'bench_reconcile_<size>')})`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
