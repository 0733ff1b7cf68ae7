import type * as protoLoader from '@grpc/proto-loader';
import { get as httpGet } from 'node:http';
import { get } from 'node:https';
import type { ClientResult } from './client';

/** The tables bench:lookup prints: one row per run, medians per server, and what the gateways counted. */

export const ECHO = 'echo (grpc-js, plaintext)';
export const ECHO_TLS = 'echo (grpc-js, TLS)';
export const NEST_ECHO = 'echo (NestJS, TLS)';
export const CACHED = 'LookupCoverage, TLS';
export const CACHED_PLAINTEXT = 'LookupCoverage, plaintext';
export const UNCACHED = 'LookupCoverage, TLS no cache';
export const LIMITS_OFF = 'LookupCoverage, TLS no limits';
/** The servers measured without TLS: their ratio is to the plaintext echo, every other one's to the TLS echo. */
const PLAINTEXT = new Set([ECHO, CACHED_PLAINTEXT]);

export interface Server {
  label: string;
  target: string;
  pid: number;
  /** The gateway's Prometheus endpoint (operator port, client certificate required). */
  metrics?: { url: string; ca: Buffer; cert: Buffer; key: Buffer };
  /** The CA the client checks a TLS server against; plaintext without it. */
  caFile?: string;
}

export interface Row {
  label: string;
  round: number;
  inFlight: number;
  result: ClientResult;
  serverCpuUs: number;
  pgCpuUs: number;
}

export function header(): string {
  return [
    'server'.padEnd(28),
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

export function formatRow(row: Row, ratio: number): string {
  const r = row.result;
  // A figure of a phase with no answered call is NaN, null once it has been through JSON.
  const n = (v: number | null, w: number, d = 0) =>
    (v === null || Number.isNaN(v) ? '-' : v.toFixed(d)).padStart(w);
  return [
    row.label.padEnd(28),
    n(row.inFlight, 9),
    n(r.callsPerSecond, 10),
    n(r.p50Ms, 7, 2),
    n(r.p95Ms, 7, 2),
    n(r.p99Ms, 7, 2),
    n(ratio, 8, 2),
    n(row.serverCpuUs, 19),
    n(row.pgCpuUs, 23),
    n(r.clientCpuUsPerCall, 19),
    n(r.errors, 7),
    Object.keys(r.errorCodes).length > 0 ? ` ${JSON.stringify(r.errorCodes)}` : '',
  ].join(' ');
}

/** Throughput relative to the bare echo of the same round, concurrency and transport (TLS or not). */
export function ratioToEcho(row: Row, rows: Row[]): number {
  const baseline = PLAINTEXT.has(row.label) ? ECHO : ECHO_TLS;
  const echo = rows.find((r) => r.label === baseline && r.round === row.round && r.inFlight === row.inFlight);
  return echo ? row.result.callsPerSecond / echo.result.callsPerSecond : NaN;
}

export const median = (values: number[]) => {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor((sorted.length - 1) / 2)];
};

/** The median of each figure over the rounds (each figure on its own). */
export function medianRow(label: string, inFlight: number, rows: Row[]): Row {
  const of = rows.filter((r) => r.label === label && r.inFlight === inFlight);
  const m = (f: (r: Row) => number) => median(of.map(f));
  return {
    label,
    round: -1,
    inFlight,
    serverCpuUs: m((r) => r.serverCpuUs),
    pgCpuUs: m((r) => r.pgCpuUs),
    result: {
      ...of[0].result,
      callsPerSecond: m((r) => r.result.callsPerSecond),
      p50Ms: m((r) => r.result.p50Ms),
      p95Ms: m((r) => r.result.p95Ms),
      p99Ms: m((r) => r.result.p99Ms),
      clientCpuUsPerCall: m((r) => r.result.clientCpuUsPerCall),
      errors: of.reduce((n, r) => n + r.result.errors, 0),
    },
  };
}

/** The median of the per-round ratios: each round's servers ran back to back under the same load. */
export function medianRatio(label: string, inFlight: number, rows: Row[]): number {
  return median(
    rows.filter((r) => r.label === label && r.inFlight === inFlight).map((r) => ratioToEcho(r, rows)),
  );
}

/** What the gateway's counters say about its cache and its group commit over the whole run. */
export async function gatewayCounters(server: Server): Promise<string> {
  const m = server.metrics!;
  const text = await new Promise<string>((resolve, reject) =>
    (m.url.startsWith('https:') ? get : httpGet)(m.url, { ca: m.ca, cert: m.cert, key: m.key }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject),
  );
  const value = (name: string) =>
    Number(/^(\S+) (\S+)$/m.exec(text.split('\n').find((l) => l.startsWith(`${name} `)) ?? '')?.[2] ?? NaN);
  const hits = value('vss_coverage_cache_hits_total');
  const misses = value('vss_coverage_cache_misses_total');
  const queries = value('vss_coverage_queries_total');
  const batches = value('vss_audit_batches_total');
  const entries = value('vss_audit_entries_total');
  return (
    `${server.label}: cache hits ${((hits / (hits + misses)) * 100).toFixed(1)} %, ` +
    `${(misses / queries).toFixed(1)} lookups per coverage query, ` +
    `${(entries / batches).toFixed(1)} audit entries per commit`
  );
}

/** The outcomes of the sampled lookup answers, in shares. */
export function summarizeOutcomes(rows: Row[], method: protoLoader.MethodDefinition<object, object>): string {
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
  return `answers (sample of ${total}): ${[...tally].map(([k, v]) => `${k} ${((v / total) * 100).toFixed(0)} %`).join(', ')}`;
}

/** The median over rounds of a figure of one server against the same figure of another in the same round. */
export function medianRatioTo(
  label: string,
  baseline: string,
  inFlight: number,
  rows: Row[],
  figure: (r: Row) => number,
): number {
  return median(
    rows
      .filter((r) => r.label === label && r.inFlight === inFlight)
      .map((r) => {
        const base = rows.find((b) => b.label === baseline && b.round === r.round && b.inFlight === inFlight);
        return base ? figure(r) / figure(base) : NaN;
      }),
  );
}
