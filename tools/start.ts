import { migrateAll } from './schemas';
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { loadPopulation, DEMO_PEOPLE } from '@vss/synthetic';
import { ensureDatabase, redactUrl, startEmbeddedPostgres, type EmbeddedDatabase } from '@vss/persistence';
import { ApiKeys } from '@vss/api-keys';
import { dataDir, readRuntime, writeRuntime, type RuntimeInfo } from './runtime';

/**
 * `npm start`: one command for a newcomer. Starts PostgreSQL (embedded, unless DATABASE_URL
 * is set), migrates, seeds a demo population on the first run, starts the registry stub,
 * the gateway and the worker, and prints how to call them. An app that exits is started again
 * with backoff while the others go on. Ctrl-C stops it all, the database last.
 */
const DEMO_CITIZENS = Number(process.env.VSS_DEMO_CITIZENS ?? 10_000);
const env = process.env;
const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    say('starting embedded PostgreSQL in ' + join(dataDir(), 'postgres'));
    embedded = await startEmbeddedPostgres({ dataDir: join(dataDir(), 'postgres') });
    await ensureDatabase(embedded.adminUrl, 'vss');
    databaseUrl = embedded.urlFor('vss');
  }
  const children: ChildProcess[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('\nstopping…');
    await Promise.all(children.map((c) => stopChild(c)));
    await embedded?.stop();
    say('stopped.');
    process.exit(code);
  };
  /**
   * An app that exits while npm start runs is started again, after 1 s, then 2, 4 … up to 30 s
   * when it keeps failing; a run of 60 s resets the wait. The others keep serving meanwhile.
   */
  const supervise = (app: string, childEnv: NodeJS.ProcessEnv, ready: RegExp, slot: number) => {
    let delayMs = 1000;
    const watch = (child: ChildProcess) => {
      const started = Date.now();
      child.once('exit', (code, signal) => {
        if (stopping) return;
        if (Date.now() - started > 60_000) delayMs = 1000;
        say(
          `${app} exited (${signal ?? code}); starting it again in ${delayMs / 1000} s (log: ${join(dataDir(), `${app}.log`)})`,
        );
        setTimeout(() => {
          if (stopping) return;
          const next = launch(app, childEnv);
          children[slot] = next;
          watch(next);
          waitForLine(next, ready, app).then(
            () => say(`${app} is serving again`),
            () => undefined,
          );
        }, delayMs);
        delayMs = Math.min(delayMs * 2, 30_000);
      });
    };
    watch(children[slot]);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  try {
    await migrateAll(databaseUrl);
    const seeded = await seedIfEmpty(databaseUrl);
    const ports = {
      registry: Number(env.REGISTRY_GRPC_PORT ?? 50052),
      grpc: Number(env.GATEWAY_GRPC_PORT ?? 50051),
      http: Number(env.GATEWAY_HTTP_PORT ?? 8080),
    };
    const base = { ...env, DATABASE_URL: databaseUrl, REGISTRY_ADDRESS: `127.0.0.1:${ports.registry}` };
    for (const [app, ready] of [
      ['population-registry', /population registry serving/],
      ['gateway', /gateway serving/],
      ['worker', /worker running/],
    ] as const) {
      const childEnv = { ...base, REGISTRY_GRPC_PORT: String(ports.registry) };
      const slot = children.length;
      children.push(launch(app, childEnv));
      supervise(app, childEnv, ready, slot);
      await waitForLine(children[slot], ready, app);
    }
    const info = await demoRuntime(databaseUrl, ports, seeded);
    writeRuntime(info);
    printWelcome(info, databaseUrl);
  } catch (error) {
    say(`npm start failed: ${(error as Error).message}`);
    await stopAll(1);
  }
}

async function seedIfEmpty(url: string): Promise<boolean> {
  const pool = new Pool({ connectionString: url, max: 4 });
  try {
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM npd.citizens');
    if (rows[0].n > 0) {
      say(`reusing the existing population (${rows[0].n} citizens)`);
      return false;
    }
    say(`seeding a demo population of ${DEMO_CITIZENS} people (first run only)…`);
    const report = await loadPopulation(pool, { citizens: DEMO_CITIZENS, seed: 42 });
    say(`seeded ${report.totalRows} rows in ${report.seconds.toFixed(1)} s`);
    return true;
  } finally {
    await pool.end();
  }
}

function launch(app: string, childEnv: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [join(__dirname, '..', 'apps', app, 'src', 'main.js')], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logFile = join(dataDir(), `${app}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout?.pipe(log);
  child.stderr?.on('data', (d: Buffer) => {
    log.write(d);
    process.stderr.write(`[${app}] ${d}`);
  });
  return child;
}

function waitForLine(child: ChildProcess, pattern: RegExp, app: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (d: Buffer) => {
      seen = (seen + d.toString()).slice(-10_000);
      if (pattern.test(seen)) {
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', () => reject(new Error(`${app} did not start; see ${join(dataDir(), `${app}.log`)}`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Demo API keys are issued once and kept in .data/runtime.json for the CLI and examples. */
async function demoRuntime(
  url: string,
  ports: { registry: number; grpc: number; http: number },
  seeded: boolean,
): Promise<RuntimeInfo> {
  const previous = readRuntime();
  const endpoints = {
    databaseUrl: url,
    gatewayGrpc: `127.0.0.1:${ports.grpc}`,
    gatewayHttp: `http://127.0.0.1:${ports.http}`,
    registryGrpc: `127.0.0.1:${ports.registry}`,
  };
  if (
    previous &&
    !seeded &&
    previous.databaseUrl.split('@')[1]?.split('/')[1] === url.split('@')[1]?.split('/')[1]
  ) {
    return { ...previous, ...endpoints };
  }
  const pool = new Pool({ connectionString: url, max: 2 });
  try {
    const keys = new ApiKeys(pool);
    const covered = DEMO_PEOPLE.find((p) => p.key === 'COVERED_ADULT')!;
    const { rows } = await pool.query(
      'SELECT primary_care_facility_code AS code FROM vss.hi_cards WHERE social_insurance_code = $1',
      [covered.socialInsuranceCode],
    );
    const facility =
      rows[0]?.code ??
      (await pool.query('SELECT facility_code AS code FROM vss.facilities LIMIT 1')).rows[0].code;
    const office = 'UBND-001-00001';
    const clinic = await keys.issue({
      role: 'clinic',
      facilityCode: facility,
      label: `demo clinic ${facility}`,
    });
    const civil = await keys.issue({
      role: 'civil-registry',
      officeCode: office,
      label: `demo civil registry ${office}`,
    });
    const admin = await keys.issue({ role: 'admin', label: 'demo administrator' });
    return {
      ...endpoints,
      keys: {
        clinic: clinic.apiKey,
        clinicFacility: facility,
        civilRegistry: civil.apiKey,
        civilRegistryOffice: office,
        admin: admin.apiKey,
      },
    };
  } finally {
    await pool.end();
  }
}

function printWelcome(info: RuntimeInfo, url: string): void {
  const covered = DEMO_PEOPLE.find((p) => p.key === 'COVERED_ADULT')!;
  say(`
VSS Interchange Gateway is running.

  gateway gRPC        ${info.gatewayGrpc}   (vss.gateway.v1, reflection on)
  gateway HTTP        ${info.gatewayHttp}   (/healthz /readyz /metrics /v1/coverage/{citizenId})
  population registry ${info.registryGrpc}   (npd.registry.v1)
  database            ${redactUrl(url)}
  logs                ${dataDir()}/*.log
  demo keys           ${dataDir()}/runtime.json

Try a coverage lookup as the demo clinic (facility ${info.keys.clinicFacility}):

  curl -s -H 'x-api-key: ${info.keys.clinic}' \\
    '${info.gatewayHttp}/v1/coverage/${covered.citizenId}?facility_code=${info.keys.clinicFacility}'

  npm run cli -- lookup ${covered.citizenId}

Demo people: npm run cli -- demo-people.   An app that exits is restarted (1 s, 2 s … 30 s).
Ctrl-C stops everything.`);
}

void main();
