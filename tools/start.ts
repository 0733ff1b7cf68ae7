import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { loadPopulation, DEMO_PEOPLE } from '@vss/synthetic';
import { type AppRole, redactUrl, type EmbeddedDatabase } from '@vss/persistence';
import { ensurePki } from '@vss/pki';
import { loadToolsConfig } from '@vss/platform';
import { demoRuntime } from './demo-runtime';
import { localDatabase } from './local-database';
import { migrateAll } from './schemas';
import { registerTrust } from './trust';
import { dataDir, writeRuntime, type RuntimeInfo } from './runtime';

/**
 * `npm start`: one command for a newcomer. Creates a development certificate authority and
 * every system's certificate (first run), starts PostgreSQL (embedded, unless DATABASE_URL is
 * set) with an owner role and one role per app, migrates, seeds a demo population on the first
 * run, starts the registry stub, the gateway and the worker over TLS, and prints how to call them. An app that exits is started again
 * with backoff while the others go on. Ctrl-C stops it all, the database last.
 */
const config = loadToolsConfig();
const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const pki = join(dataDir(), 'pki');
  const made = await ensurePki(pki);
  if (made.created.length > 0)
    say(`created the development certificate authority and certificates in ${pki}`);
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.DATABASE_URL;
  let appUrl: (role: AppRole) => string;
  if (!databaseUrl) {
    say('starting embedded PostgreSQL in ' + join(dataDir(), 'postgres'));
    const local = await localDatabase(dataDir());
    embedded = local.embedded;
    databaseUrl = local.prepared.ownerUrl;
    appUrl = local.prepared.urlFor;
  } else {
    const url = databaseUrl;
    appUrl = () => url;
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
    if (config.DATABASE_URL) await migrateAll(databaseUrl);
    const seeded = await seedIfEmpty(databaseUrl);
    await registerTrust(databaseUrl, pki, 'gateway (laptop demo)');
    const ports = {
      registry: config.REGISTRY_GRPC_PORT,
      grpc: config.GATEWAY_GRPC_PORT,
      http: config.GATEWAY_HTTP_PORT,
      operator: config.OPERATOR_HTTP_PORT,
    };
    // The apps get the whole environment, to validate as their own configuration.
    // eslint-disable-next-line no-restricted-syntax -- handed on, not read
    const environment = process.env;
    const base = {
      // On a laptop a tree head every 5 s: `audit verify` just after a demo call finds one to trust.
      AUDIT_CHECKPOINT_SECONDS: '5',
      ...environment,
      VSS_DATA_DIR: dataDir(),
      REGISTRY_ADDRESS: `localhost:${ports.registry}`,
    };
    for (const [app, role, ready] of [
      ['population-registry', 'registry', /population registry serving/],
      ['gateway', 'gateway', /gateway serving/],
      ['worker', 'worker', /worker running/],
    ] as const) {
      const childEnv = { ...base, DATABASE_URL: appUrl(role), REGISTRY_GRPC_PORT: String(ports.registry) };
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
    say(`seeding a demo population of ${config.VSS_DEMO_CITIZENS} people (first run only)…`);
    const report = await loadPopulation(pool, { citizens: config.VSS_DEMO_CITIZENS, seed: 42 });
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

function printWelcome(info: RuntimeInfo, url: string): void {
  const covered = DEMO_PEOPLE.find((p) => p.key === 'COVERED_ADULT')!;
  const lookupUrl = `${info.gatewayHttp}/v1/coverage/${covered.citizenId}?facility_code=${info.keys.clinicFacility}`;
  say(`
VSS Interchange Gateway is running, over TLS only (certificates from the development CA).

  gateway gRPC        ${info.gatewayGrpc}   (vss.gateway.v1, reflection on)
  gateway HTTPS       ${info.gatewayHttp}   (/healthz /readyz /v1/coverage/{citizenId} POST /v1/coverage:lookup)
  operator HTTPS      ${info.operatorHttp}   (/metrics, an operator's registered client certificate)
  population registry ${info.registryGrpc}   (npd.registry.v1, gateway and worker certificates only)
  database            ${redactUrl(url)}
  CA certificate      ${info.caCertificate}
  logs                ${dataDir()}/*.log
  demo keys           ${dataDir()}/runtime.json

Try a coverage lookup as the demo clinic (facility ${info.keys.clinicFacility}), with its API key:

  curl -s --cacert ${info.caCertificate} -H 'x-api-key: ${info.keys.clinic}' \\
    '${lookupUrl}'

or with its client certificate (mTLS), the ID in the body rather than the URL:

  curl -s --cacert ${info.caCertificate} --cert ${info.clinicCertificate.cert} --key ${info.clinicCertificate.key} \\
    -H 'content-type: application/json' -d '{"citizen_id":"${covered.citizenId}","facility_code":"${info.keys.clinicFacility}"}' \\
    ${info.gatewayHttp}/v1/coverage:lookup

  grpcurl -cacert ${info.caCertificate} -H 'x-api-key: ${info.keys.clinic}' \\
    -d '{"citizen_id":"${covered.citizenId}","facility_code":"${info.keys.clinicFacility}"}' \\
    ${info.gatewayGrpc} vss.gateway.v1.CoverageService/LookupCoverage

  npm run cli -- lookup ${covered.citizenId}

The operator console (accept the development CA's certificate in the browser, or import ${info.caCertificate}):

  ${info.console.url}
${info.console.operators
  .map(
    (o) =>
      `  ${o.login.padEnd(14)} ${`(${o.roles.join(', ')})`.padEnd(36)} password: ${o.password}   authenticator key: ${o.totpSecret}`,
  )
  .join('\n')}
  The 6-digit code, without an authenticator app: npm run cli -- totp ${info.console.operators[0].totpSecret}

Metrics (demo.admin's certificate):
  curl -s --cacert ${info.caCertificate} --cert ${info.operatorCertificate.cert} --key ${info.operatorCertificate.key} ${info.operatorHttp}/metrics
Audit:    npm run cli -- audit verify   (a tree head is signed every 5 s here, every minute by default)
Demo people: npm run cli -- demo-people.   An app that exits is restarted (1 s, 2 s … 30 s).
Ctrl-C stops everything.`);
}

void main();
