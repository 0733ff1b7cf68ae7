import type { ClientJob, ClientResult } from './client';
import type { Row, Server } from './report';
import { PATH } from './working-set';
import { cpuMsOfTree, runNode } from '../support/processes';

/** What every phase of a run sends: the client's settings. */
export interface Load {
  apiKey: string;
  /** The working set's requests (see working-set.ts). */
  payloadsFile: string;
  threads: number;
  warmupMs: number;
  durationMs: number;
}

/**
 * One server driven by the load client at `inFlight` calls in flight: the client's figures, and
 * the CPU the server (and PostgreSQL, when given) spent per call over the same time.
 */
export async function phase(
  server: Server,
  round: number,
  pgPid: number | undefined,
  inFlight: number,
  load: Load,
): Promise<Row> {
  const { label, target, pid: serverPid } = server;
  const job: ClientJob = {
    target,
    path: PATH,
    payloadsFile: load.payloadsFile,
    apiKey: load.apiKey,
    concurrency: inFlight,
    threads: load.threads,
    warmupMs: load.warmupMs,
    durationMs: load.durationMs,
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
