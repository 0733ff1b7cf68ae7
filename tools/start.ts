import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Pool } from 'pg';
import { loadPopulation, DEMO_PEOPLE } from '@vss/synthetic';
import { type AppRole, redactUrl, type EmbeddedDatabase } from '@vss/persistence';
import { ApiKeys, CertificateRegistry, type RegisterCertificateRequest } from '@vss/api-keys';
import { newTotpSecret, OperatorCredentialsRepository, OperatorsRepository } from '@vss/authority';
import type { OperatorRole } from '@vss/domain';
import { CertificateAuthority, ensurePki, PKI_FILES, writePrivateFile } from '@vss/pki';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadToolsConfig } from '@vss/platform';
import { localDatabase } from './local-database';
import { migrateAll } from './schemas';
import { registerTrust } from './trust';
import { dataDir, readRuntime, writeRuntime, type RuntimeInfo } from './runtime';

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

/** Demo API keys are issued once and kept in .data/runtime.json for the CLI and examples. */
async function demoRuntime(
  url: string,
  ports: { registry: number; grpc: number; http: number; operator: number },
  seeded: boolean,
): Promise<RuntimeInfo> {
  const previous = readRuntime();
  const endpoints = {
    databaseUrl: url,
    gatewayGrpc: `127.0.0.1:${ports.grpc}`,
    gatewayHttp: `https://127.0.0.1:${ports.http}`,
    registryGrpc: `127.0.0.1:${ports.registry}`,
    operatorHttp: `https://127.0.0.1:${ports.operator}`,
    caCertificate: join(dataDir(), 'pki', PKI_FILES.caCertificate),
  };
  if (
    previous &&
    !seeded &&
    previous.clinicCertificate !== undefined &&
    previous.operatorCertificate !== undefined &&
    existsSync(previous.operatorCertificate.cert) &&
    previous.keys.approver !== undefined &&
    previous.console !== undefined &&
    existsSync(previous.clinicCertificate.cert) &&
    previous.databaseUrl.split('@')[1]?.split('/')[1] === url.split('@')[1]?.split('/')[1]
  ) {
    return {
      ...previous,
      ...endpoints,
      console: { ...previous.console, url: `${endpoints.gatewayHttp}/console/` },
    };
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
    // Two people, so that what one asks another can approve (maker–checker).
    const operators = new OperatorsRepository(pool);
    for (const person of DEMO_OPERATORS) {
      const found = await operators.find(person.login);
      if (!found) await operators.add({ ...person, by: 'npm start' });
      else if (found.roles.join() !== person.roles.join())
        await operators.setRoles(person.login, person.roles);
    }
    const admin = await keys.issue({
      role: 'admin',
      label: 'demo administrator',
      operatorLogin: 'demo.admin',
    });
    const approver = await keys.issue({
      role: 'admin',
      label: 'demo approver',
      operatorLogin: 'demo.approver',
    });
    // Each demo operator signs in to the console with a password and a TOTP key made here, once.
    const credentials = new OperatorCredentialsRepository(pool);
    const consoleOperators = [];
    for (const person of DEMO_OPERATORS) {
      const password = `demo-${randomBytes(9).toString('base64url')}`;
      const totpSecret = newTotpSecret();
      await credentials.provision(person.login, { password, totpSecret });
      consoleOperators.push({ login: person.login, roles: person.roles, password, totpSecret });
    }
    const clinicCertificate = await demoClinicCertificate(pool, facility);
    const operatorCertificate = await demoCertificate(pool, 'demo-operator', {
      member: 'VSS',
      subsystem: 'monitoring',
      role: 'admin',
      operatorLogin: 'demo.admin',
      label: 'metrics reader of demo.admin',
    });
    return {
      ...endpoints,
      clinicCertificate,
      operatorCertificate,
      keys: {
        clinic: clinic.apiKey,
        clinicFacility: facility,
        civilRegistry: civil.apiKey,
        civilRegistryOffice: office,
        admin: admin.apiKey,
        approver: approver.apiKey,
      },
      console: { url: `${endpoints.gatewayHttp}/console/`, operators: consoleOperators },
    };
  } finally {
    await pool.end();
  }
}

/**
 * The demo's named operators: an administrator, an approver (also the second security
 * administrator), and a security administrator — so that what one asks another can decide.
 */
const DEMO_OPERATORS = [
  {
    login: 'demo.admin',
    displayName: 'Quản trị viên demo',
    roles: ['operator', 'reviewer'] as OperatorRole[],
  },
  {
    login: 'demo.approver',
    displayName: 'Người phê duyệt demo',
    roles: ['approver', 'auditor', 'security-admin'] as OperatorRole[],
  },
  {
    login: 'demo.security',
    displayName: 'Quản trị an ninh demo',
    roles: ['security-admin', 'auditor'] as OperatorRole[],
  },
];

/**
 * A client certificate for the demo clinic, issued by the development CA and registered like
 * an API key: the other way a hospital information system authenticates (mTLS).
 */
function demoClinicCertificate(pool: Pool, facility: string): Promise<{ cert: string; key: string }> {
  return demoCertificate(pool, 'demo-clinic', {
    member: `BV-${facility}`,
    subsystem: 'his',
    role: 'clinic',
    facilityCode: facility,
    label: `demo clinic ${facility} (certificate)`,
  });
}

/**
 * A demo client certificate issued by the development CA into `<data>/pki/<name>.crt|.key` and
 * registered as `certs issue` registers one (its key made here: the laptop's convenience path).
 */
async function demoCertificate(
  pool: Pool,
  name: string,
  spec: Pick<
    RegisterCertificateRequest,
    'member' | 'subsystem' | 'role' | 'facilityCode' | 'operatorLogin' | 'label'
  >,
): Promise<{ cert: string; key: string }> {
  const pki = join(dataDir(), 'pki');
  const authority = await CertificateAuthority.load(
    readFileSync(join(pki, PKI_FILES.caCertificate), 'utf8'),
    readFileSync(join(pki, PKI_FILES.caKey), 'utf8'),
  );
  const issued = await authority.issue({
    subject: { member: spec.member, subsystem: spec.subsystem, commonName: spec.label },
    purpose: 'client',
    validityDays: 397,
  });
  const files = { cert: join(pki, `${name}.crt`), key: join(pki, `${name}.key`) };
  writePrivateFile(files.key, issued.privateKeyPem);
  writeFileSync(files.cert, issued.certificatePem);
  await new CertificateRegistry(pool).register({
    ...spec,
    fingerprint256: issued.fingerprint256,
    serialNumber: issued.serialNumber,
    subject: issued.subject,
    notAfter: issued.notAfter,
  });
  return files;
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
