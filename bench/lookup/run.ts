import 'reflect-metadata';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PROTO_LOADER_OPTIONS, protoRoot } from '@vss/contracts';
import { freePort } from '@vss/persistence';
import { vietnamDate } from '@vss/domain';
import { ensurePki } from '@vss/pki';
import { registerTrust } from '../../tools/trust';
import { readFileSync } from 'node:fs';
import type { ClientJob, ClientResult } from './client';
import { auditCount, clinicKey, prepareDatabase, sampleIds, type SampledIds } from './population';
import { type BenchProcess, cpuMsOfTree, runNode, startNode } from '../support/processes';
import {
  CACHED,
  CACHED_PLAINTEXT,
  LIMITS_OFF,
  ECHO,
  ECHO_TLS,
  formatRow,
  gatewayCounters,
  header,
  medianRatio,
  medianRow,
  NEST_ECHO,
  ratioToEcho,
  type Row,
  type Server,
  summarizeOutcomes,
  UNCACHED,
} from './report';

/**
 * `npm run bench:lookup [-- --size N --duration S --warmup S --working-set N --threads N --rounds N
 *   --data-dir DIR --skip-uncached --env KEY=VALUE --cpu-prof DIR]`
 *
 * Seeds a population (1,000,000 people by default) into a fresh database, starts the registry
 * and the gateway as processes of their own, and drives LookupCoverage from a separate client
 * process (worker threads, 64 calls in flight) over a mix of covered, expired, deceased and
 * unknown citizen IDs. In the same run the same client drives a bare grpc-js unary server that
 * answers with the same number of bytes: the ratio of the two throughputs is the figure that
 * survives a noisy machine. Then the same at 32 in flight, for latency.
 *
 * The servers take turns, round after round: the bare echo in plaintext and over TLS; the same
 * proto served by NestJS over TLS with an instant answer (the framework's floor); the gateway as
 * shipped (TLS, hash-chained audit, coverage cache on); the same gateway in plaintext (the
 * development switch), for the cost of TLS; and, unless --skip-uncached, a TLS gateway with the
 * cache off, where every lookup reads PostgreSQL. TLS servers are compared with the TLS echo,
 * plaintext ones with the plaintext echo. The CPU each process spent per call says where the
 * time goes.
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
    /** Extra gateway settings, KEY=VALUE, e.g. --env AUDIT_FLUSH_MS=4 (both gateways). */
    env: { type: 'string', multiple: true, default: [] },
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

async function main(): Promise<void> {
  say(
    `lookup benchmark: ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} at start`,
  );
  const today = vietnamDate(Date.now());
  const db = await prepareDatabase({
    size: SIZE,
    databaseUrl: process.env.DATABASE_URL,
    dataDir: opts['data-dir'],
  });
  const processes: BenchProcess[] = [];
  const pki = join(tmpdir(), `vss-bench-lookup-pki-${process.pid}`);
  const payloadsFile = join(tmpdir(), `vss-bench-lookup-payloads-${process.pid}.json`);
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
    const payloads = workingSet(ids).map((citizenId) =>
      method.requestSerialize({ citizenId, facilityCode, visitDate: '' }).toString('base64'),
    );
    writeFileSync(payloadsFile, JSON.stringify(payloads));
    say(
      `working set: ${payloads.length.toLocaleString('en')} lookups (${MIX.map(([k, s]) => `${s * 100} % ${k}: ${ids[k].length.toLocaleString('en')} IDs`).join(', ')})`,
    );

    const profile = opts['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${opts['cpu-prof']}`] : [];
    await ensurePki(pki);
    await registerTrust(db.url, pki);
    const file = (name: string) => join(pki, name);
    const tlsOf = (app: string) => ({
      TLS_CA_FILE: file('ca.crt'),
      TLS_CERT_FILE: file(`${app}.crt`),
      TLS_KEY_FILE: file(`${app}.key`),
    });
    const startRegistry = async (name: string, env: Record<string, string>) => {
      const port = await freePort();
      const registry = startNode(name, 'apps/population-registry/src/main.js', {
        DATABASE_URL: db.url,
        REGISTRY_GRPC_PORT: String(port),
        LOG_LEVEL: 'info',
        ...env,
      });
      processes.push(registry);
      await registry.waitFor(/population registry serving/);
      return port;
    };
    const registryPort = await startRegistry('registry', tlsOf('population-registry'));
    const plaintextRegistryPort = await startRegistry('registry-plaintext', { VSS_PLAINTEXT: 'true' });
    const startGateway = async (name: string, env: Record<string, string>, tls = true) => {
      const port = await freePort();
      const httpPort = await freePort();
      const operatorPort = await freePort();
      const gateway = startNode(
        name,
        'apps/gateway/src/main.js',
        {
          DATABASE_URL: db.url,
          GATEWAY_GRPC_PORT: String(port),
          GATEWAY_HTTP_PORT: String(httpPort),
          OPERATOR_HTTP_PORT: String(operatorPort),
          REGISTRY_ADDRESS: `127.0.0.1:${tls ? registryPort : plaintextRegistryPort}`,
          LOG_LEVEL: 'info',
          AUDIT_SIGNING_KEY_FILE: file('audit-signing.key'),
          ...(tls ? tlsOf('gateway') : { VSS_PLAINTEXT: 'true' }),
          ...Object.fromEntries((opts.env ?? []).map((kv) => kv.split(/=(.*)/s, 2))),
          ...env,
        },
        { nodeArgs: profile },
      );
      processes.push(gateway);
      await gateway.waitFor(/gateway serving/);
      const metrics = {
        url: `${tls ? 'https' : 'http'}://127.0.0.1:${operatorPort}/metrics`,
        ca: readFileSync(file('ca.crt')),
        cert: readFileSync(file('cli.crt')),
        key: readFileSync(file('cli.key')),
      };
      return { gateway, target: `127.0.0.1:${port}`, metrics };
    };

    const cached = await startGateway('gateway', {});
    const answerBytes = await probe(cached.target, apiKey, ids, facilityCode, method, file('ca.crt'));
    const servers: Server[] = [];
    const startEcho = async (label: string, args: string[], tls: boolean) => {
      const port = await freePort();
      const echo = startNode(
        label,
        'bench/lookup/echo-server.js',
        {},
        { args: [String(port), String(answerBytes), ...args] },
      );
      processes.push(echo);
      await echo.waitFor(/echo serving/);
      servers.push({
        label,
        target: `127.0.0.1:${port}`,
        pid: echo.child.pid!,
        caFile: tls ? file('ca.crt') : undefined,
      });
    };
    await startEcho(ECHO, [], false);
    await startEcho(ECHO_TLS, [file('gateway.crt'), file('gateway.key')], true);
    const nestPort = await freePort();
    const nestEcho = startNode(
      'nest-echo',
      'bench/lookup/nest-echo-server.js',
      {},
      {
        args: [String(nestPort), file('ca.crt'), file('gateway.crt'), file('gateway.key')],
        nodeArgs: profile,
      },
    );
    processes.push(nestEcho);
    await nestEcho.waitFor(/nest echo serving/);
    servers.push({
      label: NEST_ECHO,
      target: `127.0.0.1:${nestPort}`,
      pid: nestEcho.child.pid!,
      caFile: file('ca.crt'),
    });
    servers.push({
      label: CACHED,
      target: cached.target,
      pid: cached.gateway.child.pid!,
      metrics: cached.metrics,
      caFile: file('ca.crt'),
    });
    // The same gateway with the per-caller limits switched off: what the limiter costs a call.
    const limitsOff = await startGateway('gateway-no-limits', { CALLER_LIMITS_ENABLED: 'false' });
    servers.push({
      label: LIMITS_OFF,
      target: limitsOff.target,
      pid: limitsOff.gateway.child.pid!,
      metrics: limitsOff.metrics,
      caFile: file('ca.crt'),
    });
    const plaintext = await startGateway('gateway-plaintext', {}, false);
    servers.push({
      label: CACHED_PLAINTEXT,
      target: plaintext.target,
      pid: plaintext.gateway.child.pid!,
      metrics: { ...plaintext.metrics },
    });
    if (!opts['skip-uncached']) {
      const uncached = await startGateway('gateway-uncached', { COVERAGE_CACHE_ENTRIES: '0' });
      servers.push({
        label: UNCACHED,
        target: uncached.target,
        pid: uncached.gateway.child.pid!,
        metrics: uncached.metrics,
        caFile: file('ca.crt'),
      });
    }

    const auditBefore = await auditCount(db.url);
    const rows: Row[] = [];
    let lookupsAnswered = 0; // the probes ran before auditBefore
    // The servers take turns, round after round, so that all see the same spells of a shared machine.
    say();
    say(header());
    for (const inFlight of [64, 32]) {
      for (let round = 0; round < Number(opts.rounds); round++) {
        for (const server of servers) {
          const row = await phase(server, round, db.serverPid, inFlight, apiKey, payloadsFile);
          rows.push(row);
          if (server.label.startsWith('LookupCoverage')) lookupsAnswered += row.result.allCalls;
          say(formatRow(row, ratioToEcho(row, rows)));
        }
      }
    }
    say(summarizeOutcomes(rows, method));
    for (const server of servers) if (server.metrics) say(await gatewayCounters(server));
    say();
    say(`medians of ${opts.rounds} rounds:`);
    say(header());
    for (const inFlight of [64, 32]) {
      for (const server of servers)
        say(formatRow(medianRow(server.label, inFlight, rows), medianRatio(server.label, inFlight, rows)));
    }
    for (const inFlight of [64, 32]) {
      const on = medianRow(CACHED, inFlight, rows).serverCpuUs;
      const off = medianRow(LIMITS_OFF, inFlight, rows).serverCpuUs;
      say(
        `per-caller limits at ${inFlight} in flight: ${on.toFixed(0)} µs of gateway CPU per call with them, ${off.toFixed(0)} without (${(((on - off) / off) * 100).toFixed(1)} %)`,
      );
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
    rmSync(payloadsFile, { force: true });
    rmSync(pki, { recursive: true, force: true });
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

/** One lookup of each kind: checks the gateway answers as expected and measures answer sizes. */
async function probe(
  target: string,
  apiKey: string,
  ids: SampledIds,
  facilityCode: string,
  method: protoLoader.MethodDefinition<object, object>,
  caFile: string,
): Promise<number> {
  const client = new grpc.Client(target, grpc.credentials.createSsl(readFileSync(caFile)));
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
  server: Server,
  round: number,
  pgPid: number | undefined,
  inFlight: number,
  apiKey: string,
  payloadsFile: string,
): Promise<Row> {
  const { label, target, pid: serverPid } = server;
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
    caFile: server.caFile,
  };
  const serverBefore = cpuMsOfTree(serverPid);
  const pgBefore = pgPid ? cpuMsOfTree(pgPid) : NaN;
  const result = JSON.parse(await runNode('bench/lookup/client.js', [JSON.stringify(job)])) as ClientResult;
  const calls = Math.max(1, result.allCalls);
  return {
    label,
    round,
    inFlight,
    result,
    serverCpuUs: ((cpuMsOfTree(serverPid) - serverBefore) * 1000) / calls,
    pgCpuUs: pgPid ? ((cpuMsOfTree(pgPid) - pgBefore) * 1000) / calls : NaN,
  };
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:lookup failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
