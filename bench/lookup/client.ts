import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { cpuUsage } from 'node:process';

/**
 * The load generator: a process of its own, so that its CPU is not the server's. It runs
 * `threads` worker threads, each with one HTTP/2 connection and concurrency/threads calls in
 * flight, for a warm-up and then a measured window; it prints one JSON line with the calls
 * completed in the window and every call's latency percentiles.
 *
 * Requests are pre-encoded protobuf and answers are kept as bytes (identity serializers), so
 * the client does the same work whatever server it drives: the lookup gateway or the echo.
 * A sample of lookup answers is decoded afterwards to check what the server said.
 */

export interface ClientJob {
  target: string;
  /** gRPC method path, e.g. /vss.gateway.v1.CoverageService/LookupCoverage. */
  path: string;
  /** File with a JSON array of base64 request payloads, picked at random per call. */
  payloadsFile: string;
  apiKey: string;
  concurrency: number;
  threads: number;
  warmupMs: number;
  durationMs: number;
  /** Keep every n-th answer (bytes, base64) for the caller to decode; 0 keeps none. */
  sampleEvery: number;
  /** The CA to check the server against (TLS); plaintext without it. */
  caFile?: string;
}

export interface ClientResult {
  /** Answers in the measured window. */
  calls: number;
  /** Answers in all, warm-up included: what the server did while its CPU was measured. */
  allCalls: number;
  errors: number;
  errorCodes: Record<string, number>;
  seconds: number;
  callsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** CPU time of this client process per completed call, all threads. */
  clientCpuUsPerCall: number;
  samples: string[];
}

interface ThreadResult {
  calls: number;
  allCalls: number;
  errors: number;
  errorCodes: Record<string, number>;
  latenciesUs: Float64Array;
  samples: string[];
}

const identity = (b: Buffer) => b;

function runThread(job: ClientJob, inFlight: number): Promise<ThreadResult> {
  const payloads = (JSON.parse(readFileSync(job.payloadsFile, 'utf8')) as string[]).map((p) =>
    Buffer.from(p, 'base64'),
  );
  const client = new grpc.Client(
    job.target,
    job.caFile ? grpc.credentials.createSsl(readFileSync(job.caFile)) : grpc.credentials.createInsecure(),
  );
  const metadata = new grpc.Metadata();
  metadata.set('x-api-key', job.apiKey);
  let latencies = new Float64Array(1 << 16);
  let calls = 0;
  let allCalls = 0;
  let errors = 0;
  const errorCodes: Record<string, number> = {};
  const samples: string[] = [];
  let measuring = false;
  let running = true;
  let seed = (Math.random() * 2 ** 31) | 0 || 1;
  const nextIndex = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % payloads.length;
  };
  return new Promise((resolve) => {
    let active = 0;
    const fire = () => {
      active++;
      const started = process.hrtime.bigint();
      client.makeUnaryRequest(
        job.path,
        identity,
        identity,
        payloads[nextIndex()],
        metadata,
        (error: grpc.ServiceError | null, answer?: Buffer) => {
          active--;
          if (!error) allCalls++;
          if (measuring) {
            if (error) {
              errors++;
              errorCodes[grpc.status[error.code]] = (errorCodes[grpc.status[error.code]] ?? 0) + 1;
            } else {
              if (calls === latencies.length) {
                const grown = new Float64Array(latencies.length * 2);
                grown.set(latencies);
                latencies = grown;
              }
              latencies[calls++] = Number(process.hrtime.bigint() - started) / 1000;
              if (job.sampleEvery > 0 && answer && calls % job.sampleEvery === 0 && samples.length < 2000) {
                samples.push(answer.toString('base64'));
              }
            }
          }
          if (running) fire();
          else if (active === 0) {
            client.close();
            resolve({ calls, allCalls, errors, errorCodes, latenciesUs: latencies.slice(0, calls), samples });
          }
        },
      );
    };
    for (let i = 0; i < inFlight; i++) fire();
    setTimeout(() => (measuring = true), job.warmupMs);
    setTimeout(() => {
      measuring = false;
      running = false;
    }, job.warmupMs + job.durationMs);
  });
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] / 1000;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]) as ClientJob;
  const cpuBefore = cpuUsage();
  const perThread = Array.from(
    { length: job.threads },
    (_, i) => Math.floor(job.concurrency / job.threads) + (i < job.concurrency % job.threads ? 1 : 0),
  );
  const results = await Promise.all(
    perThread.map(
      (inFlight) =>
        new Promise<ThreadResult>((resolve, reject) => {
          const worker = new Worker(__filename, { workerData: { job, inFlight } });
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    ),
  );
  const cpu = cpuUsage(cpuBefore);
  const all = new Float64Array(results.reduce((n, r) => n + r.latenciesUs.length, 0));
  let offset = 0;
  for (const r of results) {
    all.set(r.latenciesUs, offset);
    offset += r.latenciesUs.length;
  }
  all.sort();
  const calls = all.length;
  const errorCodes: Record<string, number> = {};
  for (const r of results)
    for (const [k, v] of Object.entries(r.errorCodes)) errorCodes[k] = (errorCodes[k] ?? 0) + v;
  const seconds = job.durationMs / 1000;
  const result: ClientResult = {
    calls,
    allCalls: results.reduce((n, r) => n + r.allCalls, 0),
    errors: results.reduce((n, r) => n + r.errors, 0),
    errorCodes,
    seconds,
    callsPerSecond: calls / seconds,
    p50Ms: percentile(all, 50),
    p95Ms: percentile(all, 95),
    p99Ms: percentile(all, 99),
    maxMs: calls ? all[calls - 1] / 1000 : NaN,
    clientCpuUsPerCall:
      (cpu.user + cpu.system) /
      Math.max(
        1,
        results.reduce((n, r) => n + r.allCalls, 0),
      ),
    samples: results.flatMap((r) => r.samples),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (isMainThread) {
  main().catch((error: unknown) => {
    process.stderr.write(`load client failed: ${String(error)}\n`);
    process.exit(1);
  });
} else {
  const { job, inFlight } = workerData as { job: ClientJob; inFlight: number };
  void runThread(job, inFlight).then((r) => parentPort?.postMessage(r));
}
