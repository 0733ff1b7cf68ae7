import { type ChildProcess, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createDataSource,
  dropDatabase,
  ensureDatabase,
  migrate,
  startEmbeddedPostgres,
  VSS_MIGRATIONS,
  VSS_MIGRATIONS_TABLE,
} from '@vss/persistence';
import { SYNTH_MIGRATIONS, SYNTH_MIGRATIONS_TABLE } from '@vss/synthetic';
import { NPD_MIGRATIONS, NPD_MIGRATIONS_TABLE } from '../../apps/population-registry/src/migrations';

/** The database and processes of a procedures benchmark run. */

const DIST = join(__dirname, '..', '..');
const say = (line: string) => process.stdout.write(`${line}\n`);

export interface BenchDatabase {
  url: string;
  close(): Promise<void>;
}

/** A fresh, migrated database on DATABASE_URL's server, or on an embedded PostgreSQL in a throwaway folder. */
export async function freshDatabase(databaseUrl: string | undefined): Promise<BenchDatabase> {
  let adminUrl: string;
  let stop: () => Promise<void> = async () => undefined;
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
  }
  const name = 'bench_procedures';
  await dropDatabase(adminUrl, name);
  await ensureDatabase(adminUrl, name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  for (const set of [
    { migrations: NPD_MIGRATIONS, migrationsTableName: NPD_MIGRATIONS_TABLE },
    { migrations: VSS_MIGRATIONS, migrationsTableName: VSS_MIGRATIONS_TABLE },
    { migrations: SYNTH_MIGRATIONS, migrationsTableName: SYNTH_MIGRATIONS_TABLE },
  ]) {
    const dataSource = createDataSource({ url: url.toString(), ...set, poolSize: 2 });
    await dataSource.initialize();
    try {
      await migrate(dataSource);
    } finally {
      await dataSource.destroy();
    }
  }
  return {
    url: url.toString(),
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
