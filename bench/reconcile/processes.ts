import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The apps of the reconciliation benchmark as real processes, and what each one costs. */

const DIST = join(__dirname, '..', '..');

export interface AppProcess {
  name: string;
  child: ChildProcess;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Peak resident set size so far (VmHWM), in MB. */
  peakRssMb(): number;
  stop(): Promise<void>;
}

/** Starts a built app (`apps/<app>/src/main.js`) with the given environment. */
export function startApp(
  app: 'gateway' | 'worker' | 'population-registry',
  env: Record<string, string>,
  /** Options for node itself (NODE_OPTIONS refuses some, --cpu-prof among them). */
  nodeArgs: readonly string[] = [],
): AppProcess {
  const child = spawn(process.execPath, [...nodeArgs, join(DIST, 'apps', app, 'src', 'main.js')], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const collect = (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
    listeners.forEach((l) => l());
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return {
    name: app,
    child,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const finish = (then: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', onExit);
          then();
        };
        const check = () => pattern.test(output) && finish(resolve);
        const onExit = () => finish(() => reject(new Error(`${app} exited:\n${output}`)));
        const timer = setTimeout(
          () => finish(() => reject(new Error(`${app} did not print ${pattern}:\n${output}`))),
          timeoutMs,
        );
        listeners.add(check);
        child.once('exit', onExit);
        check();
      });
    },
    peakRssMb() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
      return kb / 1024;
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

let ticks: number | undefined;

/**
 * CPU milliseconds (user + system) spent so far by a process and every descendant, living or
 * reaped. On a machine other people are using, CPU time is steadier than wall time.
 */
export function cpuMsOfTree(rootPid: number): number {
  ticks ??= Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  const stats = new Map<number, { ppid: number; own: number; reaped: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      const ms = (i: number) => (Number(f[i]) * 1000) / ticks!;
      stats.set(Number(entry), { ppid: Number(f[1]), own: ms(11) + ms(12), reaped: ms(13) + ms(14) });
    } catch {
      // The process ended while we read.
    }
  }
  let total = 0;
  const visit = (pid: number) => {
    const s = stats.get(pid);
    if (!s) return;
    total += s.own + s.reaped;
    for (const [child, c] of stats) if (c.ppid === pid) visit(child);
  };
  visit(rootPid);
  return total;
}

/** CPU ms of this process (the benchmark's own reading, for the baseline). */
export function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
