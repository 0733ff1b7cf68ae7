import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BenchProcess, cpuMsByProcess, DIST, threadCpuMs } from '../support/processes';
import { type CpuProfile, PARTS, partsOf } from './parts';
import {
  isBackend,
  mergeStatements,
  readStatements,
  resetStatements,
  shortQuery,
  type Statement,
} from './statements';

/**
 * bench:lookup --profile: for the servers it follows (the shipped gateway and the NestJS echo), a V8
 * CPU profile of the main thread over exactly the phases measured at one setting, the CPU of each
 * thread from /proc over the same phases, and for the gateway what PostgreSQL ran
 * (pg_stat_statements) and how its processes spent their CPU. `report` prints where a call's CPU
 * went, part by part, beside the measured totals.
 */

/** V8's sampling interval in the followed servers. */
const PROFILE_INTERVAL_US = 500;

interface Followed {
  label: string;
  process: BenchProcess;
  dir: string;
  written: number;
  calls: number;
  mainMs: number;
  othersMs: number;
  /** Whether PostgreSQL and the registry are read for it. */
  database: boolean;
  statements: Statement[];
  backendMs: number;
  backgroundMs: number;
  registryMs: number;
}

interface Reading {
  threads: { main: number; others: number };
  pg?: Map<number, { command: string; ms: number }>;
  registryMs?: number;
}

export class LookupProfiler {
  private readonly followed = new Map<string, Followed>();
  /** The population registry, whose CPU the gateway's identity checks cost. */
  registryPid: number | undefined;

  constructor(
    private readonly root: string,
    private readonly adminUrl: string | undefined,
    private readonly pgPid: number | undefined,
  ) {}

  /** What a followed server is started with: the preload that answers over IPC, and where it writes. */
  launch(name: string): { nodeArgs: string[]; env: Record<string, string>; ipc: true } {
    const dir = join(this.root, name);
    mkdirSync(dir, { recursive: true });
    return {
      nodeArgs: ['--require', join(DIST, 'bench/lookup/profiler-preload.js')],
      env: { BENCH_PROFILE_DIR: dir, BENCH_PROFILE_INTERVAL_US: String(PROFILE_INTERVAL_US) },
      ipc: true,
    };
  }

  follow(label: string, process: BenchProcess, name: string, database: boolean): void {
    this.followed.set(label, {
      label,
      process,
      dir: join(this.root, name),
      written: 0,
      calls: 0,
      mainMs: 0,
      othersMs: 0,
      database,
      statements: [],
      backendMs: 0,
      backgroundMs: 0,
      registryMs: 0,
    });
  }

  async start(label: string): Promise<Reading | undefined> {
    const f = this.followed.get(label);
    if (!f) return undefined;
    if (f.database && this.adminUrl) await resetStatements(this.adminUrl);
    f.process.child.send('profile');
    await f.process.waitFor(new RegExp(`bench profile ${f.written + 1} started`));
    return this.read(f);
  }

  async stop(label: string, before: Reading | undefined, calls: number): Promise<void> {
    const f = this.followed.get(label);
    if (!f || !before) return;
    const after = this.read(f);
    f.process.child.send('profile');
    await f.process.waitFor(new RegExp(`bench profile ${f.written + 1} written`));
    f.written++;
    f.calls += calls;
    f.mainMs += after.threads.main - before.threads.main;
    f.othersMs += after.threads.others - before.threads.others;
    if (f.database && this.adminUrl) f.statements.push(...(await readStatements(this.adminUrl)));
    if (before.pg && after.pg) {
      for (const [pid, { command, ms }] of after.pg) {
        const spent = ms - (before.pg.get(pid)?.ms ?? 0);
        if (isBackend(command)) f.backendMs += spent;
        else f.backgroundMs += spent;
      }
    }
    if (before.registryMs !== undefined && after.registryMs !== undefined) {
      f.registryMs += after.registryMs - before.registryMs;
    }
  }

  private read(f: Followed): Reading {
    const registry = this.registryPid;
    return {
      threads: threadCpuMs(f.process.child.pid!),
      pg: f.database && this.pgPid ? cpuMsByProcess(this.pgPid) : undefined,
      registryMs:
        f.database && registry
          ? [...cpuMsByProcess(registry).values()].reduce((sum, p) => sum + p.ms, 0)
          : undefined,
    };
  }

  /** The tables of parts, one column per followed server, in µs per call. */
  report(setting: string): string {
    const servers = [...this.followed.values()].filter((f) => f.calls > 0);
    if (servers.length === 0) return '';
    const parts = servers.map((f) =>
      partsOf(
        Array.from(
          { length: f.written },
          (_, i) => JSON.parse(readFileSync(join(f.dir, `${i + 1}.cpuprofile`), 'utf8')) as CpuProfile,
        ),
      ),
    );
    const us = (ms: number, f: Followed) => (ms * 1000) / f.calls;
    const width = 72;
    const cols = servers.map((f) => Math.max(14, f.label.length));
    const line = (name: string, values: number[]) =>
      `${name.padEnd(width)} ${values.map((v, i) => (Number.isNaN(v) ? '-' : v.toFixed(1)).padStart(cols[i])).join('  ')}`;
    const out: string[] = [];
    out.push(
      `where a call's CPU goes, ${setting} (µs per call; ${servers.map((f) => `${f.label}: ${f.calls.toLocaleString('en')} calls`).join(', ')}):`,
    );
    out.push(
      `${'main thread: its measured CPU, split by the share of V8 profile samples'.padEnd(width)} ${servers.map((f, i) => f.label.padStart(cols[i])).join('  ')}`,
    );
    const main = servers.map((f) => us(f.mainMs, f));
    for (const part of PARTS) {
      out.push(
        line(
          `  ${part}`,
          parts.map((p, i) => (main[i] * p.samples.get(part)!) / Math.max(1, p.busySamples)),
        ),
      );
    }
    out.push(line('main thread, measured (/proc): the sum of the parts', main));
    const check = (name: string, values: number[]) =>
      `${name.padEnd(width)} ${values.map((v, i) => `${v.toFixed(1)} (${(((v - main[i]) / main[i]) * 100).toFixed(0)} %)`.padStart(cols[i])).join('  ')}`;
    out.push(
      check(
        `  the profile alone: busy samples × ${PROFILE_INTERVAL_US} µs`,
        parts.map((p, i) => us((p.busySamples * PROFILE_INTERVAL_US) / 1000, servers[i])),
      ),
    );
    out.push(
      check(
        '  the profile alone: busy wall-clock time',
        parts.map((p, i) => us(p.busyMs, servers[i])),
      ),
    );
    out.push(
      line(
        'other threads, measured (garbage collection helpers, libuv pool, the profiler)',
        servers.map((f) => us(f.othersMs, f)),
      ),
    );
    out.push(
      line(
        'process, measured',
        servers.map((f) => us(f.mainMs + f.othersMs, f)),
      ),
    );

    for (const f of servers.filter((s) => s.database)) {
      const statements = mergeStatements(f.statements);
      const top = statements.filter((s) => s.toplevel);
      const nested = statements.filter((s) => !s.toplevel);
      const inStatements = top.reduce((sum, s) => sum + s.ms, 0);
      out.push('');
      out.push(
        `PostgreSQL for ${f.label}, per call: the statements' time from pg_stat_statements (wall clock), the processes' CPU from /proc`,
      );
      out.push(
        `${'statement'.padEnd(width + 12)} ${'calls/call'.padStart(10)}  ${'plan µs'.padStart(8)}  ${'run µs'.padStart(8)}`,
      );
      const row = (name: string, calls: number | undefined, ms: number, planMs?: number) =>
        `${name.padEnd(width + 12)} ${(calls === undefined ? '' : (calls / f.calls).toFixed(3)).padStart(10)}  ${(planMs === undefined ? '' : us(planMs, f).toFixed(1)).padStart(8)}  ${us(
          ms - (planMs ?? 0),
          f,
        )
          .toFixed(1)
          .padStart(8)}`;
      for (const s of top.slice(0, 10))
        out.push(row(`  ${shortQuery(s.query, width + 8)}`, s.calls, s.ms, s.planMs));
      const rest = top.slice(10);
      if (rest.length > 0) {
        const sum = (f: (s: Statement) => number) => rest.reduce((n, s) => n + f(s), 0);
        out.push(
          row(
            `  ${rest.length} other statements`,
            sum((s) => s.calls),
            sum((s) => s.ms),
            sum((s) => s.planMs),
          ),
        );
      }
      for (const s of nested.slice(0, 6)) {
        out.push(row(`    inside a function: ${shortQuery(s.query, width - 12)}`, s.calls, s.ms, s.planMs));
      }
      out.push(row('  statements, all', undefined, inStatements));
      out.push(
        row('  backends outside statements (TLS, protocol, commit)', undefined, f.backendMs - inStatements),
      );
      out.push(
        row('  background processes (WAL writer, checkpointer, autovacuum)', undefined, f.backgroundMs),
      );
      out.push(row('PostgreSQL, measured (/proc)', undefined, f.backendMs + f.backgroundMs));
      out.push(row('population registry (identity checks, presence), measured', undefined, f.registryMs));
    }
    return out.join('\n');
  }
}
