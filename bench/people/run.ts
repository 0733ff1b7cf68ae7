/**
 * `npm run bench:people [-- --entries N --loads N]`
 *
 * "Who looked me up": how long the console's page of a person takes with 1,000,000 entries in
 * the audit chain (`--entries`), the person among them with a few hundred accesses by many
 * facilities. The registry and gateway run as processes over TLS, as deployed; the browser is
 * Debian's chromium, signed in as an auditor.
 *
 * - The person's page: from navigation to the load event in the browser (the page reads the
 *   person's records, procedures, findings and the first page of the access history, and
 *   records its own reading in the chain before it answers).
 * - Baseline, alternating with it: gRPC ListAccessHistory of the same person (the first page,
 *   also recorded in the chain) from this process, through the same gateway.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { Pool } from 'pg';
import { ApiKeys } from '@vss/api-keys';
import { AuditTrail, type AuditEntry } from '@vss/audit';
import { newTotpSecret, OperatorCredentialsRepository, OperatorsRepository, totpCode } from '@vss/authority';
import { freePort, startEmbeddedPostgres } from '@vss/persistence';
import { serviceClient, unary } from '@vss/registry-client';
import { benchPki } from '../pki';
import { startApp, type AppProcess } from '../reconcile/processes';
import { freshPopulation } from '../reconcile/setup';
import { launchChromium } from '../support/browser';

const log = (line = '') => process.stdout.write(`${line}\n`);
const ms = (n: number) => `${n.toFixed(0)} ms`;

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** One access: to the demo person every `every`-th entry, else to someone of the population. */
function entry(n: number, person: string, others: readonly string[], every: number): AuditEntry {
  const facility = String(1001 + (n % 400)).padStart(5, '0');
  return {
    caller: { id: `key${facility}`, label: `facility ${facility}`, role: 'clinic', facilityCode: facility },
    action: 'coverage.lookup',
    subjectCitizenId: n % every === 0 ? person : others[n % others.length],
    purpose: 'reception',
    outcome: 'COVERED',
    detail: { identity: 'NOT_CHECKED', visit_date: '2026-12-01', channel: 'grpc', subject: 'citizen_id' },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      entries: { type: 'string', default: '1000000' },
      citizens: { type: 'string', default: '20000' },
      every: { type: 'string', default: '3000' },
      loads: { type: 'string', default: '20' },
    },
  });
  const entries = Number(values.entries);
  const every = Number(values.every);
  const loads = Number(values.loads);
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-people-'));
  const pgDir = mkdtempSync(join(tmpdir(), 'bench-people-pg-'));
  const pki = await benchPki();
  const embedded = await startEmbeddedPostgres({ dataDir: pgDir, throwaway: true, tls: pki.database() });
  const apps: AppProcess[] = [];
  try {
    const { url } = await freshPopulation(
      embedded.adminUrl,
      'bench_people',
      Number(values.citizens),
      20241201,
    );
    const pool = new Pool({ connectionString: url, max: 8 });
    const { rows: people } = await pool.query<{ citizen_id: string }>(
      `SELECT p.citizen_id FROM vss.participants p JOIN vss.hi_cards USING (social_insurance_code)
        WHERE p.citizen_id IS NOT NULL ORDER BY p.social_insurance_code LIMIT 5000`,
    );
    const person = people[0].citizen_id;
    const others = people.slice(1).map((p) => p.citizen_id);
    log(`appending ${entries.toLocaleString('en-US')} audit entries (1 in ${every} about the demo person)…`);
    const trail = new AuditTrail(pool, { flushMs: 2, maxBatch: 500 });
    let next = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < entries) await trail.record(entry(next++, person, others, every));
      }),
    );
    await trail.close();
    await pool.query('VACUUM (ANALYZE) vss.audit_events');

    const registryPort = await freePort();
    const registry = startApp('population-registry', {
      DATABASE_URL: url,
      REGISTRY_GRPC_PORT: String(registryPort),
      ...pki.env('population-registry'),
    });
    apps.push(registry);
    await registry.waitFor(/population registry serving/);
    const [grpcPort, httpPort] = [await freePort(), await freePort()];
    const gateway = startApp('gateway', {
      DATABASE_URL: url,
      REGISTRY_ADDRESS: `127.0.0.1:${registryPort}`,
      VSS_DATA_DIR: dataDir,
      ...pki.env('gateway'),
      GATEWAY_GRPC_PORT: String(grpcPort),
      GATEWAY_HTTP_PORT: String(httpPort),
      OPERATOR_HTTP_PORT: String(await freePort()),
    });
    apps.push(gateway);
    await gateway.waitFor(/gateway serving/);

    const login = `bench.people.${process.pid}`;
    await new OperatorsRepository(pool).add({
      login,
      displayName: 'bench:people',
      roles: ['auditor'],
      by: 'bench',
    });
    const secret = newTotpSecret();
    const password = 'bench people password';
    await new OperatorCredentialsRepository(pool).provision(login, { password, totpSecret: secret });
    const key = await new ApiKeys(pool).issue({ role: 'admin', label: 'bench:people', operatorLogin: login });
    const Coverage = serviceClient(['vss/gateway/v1/coverage.proto'], 'vss.gateway.v1.CoverageService');
    const coverage = new Coverage(`127.0.0.1:${grpcPort}`, pki.credentials());
    const metadata = new grpc.Metadata();
    metadata.set('x-api-key', key.apiKey);
    const history = async () => {
      const started = performance.now();
      await unary(
        coverage,
        'listAccessHistory',
        { citizenId: person, pageSize: 50 },
        { deadlineMs: 30_000, metadata },
      );
      return performance.now() - started;
    };

    const browser = await launchChromium();
    const context = await browser.newContext({
      baseURL: `https://127.0.0.1:${httpPort}`,
      ignoreHTTPSErrors: true,
    });
    const page = await context.newPage();
    await page.goto('/console/sign-in');
    await page.fill('#login', login);
    await page.fill('#password', password);
    await page.fill('#code', totpCode(secret));
    await Promise.all([
      page.waitForURL('**/console/runs'),
      page.click('form[action="/console/sign-in"] button'),
    ]);
    await page.goto('/console/people');
    await page.fill('#citizen_id', person);
    await Promise.all([page.waitForURL('**/console/people/view'), page.click('#person-search button')]);
    const shown = await page.locator('#access-history tbody tr').count();

    const pageLoads: number[] = [];
    const rpcs: number[] = [];
    await history(); // warm
    for (let i = 0; i < loads; i++) {
      rpcs.push(await history());
      const started = performance.now();
      await page.goto('/console/people/view', { waitUntil: 'load' });
      pageLoads.push(performance.now() - started);
    }
    await browser.close();
    coverage.close();
    const { rows } = await pool.query<{ n: string; mine: string }>(
      `SELECT (SELECT max(seq) FROM vss.audit_events)::text AS n,
              (SELECT count(*) FROM vss.audit_events WHERE subject_citizen_id = $1)::text AS mine`,
      [person],
    );
    await pool.end();

    log(
      `\n${Number(rows[0].n).toLocaleString('en-US')} entries in the chain, ${rows[0].mine} about the person; the page shows ${shown} a page`,
    );
    log('\n| measure | person page | gRPC ListAccessHistory | ratio |');
    log('| --- | ---: | ---: | ---: |');
    for (const [name, q] of [
      ['p50', 0.5],
      ['p95', 0.95],
      ['max', 1],
    ] as const) {
      log(
        `| ${name} (${loads} loads each) | ${ms(quantile(pageLoads, q))} | ${ms(quantile(rpcs, q))} | ${(quantile(pageLoads, q) / quantile(rpcs, q)).toFixed(2)} |`,
      );
    }
    log(
      `\nunder a second: ${quantile(pageLoads, 1) < 1000 ? 'yes' : 'NO'} (slowest load ${ms(quantile(pageLoads, 1))})`,
    );
  } finally {
    for (const app of apps.reverse()) await app.stop();
    await embedded.stop();
    pki.remove();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(pgDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
