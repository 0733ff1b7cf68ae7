import { migrateAll } from '../../tools/schemas';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropDatabase, ensureDatabase, startEmbeddedPostgres } from '@vss/persistence';

/** The database and processes of a procedures benchmark run. */

const DIST = join(__dirname, '..', '..');
const say = (line: string) => process.stdout.write(`${line}\n`);

export interface BenchDatabase {
  url: string;
  /** The postmaster's PID when the server is ours (embedded), so that its CPU can be measured. */
  serverPid?: number;
  close(): Promise<void>;
}

/** A fresh, migrated database on DATABASE_URL's server, or on an embedded PostgreSQL in a throwaway folder. */
export async function freshDatabase(databaseUrl: string | undefined): Promise<BenchDatabase> {
  let adminUrl: string;
  let stop: () => Promise<void> = async () => undefined;
  let serverPid: number | undefined;
  if (databaseUrl) {
    const url = new URL(databaseUrl);
    url.pathname = '/postgres';
    adminUrl = url.toString();
  } else {
    const dataDir = join(tmpdir(), `vss-bench-procedures-${process.pid}`);
    say(`embedded PostgreSQL in ${dataDir}`);
    const embedded = await startEmbeddedPostgres({ dataDir, throwaway: true });
    adminUrl = embedded.adminUrl;
    stop = () => embedded.stop();
    const pidFile = join(dataDir, 'postmaster.pid');
    if (existsSync(pidFile)) serverPid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  }
  const name = 'bench_procedures';
  await dropDatabase(adminUrl, name);
  await ensureDatabase(adminUrl, name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await migrateAll(url.toString());
  return {
    url: url.toString(),
    serverPid,
    async close() {
      await dropDatabase(adminUrl, name).catch(() => undefined);
      await stop();
    },
  };
}

export interface BenchProcess {
  name: string;
  child: ChildProcess;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Lines of output that match, for figures a process prints. */
  lines(pattern: RegExp): string[];
  stop(): Promise<void>;
}

/** `node dist/<script>` with the given environment, as production runs it. */
export function startNode(name: string, script: string, env: Record<string, string | number>): BenchProcess {
  const child = spawn(process.execPath, [join(DIST, script)], {
    env: {
      PATH: process.env.PATH ?? '',
      ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const collect = (d: Buffer) => {
    output = (output + d.toString()).slice(-200_000);
    listeners.forEach((l) => l());
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    child,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => done(new Error(`${name} did not print ${pattern}:\n${output.slice(-3000)}`)),
          timeoutMs,
        );
        const check = () => pattern.test(output) && done();
        const onExit = () => done(new Error(`${name} exited:\n${output.slice(-3000)}`));
        const done = (error?: Error) => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', onExit);
          if (error) reject(error);
          else resolve();
        };
        listeners.add(check);
        child.once('exit', onExit);
        check();
      });
    },
    lines: (pattern) => output.split('\n').filter((l) => pattern.test(l)),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

const TICKS_PER_SECOND = 100;

function stat(pid: number): { ppid: number; ownMs: number; childrenMs: number } | undefined {
  try {
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const ticks = (i: number) => (Number(fields[i - 3]) * 1000) / TICKS_PER_SECOND;
    return { ppid: Number(fields[1]), ownMs: ticks(14) + ticks(15), childrenMs: ticks(16) + ticks(17) };
  } catch {
    return undefined;
  }
}

/**
 * CPU milliseconds a process and its descendants have used: their own time, plus what the
 * children that have already exited left in their parents' accounts (PostgreSQL backends).
 */
export function cpuMsOfTree(rootPid: number): number {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const s = stat(pid);
    if (s) parents.set(pid, s.ppid);
  }
  let total = 0;
  const visit = (pid: number) => {
    const s = stat(pid);
    if (!s) return;
    total += s.ownMs + s.childrenMs;
    for (const [child, parent] of parents) if (parent === pid) visit(child);
  };
  visit(rootPid);
  return total;
}
