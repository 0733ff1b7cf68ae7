import 'reflect-metadata';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import { PROTO_LOADER_OPTIONS, protoRoot } from '@vss/contracts';
import { freePort } from '@vss/persistence';
import { vietnamDate } from '@vss/platform';
import { ApiKeys } from '@vss/security';
import type { ClientJob, ClientResult } from './client';
import { prepareDatabase, sampleIds, type SampledIds } from './population';
import { type BenchProcess, cpuMsOfTree, runNode, startNode } from './processes';

/**
 * `npm run bench:lookup [-- --size N --duration S --warmup S --working-set N --threads N --data-dir DIR]`
 *
 * Seeds a population (1,000,000 people by default) into a fresh database, starts the registry
 * and the gateway as processes of their own, and drives LookupCoverage from a separate client
 * process (worker threads, 64 calls in flight) over a mix of covered, expired, deceased and
 * unknown citizen IDs. In the same run the same client drives a bare grpc-js unary server that
 * answers with the same number of bytes: the ratio of the two throughputs is the figure that
 * survives a noisy machine. Then the same at 32 in flight, for latency. Each gateway run is
 * done twice: with the coverage cache (the configuration we ship) and without it (every lookup
 * goes to PostgreSQL), and the CPU each process spent per call says where the time goes.
 */

const { values: opts } = parseArgs({
  options: {
    size: { type: 'string', default: '1000000' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    'working-set': { type: 'string', default: '20000' },
    threads: { type: 'string', default: '2' },
    /** Echo and lookup take turns this many times per setting; medians are reported. */
    rounds: { type: 'string', default: '3' },
    'data-dir': { type: 'string' },
    'skip-uncached': { type: 'boolean', default: false },
    /** Write a V8 CPU profile of each gateway process into this folder (chrome://inspect, speedscope). */
    'cpu-prof': { type: 'string' },
  },
});
const SIZE = Number(opts.size);
const WORKING_SET = Number(opts['working-set']);
const MIX: Array<[keyof SampledIds, number]> = [
  ['covered', 0.7],
  ['expired', 0.1],
  ['deceased', 0.1],
  ['unknown', 0.1],
];
const PATH = '/vss.gateway.v1.CoverageService/LookupCoverage';
const say = (line = '') => process.stdout.write(`${line}\n`);

interface Row {
  label: string;
  inFlight: number;
  result: ClientResult;
  serverCpuUs: number;
  pgCpuUs: number;
}

async function main(): Promise<void> {
  say(
    `lookup benchmark: ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} at start`,
  );
  const today = vietnamDate(new Date());
  const db = await prepareDatabase({
    size: SIZE,
    databaseUrl: process.env.DATABASE_URL,
    dataDir: opts['data-dir'],
  });
  const processes: BenchProcess[] = [];
  try {
    const perKind = Object.fromEntries(
      MIX.map(([k, share]) => [k, Math.ceil(WORKING_SET * share)]),
    ) as Record<keyof SampledIds, number>;
    const ids = await sampleIds(db.url, perKind, today);
    const { apiKey, facilityCode } = await clinicKey(db.url);
    const definition = protoLoader.loadSync(join(protoRoot(), 'vss/gateway/v1/coverage.proto'), {
      ...PROTO_LOADER_OPTIONS,
      includeDirs: [protoRoot()],
    });
    const method = (definition['vss.gateway.v1.CoverageService'] as protoLoader.ServiceDefinition)
      .LookupCoverage;
    const payloadsFile = join(tmpdir(), `vss-bench-lookup-payloads-${process.pid}.json`);
    const payloads = workingSet(ids).map((citizenId) =>
      method.requestSerialize({ citizenId, facilityCode, visitDate: '' }).toString('base64'),
    );
    writeFileSync(payloadsFile, JSON.stringify(payloads));
    say(
      `working set: ${payloads.length.toLocaleString('en')} lookups (${MIX.map(([k, s]) => `${s * 100} % ${k}: ${ids[k].length.toLocaleString('en')} IDs`).join(', ')})`,
    );

    const registryPort = await freePort();
    const registry = startNode('registry', 'apps/population-registry/src/main.js', [], {
      DATABASE_URL: db.url,
      REGISTRY_GRPC_PORT: String(registryPort),
      LOG_LEVEL: 'info',
    });
    processes.push(registry);
    await registry.waitFor(/population registry serving/);
    const startGateway = async (name: string, env: Record<string, string>) => {
      const port = await freePort();
      const gateway = startNode(
        name,
        'apps/gateway/src/main.js',
        [],
        {
          DATABASE_URL: db.url,
          GATEWAY_GRPC_PORT: String(port),
          GATEWAY_HTTP_PORT: String(await freePort()),
          REGISTRY_ADDRESS: `127.0.0.1:${registryPort}`,
          LOG_LEVEL: 'info',
          ...env,
        },
        opts['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${opts['cpu-prof']}`] : [],
      );
      processes.push(gateway);
      await gateway.waitFor(/gateway serving/);
      return { gateway, target: `127.0.0.1:${port}` };
    };

    const cached = await startGateway('gateway', {});
    const answerBytes = await probe(cached.target, apiKey, ids, facilityCode, method);
    const echoPort = await freePort();
    const echo = startNode(
      'echo',
      'bench/lookup/echo-server.js',
      [String(echoPort), String(answerBytes)],
      {},
    );
    processes.push(echo);
    await echo.waitFor(/echo serving/);
    const echoTarget = `127.0.0.1:${echoPort}`;

    const auditBefore = await auditCount(db.url);
    const rows: Row[] = [];
    let lookupsAnswered = 0; // the probes ran before auditBefore
    const run = async (label: string, target: string, pid: number, inFlight: number) => {
      const row = await phase(label, target, pid, db.serverPid, inFlight, apiKey, payloadsFile);
      rows.push(row);
      if (label.startsWith('LookupCoverage')) lookupsAnswered += row.result.allCalls;
      say(formatRow(row, rows));
    };
    // Echo and gateway take turns, so that both see the same spells of a shared machine.
    const alternate = async (label: string, target: string, pid: number) => {
      say();
      say(header());
      for (const inFlight of [64, 32]) {
        for (let round = 0; round < Number(opts.rounds); round++) {
          await run('echo (bare grpc-js)', echoTarget, echo.child.pid!, inFlight);
          await run(label, target, pid, inFlight);
        }
      }
    };
    await alternate('LookupCoverage, cache on', cached.target, cached.gateway.child.pid!);
    summarizeOutcomes(rows, method);
    if (!opts['skip-uncached']) {
      await cached.gateway.stop();
      const uncached = await startGateway('gateway-uncached', { COVERAGE_CACHE_ENTRIES: '0' });
      await alternate('LookupCoverage, no cache', uncached.target, uncached.gateway.child.pid!);
    }
    say();
    say('medians:');
    say(header());
    for (const label of ['LookupCoverage, cache on', 'LookupCoverage, no cache']) {
      for (const inFlight of [64, 32]) {
        const mine = rows.filter((r) => r.label === label && r.inFlight === inFlight);
        if (mine.length > 0) say(formatMedian(label, inFlight, rows));
      }
    }
    const audited = (await auditCount(db.url)) - auditBefore;
    say();
    say(
      `audit: ${audited.toLocaleString('en')} records committed for ${lookupsAnswered.toLocaleString('en')} lookups answered (probes and warm-ups included)`,
    );
    say(
      `load average at the end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} (the machine is shared: compare ratios, not absolute figures)`,
    );
  } finally {
    for (const p of processes.reverse()) await p.stop();
    await db.close();
  }
}

/** IDs laid out in the mix's proportions; the client picks among them at random. */
function workingSet(ids: SampledIds): string[] {
  const out: string[] = [];
  const counters = new Map<string, number>();
  for (let i = 0; i < WORKING_SET; i++) {
    const slot = i % 10;
    const kind: keyof SampledIds =
      slot < 7 ? 'covered' : slot === 7 ? 'expired' : slot === 8 ? 'deceased' : 'unknown';
    const list = ids[kind];
    if (list.length === 0) continue;
    const n = counters.get(kind) ?? 0;
    counters.set(kind, n + 1);
    out.push(list[n % list.length]);
  }
  return out;
}

async function clinicKey(url: string): Promise<{ apiKey: string; facilityCode: string }> {
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    const { rows } = await pool.query(
      'SELECT facility_code FROM vss.facilities ORDER BY facility_code LIMIT 1',
    );
    const facilityCode: string = rows[0].facility_code;
    const issued = await new ApiKeys(pool).issue({ role: 'clinic', facilityCode, label: 'bench:lookup' });
    return { apiKey: issued.apiKey, facilityCode };
  } finally {
    await pool.end();
  }
}

/** One lookup of each kind: checks the gateway answers as expected and measures answer sizes. */
async function probe(
  target: string,
  apiKey: string,
  ids: SampledIds,
  facilityCode: string,
  method: protoLoader.MethodDefinition<object, object>,
): Promise<number> {
  const client = new grpc.Client(target, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  metadata.set('x-api-key', apiKey);
  let bytes = 0;
  try {
    for (const [kind, share] of MIX) {
      const citizenId = ids[kind][0];
      const answer = await new Promise<Buffer>((resolve, reject) =>
        client.makeUnaryRequest(
          PATH,
          (b: Buffer) => b,
          (b: Buffer) => b,
          method.requestSerialize({ citizenId, facilityCode, visitDate: '' }),
          metadata,
          (error, res) => (error ? reject(error) : resolve(res as Buffer)),
        ),
      );
      const decoded = method.responseDeserialize(answer) as { status: string; reason: string };
      say(
        `probe ${kind.padEnd(8)} ${citizenId}: ${decoded.status} ${decoded.reason} (${answer.length} bytes)`,
      );
      bytes += answer.length * share;
    }
  } finally {
    client.close();
  }
  return Math.round(bytes);
}

async function phase(
  label: string,
  target: string,
  serverPid: number,
  pgPid: number | undefined,
  inFlight: number,
  apiKey: string,
  payloadsFile: string,
): Promise<Row> {
  const job: ClientJob = {
    target,
    path: PATH,
    payloadsFile,
    apiKey,
    concurrency: inFlight,
    threads: Number(opts.threads),
    warmupMs: Number(opts.warmup) * 1000,
    durationMs: Number(opts.duration) * 1000,
    sampleEvery: label.startsWith('LookupCoverage') ? 97 : 0,
  };
  const serverBefore = cpuMsOfTree(serverPid);
  const pgBefore = pgPid ? cpuMsOfTree(pgPid) : NaN;
  const result = JSON.parse(await runNode('bench/lookup/client.js', [JSON.stringify(job)])) as ClientResult;
  const calls = Math.max(1, result.allCalls);
  return {
    label,
    inFlight,
    result,
    serverCpuUs: ((cpuMsOfTree(serverPid) - serverBefore) * 1000) / calls,
    pgCpuUs: pgPid ? ((cpuMsOfTree(pgPid) - pgBefore) * 1000) / calls : NaN,
  };
}

async function auditCount(url: string): Promise<number> {
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM vss.audit_events WHERE action = 'coverage.lookup'`,
    );
    return rows[0].n;
  } finally {
    await pool.end();
  }
}

function header(): string {
  return [
    'server'.padEnd(26),
    'in flight',
    '   calls/s',
    ' p50 ms',
    ' p95 ms',
    ' p99 ms',
    ' vs echo',
    ' server CPU µs/call',
    ' PostgreSQL CPU µs/call',
    ' client CPU µs/call',
    ' errors',
  ].join(' ');
}

function formatRow(row: Row, rows: Row[], fixedRatio?: number): string {
  const r = row.result;
  const echo = [...rows].reverse().find((x) => x.label.startsWith('echo') && x.inFlight === row.inFlight);
  const ratio =
    fixedRatio !== undefined
      ? fixedRatio.toFixed(2)
      : echo && echo !== row
        ? (r.callsPerSecond / echo.result.callsPerSecond).toFixed(2)
        : '1.00';
  const n = (v: number, w: number, d = 0) => (Number.isNaN(v) ? '-' : v.toFixed(d)).padStart(w);
  return [
    row.label.padEnd(26),
    n(row.inFlight, 9),
    n(r.callsPerSecond, 10),
    n(r.p50Ms, 7, 2),
    n(r.p95Ms, 7, 2),
    n(r.p99Ms, 7, 2),
    ratio.padStart(8),
    n(row.serverCpuUs, 19),
    n(row.pgCpuUs, 23),
    n(r.clientCpuUsPerCall, 19),
    n(r.errors, 7),
  ].join(' ');
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor((sorted.length - 1) / 2)];
};

/** Medians of the rounds of one setting; the ratio is the median of each round's ratio to the echo just before it. */
function formatMedian(label: string, inFlight: number, rows: Row[]): string {
  const ratios: number[] = [];
  const echoes: Row[] = [];
  const mine: Row[] = [];
  rows.forEach((row, i) => {
    if (row.label !== label || row.inFlight !== inFlight) return;
    mine.push(row);
    const echo = rows[i - 1];
    if (echo?.label.startsWith('echo')) {
      echoes.push(echo);
      ratios.push(row.result.callsPerSecond / echo.result.callsPerSecond);
    }
  });
  const line = (name: string, of: Row[], ratio: number) =>
    formatRow(
      {
        label: name,
        inFlight,
        serverCpuUs: median(of.map((r) => r.serverCpuUs)),
        pgCpuUs: median(of.map((r) => r.pgCpuUs)),
        result: {
          ...of[0].result,
          callsPerSecond: median(of.map((r) => r.result.callsPerSecond)),
          p50Ms: median(of.map((r) => r.result.p50Ms)),
          p95Ms: median(of.map((r) => r.result.p95Ms)),
          p99Ms: median(of.map((r) => r.result.p99Ms)),
          clientCpuUsPerCall: median(of.map((r) => r.result.clientCpuUsPerCall)),
          errors: of.reduce((n, r) => n + r.result.errors, 0),
        },
      },
      [],
      ratio,
    );
  return `${line('echo (bare grpc-js)', echoes, 1)}\n${line(label, mine, median(ratios))}`;
}

function summarizeOutcomes(rows: Row[], method: protoLoader.MethodDefinition<object, object>): void {
  const tally = new Map<string, number>();
  for (const row of rows) {
    for (const sample of row.result.samples) {
      const answer = method.responseDeserialize(Buffer.from(sample, 'base64')) as {
        status: string;
        reason: string;
      };
      const key =
        answer.status === 'COVERAGE_STATUS_COVERED'
          ? 'COVERED'
          : answer.reason.replace('NOT_COVERED_REASON_', '');
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
  }
  const total = [...tally.values()].reduce((a, b) => a + b, 0);
  say(
    `answers (sample of ${total}): ${[...tally].map(([k, v]) => `${k} ${((v / total) * 100).toFixed(0)} %`).join(', ')}`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:lookup failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
