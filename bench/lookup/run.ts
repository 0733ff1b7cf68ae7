import 'reflect-metadata';
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
import { type Load, phase } from './phase';
import {
  auditCount,
  clinicKey,
  metricsCertificate,
  prepareDatabase,
  sampleIds,
  type SampledIds,
} from './population';
import { MIX, probe, workingSet } from './working-set';
import { type BenchProcess, DIST, startNode } from '../support/processes';
import { LookupProfiler } from './profile';
import { enableStatements, STATEMENT_SETTINGS } from './statements';
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
  medianRatioTo,
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
 *   --data-dir DIR --skip-uncached --env KEY=VALUE --pg NAME=VALUE --profile --profile-dir DIR --quick
 *   --without audit-entry,presence]`
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
    /** Settings of the embedded PostgreSQL, NAME=VALUE, e.g. --pg shared_buffers=256MB. */
    pg: { type: 'string', multiple: true, default: [] },
    /**
     * Where a call's CPU goes: V8 CPU profiles of the shipped gateway and the NestJS echo over the
     * phases at 64 in flight, pg_stat_statements and per-process CPU of PostgreSQL (see profile.ts).
     */
    profile: { type: 'boolean', default: false },
    /** Where the profiles are kept (chrome://inspect, speedscope); a temporary folder by default. */
    'profile-dir': { type: 'string' },
    /**
     * Only the NestJS echo and the shipped gateway, 64 in flight: the comparison the lookup's
     * target is set on, in a third of the time, for trying a change.
     */
    quick: { type: 'boolean', default: false },
    /**
     * Parts taken away from the shipped gateway, comma-separated (without-preload.ts): what the
     * lookup would reach without them. A ceiling to reason with; the run says so.
     */
    without: { type: 'string' },
  },
});
const SIZE = Number(opts.size);
/** The embedded server's settings beyond its defaults (none yet). */
const SERVER_SETTINGS: Record<string, string> = {};
const WORKING_SET = Number(opts['working-set']);
const QUICK = opts.quick === true;
const IN_FLIGHT = QUICK ? [64] : [64, 32];
const TAKEN_AWAY = (opts.without ?? '').split(',').filter(Boolean);
const PARTS_TAKEN_AWAY = ['audit-entry', 'presence'];
for (const part of TAKEN_AWAY) {
  if (!PARTS_TAKEN_AWAY.includes(part)) {
    process.stderr.write(
      `--without ${part}: the parts that can be taken away are ${PARTS_TAKEN_AWAY.join(', ')}\n`,
    );
    process.exit(2);
  }
}
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
    settings: {
      ...SERVER_SETTINGS,
      ...(opts.profile ? STATEMENT_SETTINGS : {}),
      ...Object.fromEntries((opts.pg ?? []).map((kv) => kv.split(/=(.*)/s, 2))),
    },
  });
  const profileDir = opts['profile-dir'] ?? join(tmpdir(), `vss-bench-lookup-profiles-${process.pid}`);
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
    const payloads = workingSet(ids, WORKING_SET).map((citizenId) =>
      method.requestSerialize({ citizenId, facilityCode, visitDate: '' }).toString('base64'),
    );
    writeFileSync(payloadsFile, JSON.stringify(payloads));
    say(
      `working set: ${payloads.length.toLocaleString('en')} lookups (${MIX.map(([k, s]) => `${s * 100} % ${k}: ${ids[k].length.toLocaleString('en')} IDs`).join(', ')})`,
    );

    const profiler = opts.profile ? new LookupProfiler(profileDir, db.url, db.serverPid) : undefined;
    if (profiler && !(await enableStatements(db.url))) {
      say('pg_stat_statements is not loaded by this PostgreSQL: its statements are not shown');
    }
    await ensurePki(pki);
    await registerTrust(db.url, pki);
    const operatorCertificate = await metricsCertificate(db.url, pki);
    const file = (name: string) => join(pki, name);
    const tlsOf = (app: string) => ({
      TLS_CA_FILE: file('ca.crt'),
      TLS_CERT_FILE: file(`${app}.crt`),
      TLS_KEY_FILE: file(`${app}.key`),
    });
    const startRegistry = async (name: string, env: Record<string, string>) => {
      const port = await freePort();
      const registry = startNode(
        name,
        'apps/population-registry/src/main.js',
        { DATABASE_URL: db.url, REGISTRY_GRPC_PORT: String(port), LOG_LEVEL: 'info', ...env },
        // The registry's whole life, written as it stops: what a presence call costs it.
        { nodeArgs: opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, name)}`] : [] },
      );
      processes.push(registry);
      await registry.waitFor(/population registry serving/);
      return port;
    };
    const registryPort = await startRegistry('registry', tlsOf('population-registry'));
    if (profiler) profiler.registryPid = processes[processes.length - 1].child.pid;
    const plaintextRegistryPort = QUICK
      ? 0
      : await startRegistry('registry-plaintext', { VSS_PLAINTEXT: 'true' });
    const startGateway = async (name: string, env: Record<string, string>, tls = true) => {
      const profiled = profiler && name === 'gateway' ? profiler.launch(name) : undefined;
      const takenAway = name === 'gateway' && TAKEN_AWAY.length > 0;
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
          ...profiled?.env,
          ...(takenAway ? { BENCH_WITHOUT: TAKEN_AWAY.join(',') } : {}),
        },
        {
          nodeArgs: [
            ...(profiled?.nodeArgs ?? []),
            ...(takenAway ? ['--require', join(DIST, 'bench/lookup/without-preload.js')] : []),
          ],
          ipc: profiled?.ipc,
        },
      );
      processes.push(gateway);
      await gateway.waitFor(/gateway serving/);
      if (profiled) profiler!.follow(CACHED, gateway, name, true);
      const metrics = {
        url: `${tls ? 'https' : 'http'}://127.0.0.1:${operatorPort}/metrics`,
        ca: readFileSync(file('ca.crt')),
        ...operatorCertificate,
      };
      return { gateway, target: `127.0.0.1:${port}`, metrics };
    };

    const cached = await startGateway('gateway', {});
    if (TAKEN_AWAY.length > 0) {
      say(
        `NOT AS SHIPPED: "${CACHED}" runs without ${TAKEN_AWAY.join(' and ')} (bench/lookup/without-preload.ts): a ceiling, not the product`,
      );
    }
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
    if (!QUICK) {
      await startEcho(ECHO, [], false);
      await startEcho(ECHO_TLS, [file('gateway.crt'), file('gateway.key')], true);
    }
    const nestPort = await freePort();
    const nestProfiled = profiler?.launch('nest-echo');
    const nestEcho = startNode('nest-echo', 'bench/lookup/nest-echo-server.js', nestProfiled?.env ?? {}, {
      args: [String(nestPort), file('ca.crt'), file('gateway.crt'), file('gateway.key')],
      nodeArgs: nestProfiled?.nodeArgs,
      ipc: nestProfiled?.ipc,
    });
    processes.push(nestEcho);
    await nestEcho.waitFor(/nest echo serving/);
    profiler?.follow(NEST_ECHO, nestEcho, 'nest-echo', false);
    servers.push({
      label: NEST_ECHO,
      target: `127.0.0.1:${nestPort}`,
      pid: nestEcho.child.pid!,
      caFile: file('ca.crt'),
    });
    const gatewayServer = (
      label: string,
      g: Awaited<ReturnType<typeof startGateway>>,
      tls = true,
    ): Server => ({
      label,
      target: g.target,
      pid: g.gateway.child.pid!,
      metrics: g.metrics,
      caFile: tls ? file('ca.crt') : undefined,
    });
    servers.push(gatewayServer(CACHED, cached));
    if (!QUICK) {
      // The same gateway with the per-caller limits switched off: what the limiter costs a call.
      servers.push(
        gatewayServer(
          LIMITS_OFF,
          await startGateway('gateway-no-limits', { CALLER_LIMITS_ENABLED: 'false' }),
        ),
      );
      servers.push(
        gatewayServer(CACHED_PLAINTEXT, await startGateway('gateway-plaintext', {}, false), false),
      );
      if (!opts['skip-uncached']) {
        servers.push(
          gatewayServer(UNCACHED, await startGateway('gateway-uncached', { COVERAGE_CACHE_ENTRIES: '0' })),
        );
      }
    }

    // For a system profiler (perf-parts.ts): which process is which.
    say(`processes: ${servers.map((s) => `${s.label} ${s.pid}`).join(', ')}`);
    const load: Load = {
      apiKey,
      payloadsFile,
      threads: Number(opts.threads),
      warmupMs: Number(opts.warmup) * 1000,
      durationMs: Number(opts.duration) * 1000,
    };
    const auditBefore = await auditCount(db.url);
    const rows: Row[] = [];
    let lookupsAnswered = 0; // the probes ran before auditBefore
    // The servers take turns, round after round, so that all see the same spells of a shared machine.
    say();
    say(header());
    for (const inFlight of IN_FLIGHT) {
      for (let round = 0; round < Number(opts.rounds); round++) {
        for (const server of servers) {
          const profiled = inFlight === 64 ? await profiler?.start(server.label) : undefined;
          const row = await phase(server, round, db.serverPid, inFlight, load);
          await profiler?.stop(server.label, profiled, row.result.allCalls);
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
    for (const inFlight of IN_FLIGHT) {
      for (const server of servers)
        say(formatRow(medianRow(server.label, inFlight, rows), medianRatio(server.label, inFlight, rows)));
    }
    for (const inFlight of QUICK ? [] : IN_FLIGHT) {
      const on = medianRow(CACHED, inFlight, rows).serverCpuUs;
      const off = medianRow(LIMITS_OFF, inFlight, rows).serverCpuUs;
      say(
        `per-caller limits at ${inFlight} in flight: ${on.toFixed(0)} µs of gateway CPU per call with them, ${off.toFixed(0)} without (${(((on - off) / off) * 100).toFixed(1)} %)`,
      );
    }
    for (const inFlight of IN_FLIGHT) {
      const against = (figure: (r: Row) => number) =>
        medianRatioTo(CACHED, NEST_ECHO, inFlight, rows, figure).toFixed(2);
      say(
        `${CACHED} at ${inFlight} in flight against the NestJS TLS echo of the same round (medians): ${against((r) => r.result.callsPerSecond)}× its calls/s, ${against((r) => r.result.p99Ms)}× its p99`,
      );
    }
    if (profiler) {
      say();
      say(profiler.report(`64 in flight, ${opts.rounds} rounds`));
      say(`profiles: ${profileDir}`);
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

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:lookup failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
