import { testCredentials, testPki } from '../support/tls';
import { registerTestTrust } from '../support/trust';
import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { randomBytes } from 'node:crypto';
import { makeCitizenId, vietnamDate } from '@vss/domain';
import {
  type AppRole,
  type EmbeddedDatabase,
  randomPasswords,
  startEmbeddedPostgres,
} from '@vss/persistence';
import { serviceClient, unary } from '@vss/registry-client';
import { ApiKeys } from '@vss/api-keys';
import { databaseTlsFiles } from '@vss/pki';
import { loadPopulation } from '@vss/synthetic';
import { ReconciliationClient } from '../../tools/cli/reconcile-client';
import { prepareDatabase } from '../../tools/schemas';
import { birthRequest, OFFICE } from '../civil-events/support';
import { freePort } from '../support/ports';
import { issueAdminKey } from '../support/system';
import { type AppProcess, startAppProcess } from '../support/processes';

/**
 * PostgreSQL's postmaster SIGKILLed under a light load of lookups and birth events, then
 * started again: no app exits, every call during the outage is answered UNAVAILABLE within its
 * deadline (never UNKNOWN or INTERNAL), and once the server is back everything answers again
 * without restarting a process, and every acknowledged event completes exactly once.
 * A server of this test's own: the suite's shared one is not for killing.
 */
jest.setTimeout(240_000);

const DATA_DIR = join(tmpdir(), `vss-restart-pg-${process.pid}-${randomBytes(3).toString('hex')}`);
const COVERED = '001085012345';
let port: number;
let server: EmbeddedDatabase;
let url: string;
let roleUrl: (role: AppRole) => string;
let pool: Pool;
const apps: AppProcess[] = [];
let coverage: grpc.Client;
let events: grpc.Client;
let reconciliation: ReconciliationClient;
let clinicKey: string;
let officeKey: string;
let adminKey: string;

async function startServer(): Promise<EmbeddedDatabase> {
  // Backends of a killed postmaster take a moment to notice and exit; until then the old
  // shared memory is in use and a new postmaster refuses to start.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startEmbeddedPostgres({ dataDir: DATA_DIR, port, tls: databaseTlsFiles(testPki()) });
    } catch (error) {
      if (attempt >= 20) throw error;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

function killPostmaster(): void {
  const pid = Number(readFileSync(join(DATA_DIR, 'postmaster.pid'), 'utf8').split('\n')[0]);
  process.kill(pid, 'SIGKILL');
}

const metadata = (key: string) => {
  const m = new grpc.Metadata();
  m.set('x-api-key', key);
  return m;
};

beforeAll(async () => {
  port = await freePort();
  server = await startServer();
  const prepared = await prepareDatabase(server.adminUrl, 'restart', { passwords: randomPasswords() });
  roleUrl = prepared.urlFor;
  await registerTestTrust(prepared.ownerUrl, testPki());
  url = server.urlFor('restart');
  pool = new Pool({ connectionString: url, max: 2 });
  pool.on('error', () => undefined);
  // A population for a reconciliation run that lasts through the outage, then the lookup fixture.
  await loadPopulation(pool, { citizens: 3000, seed: 23, asOf: '2025-10-01' });
  await pool.query(`
    INSERT INTO vss.facilities (facility_code, name, province_code, level) VALUES ('01001', 'BV Hà Nội', '001', 'commune')
      ON CONFLICT DO NOTHING;
    INSERT INTO npd.citizens (citizen_id, full_name, date_of_birth, gender, birth_province_code, vital_status)
      VALUES ('${COVERED}', 'Nguyễn Văn An', '1985-03-12', 'M', '001', 'ALIVE') ON CONFLICT DO NOTHING;
    INSERT INTO vss.participants (social_insurance_code, citizen_id, full_name, date_of_birth, gender, province_code)
      VALUES ('0100000001', '${COVERED}', 'Nguyễn Văn An', '1985-03-12', 'M', '001') ON CONFLICT DO NOTHING;
    INSERT INTO vss.hi_cards (social_insurance_code, object_group, benefit_level_percent, valid_from, valid_to,
      primary_care_facility_code) VALUES ('0100000001', 'DN', 80, '2020-01-01', '2035-12-31', '01001');`);
  const keys = new ApiKeys(pool);
  clinicKey = (await keys.issue({ role: 'clinic', facilityCode: '01001', label: 'clinic' })).apiKey;
  officeKey = (await keys.issue({ role: 'civil-registry', officeCode: OFFICE, label: 'office' })).apiKey;
  adminKey = await issueAdminKey(pool);

  const registryPort = await freePort();
  const grpcPort = await freePort();
  const registry = startAppProcess('population-registry', {
    DATABASE_URL: roleUrl('registry'),
    REGISTRY_GRPC_PORT: String(registryPort),
  });
  apps.push(registry);
  await registry.waitFor(/population registry serving/);
  const peer = { REGISTRY_ADDRESS: `127.0.0.1:${registryPort}` };
  const gateway = startAppProcess('gateway', {
    ...peer,
    DATABASE_URL: roleUrl('gateway'),
    GATEWAY_GRPC_PORT: String(grpcPort),
    GATEWAY_HTTP_PORT: String(await freePort()),
  });
  const worker = startAppProcess('worker', {
    ...peer,
    DATABASE_URL: roleUrl('worker'),
    QUEUE_SUPERVISE_SECONDS: '1',
    JOB_EXPIRE_SECONDS: '5',
    PROCEDURE_RETRY_BASE_MS: '200',
    PROCEDURE_RETRY_MAX_MS: '2000',
    // Pages of 25: the run is still going when the database goes.
    RECONCILE_EXPORT_PAGE_SIZE: '25',
    RECONCILE_CHUNK_SIZE: '25',
    SWEEP_SECONDS: '2',
    SWEEP_GRACE_SECONDS: '10',
  });
  apps.push(gateway, worker);
  await gateway.waitFor(/gateway serving/);
  await worker.waitFor(/worker running/);
  const Coverage = serviceClient(['vss/gateway/v1/coverage.proto'], 'vss.gateway.v1.CoverageService');
  const Events = serviceClient(['vss/gateway/v1/civil_event.proto'], 'vss.gateway.v1.CivilEventService');
  coverage = new Coverage(`127.0.0.1:${grpcPort}`, testCredentials());
  events = new Events(`127.0.0.1:${grpcPort}`, testCredentials());
  reconciliation = new ReconciliationClient(`127.0.0.1:${grpcPort}`, adminKey, testCredentials());
}, 120_000);

afterAll(async () => {
  coverage?.close();
  events?.close();
  reconciliation?.close();
  for (const app of apps) await app.kill();
  await pool?.end().catch(() => undefined);
  await server?.stop();
  const { rm } = await import('node:fs/promises');
  await rm(DATA_DIR, { recursive: true, force: true });
});

type Outcome = { ok: true } | { ok: false; code: string; ms: number };

async function attempt(work: () => Promise<unknown>): Promise<Outcome> {
  const started = Date.now();
  try {
    await work();
    return { ok: true };
  } catch (error) {
    return { ok: false, code: grpc.status[(error as grpc.ServiceError).code], ms: Date.now() - started };
  }
}

const lookup = () =>
  unary(
    coverage,
    'lookupCoverage',
    { citizenId: COVERED, facilityCode: '01001' },
    {
      deadlineMs: 5000,
      metadata: metadata(clinicKey),
    },
  );

let births = 0;
const acknowledged: string[] = [];
async function submitBirth(): Promise<void> {
  births += 1;
  // Born and registered today: the gateway and the worker run on the real clock.
  const today = vietnamDate(Date.now());
  const child = {
    citizenId: makeCitizenId({
      provinceCode: '001',
      gender: 'MALE',
      birthYear: Number(today.slice(0, 4)),
      serial: 700 + births,
    }),
    fullName: 'Nguyễn Minh Khôi',
    dateOfBirth: today,
    gender: 'M' as const,
  };
  const res = await unary<object, { procedureId: string }>(
    events,
    'submitBirthRegistration',
    birthRequest(child),
    {
      deadlineMs: 5000,
      metadata: metadata(officeKey),
    },
  );
  acknowledged.push(res.procedureId);
}

describe('PostgreSQL killed and started again under load', () => {
  it('leaves every app running, answers UNAVAILABLE while it is down, and recovers by itself', async () => {
    expect(await attempt(lookup)).toEqual({ ok: true });
    await submitBirth();
    const run = await reconciliation.startRun({ scope: { all: true }, findMissingIdCandidates: true });
    const runningBy = Date.now() + 30_000;
    while ((await reconciliation.getRun(run.runId)).state !== 'RUN_STATE_RUNNING' && Date.now() < runningBy) {
      await new Promise((r) => setTimeout(r, 100));
    }
    // Administrators' calls, on the general pool, during the outage too.
    const admin = () =>
      unary(events, 'listProcedures', { pageSize: 5 }, { deadlineMs: 5000, metadata: metadata(adminKey) });
    const runRead = () => reconciliation.getRun(run.runId);

    // Calls in flight at the moment of the kill: their connections are checked out, mid-transaction.
    const inFlight = Array.from({ length: 12 }, (_, i) => attempt(i % 3 === 0 ? submitBirth : lookup));
    const during: Outcome[] = [];
    killPostmaster();
    during.push(...(await Promise.all(inFlight)));
    const downUntil = Date.now() + 3000;
    while (Date.now() < downUntil) {
      during.push(
        ...(await Promise.all([
          attempt(lookup),
          attempt(lookup),
          attempt(submitBirth),
          attempt(admin),
          attempt(runRead),
        ])),
      );
      await new Promise((r) => setTimeout(r, 100));
    }
    const failures = during.filter((o): o is Extract<Outcome, { ok: false }> => !o.ok);
    // An event whose answer was lost with the connection may or may not have been stored; only
    // acknowledged ones are followed below.
    expect(failures.length).toBeGreaterThan(0);
    expect(new Set(failures.map((f) => f.code))).toEqual(new Set(['UNAVAILABLE']));
    expect(Math.max(...failures.map((f) => f.ms))).toBeLessThan(5500);

    server = await startServer();
    const backBy = Date.now() + 60_000;
    let back: Outcome = { ok: false, code: 'none', ms: 0 };
    while (Date.now() < backBy && !back.ok) {
      back = await attempt(lookup);
      if (!back.ok) await new Promise((r) => setTimeout(r, 250));
    }
    expect(back).toEqual({ ok: true });
    for (let i = 0; i < 3; i += 1) await submitBirth();

    for (const app of apps)
      if (app.child.exitCode !== null) process.stderr.write(`EXITED:\n${app.output().slice(-4000)}\n`);
    for (const app of apps) expect(app.child.exitCode).toBeNull();
    const output = apps.map((a) => a.output()).join('\n');
    expect(output).not.toMatch(/Unhandled|uncaught/i);

    // Every acknowledged birth completes, with one card each.
    const settledBy = Date.now() + 90_000;
    let states: string[] = [];
    while (Date.now() < settledBy) {
      const res = await Promise.all(
        acknowledged.map((procedureId) =>
          unary<object, { procedure: { state: string } }>(
            events,
            'getProcedure',
            { procedureId },
            {
              deadlineMs: 5000,
              metadata: metadata(adminKey),
            },
          ),
        ),
      );
      states = res.map((r) => r.procedure.state);
      if (states.every((s) => s === 'PROCEDURE_STATE_COMPLETED')) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(states).toEqual(acknowledged.map(() => 'PROCEDURE_STATE_COMPLETED'));
    const cards = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM vss.hi_cards WHERE issued_by_procedure = ANY($1::uuid[])`,
      [acknowledged],
    );
    expect(cards.rows[0].n).toBe(acknowledged.length);

    // The run resumes where its committed chunks left it, and completes.
    const final = await reconciliation.watch(run.runId);
    expect(final.state).toBe('RUN_STATE_COMPLETED');
    // Counted once each: the records in scope at the start, plus at most the children whose
    // births completed (each a new participant) while the run went on.
    const processed = Number(final.recordsProcessed);
    expect(processed).toBeGreaterThanOrEqual(Number(final.recordsTotal));
    expect(processed).toBeLessThanOrEqual(Number(final.recordsTotal) + acknowledged.length);
  });
});
