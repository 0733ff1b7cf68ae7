import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The processes of a benchmark run as real processes, and what each one costs. */

/** dist/, where the built apps and scripts are. */
export const DIST = join(__dirname, '..', '..');

export interface BenchProcess {
  name: string;
  child: ChildProcess;
  /** Resolves once the output matches; rejects if the process exits or the time runs out first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** The output kept so far (the last 200 KB). */
  output(): string;
  /** Lines of output that match, for figures a process prints. */
  lines(pattern: RegExp): string[];
  /** Peak resident set size so far (VmHWM), in MB. */
  peakRssMb(): number;
  /** SIGTERM, then SIGKILL if it has not exited within 15 s. */
  stop(): Promise<void>;
}

export interface NodeOptions {
  args?: readonly string[];
  /** Options for node itself (NODE_OPTIONS refuses some, --cpu-prof among them). */
  nodeArgs?: readonly string[];
  /** Opens an IPC channel to the process (`child.send`), for a benchmark's preloaded helper. */
  ipc?: boolean;
}

/** `node dist/<script>` with only the given environment (and PATH), as production runs it. */
export function startNode(
  name: string,
  script: string,
  env: Record<string, string | number>,
  options: NodeOptions = {},
): BenchProcess {
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), join(DIST, script), ...(options.args ?? [])],
    {
      env: {
        PATH: process.env.PATH ?? '',
        // e.g. NODE_OPTIONS=--perf-basic-prof, for a system profiler to name JavaScript frames.
        ...(process.env.NODE_OPTIONS ? { NODE_OPTIONS: process.env.NODE_OPTIONS } : {}),
        ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])),
      },
      stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const listeners = new Set<() => void>();
  const collect = (d: Buffer) => {
    output = (output + d.toString()).slice(-200_000);
    listeners.forEach((l) => l());
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return {
    name,
    child,
    output: () => output,
    lines: (pattern) => output.split('\n').filter((l) => pattern.test(l)),
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const finish = (error?: Error) => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', onExit);
          if (error) reject(error);
          else resolve();
        };
        const check = () => pattern.test(output) && finish();
        const onExit = () => finish(new Error(`${name} exited:\n${output.slice(-3000)}`));
        const timer = setTimeout(
          () => finish(new Error(`${name} did not print ${pattern}:\n${output.slice(-3000)}`)),
          timeoutMs,
        );
        listeners.add(check);
        child.once('exit', onExit);
        check();
      });
    },
    peakRssMb() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs `node dist/<script>` to completion and returns its stdout. */
export function runNode(script: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(DIST, script), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${script} failed (${code}): ${err}`)),
    );
  });
}

let ticks: number | undefined;

/**
 * CPU milliseconds (user + system) spent so far by a process and every descendant: their own
 * time, plus what children that have already exited left in their parents' accounts
 * (PostgreSQL backends). On a machine other people are using, CPU time is steadier than wall
 * time. NaN when the process is gone.
 */
export function cpuMsOfTree(rootPid: number): number {
  ticks ??= Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  const stats = new Map<number, { ppid: number; own: number; reaped: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces: fields are counted after its closing parenthesis.
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      const ms = (i: number) => (Number(f[i]) * 1000) / ticks!;
      stats.set(Number(entry), { ppid: Number(f[1]), own: ms(11) + ms(12), reaped: ms(13) + ms(14) });
    } catch {
      // The process ended while we read.
    }
  }
  if (!stats.has(rootPid)) return NaN;
  let total = 0;
  const visit = (pid: number) => {
    const s = stats.get(pid)!;
    total += s.own + s.reaped;
    for (const [child, c] of stats) if (c.ppid === pid) visit(child);
  };
  visit(rootPid);
  return total;
}

/** CPU ms of this process (the benchmark's own reading, for a baseline it measures itself). */
export function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * CPU ms of a process's threads: its main thread (the JavaScript of a Node process) and all the
 * others together (V8's helpers and garbage collection, libuv's pool, the inspector).
 */
export function threadCpuMs(pid: number): { main: number; others: number } {
  ticks ??= Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  let main = 0;
  let others = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      const ms = ((Number(f[11]) + Number(f[12])) * 1000) / ticks;
      if (Number(tid) === pid) main += ms;
      else others += ms;
    } catch {
      // The thread ended while we read.
    }
  }
  return { main, others };
}

/**
 * CPU ms of each process under a root (its own time, not its reaped children's), with its
 * command line: for PostgreSQL, `postgres: vss_gateway vss 127.0.0.1(…) idle` is a backend,
 * `postgres: walwriter` a background process. The root's reaped children are under its PID as
 * `(exited children)`.
 */
export function cpuMsByProcess(rootPid: number): Map<number, { command: string; ms: number }> {
  ticks ??= Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  const parents = new Map<number, number>();
  const own = new Map<number, { command: string; ms: number }>();
  let reapedByRoot = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      const pid = Number(entry);
      parents.set(pid, Number(f[1]));
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      own.set(pid, { command, ms: ((Number(f[11]) + Number(f[12])) * 1000) / ticks });
      if (pid === rootPid) reapedByRoot = ((Number(f[13]) + Number(f[14])) * 1000) / ticks;
    } catch {
      // The process ended while we read.
    }
  }
  const out = new Map<number, { command: string; ms: number }>();
  const visit = (pid: number) => {
    out.set(pid, own.get(pid)!);
    for (const [child, parent] of parents) if (parent === pid && own.has(child)) visit(child);
  };
  if (own.has(rootPid)) {
    visit(rootPid);
    out.set(-rootPid, { command: '(exited children)', ms: reapedByRoot });
  }
  return out;
}
