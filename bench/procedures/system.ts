import { migrateAll } from '../../tools/schemas';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropDatabase, ensureDatabase, startEmbeddedPostgres } from '@vss/persistence';
import { benchPki } from '../pki';

/** The database of a procedures benchmark run (and of the audit benchmark's). */

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
    const embedded = await startEmbeddedPostgres({
      dataDir,
      throwaway: true,
      tls: (await benchPki()).database(),
    });
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
