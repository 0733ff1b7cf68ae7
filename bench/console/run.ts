/**
 * The console's benchmark: how soon an officer sees a run's page, and how late its live
 * progress is, during a whole-population run (`npm run bench:console`, 1,000,000 citizens;
 * `-- --citizens 20000` for a quick one). The registry, gateway and worker run as processes
 * over TLS, as deployed; the browser is Debian's chromium.
 *
 * - Time to first paint (first-contentful-paint) of a run's page, against the sign-in page of
 *   the same gateway as the baseline (the same layout and scripts, no data): loads alternate.
 * - Delay from a partition's commit to the browser's update: this process LISTENs to the runs'
 *   change notifications (sent at each chunk's commit) and reads the count then; the page notes
 *   when each pushed update landed and the count it shows. Each update is matched with the first
 *   notification whose count had reached it, from the end of the page loads on. Baseline: the
 *   same for a gRPC WatchRun client of the same gateway at the same time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Pool } from 'pg';
import { ApiKeys } from '@vss/api-keys';
import { newTotpSecret, OperatorCredentialsRepository, OperatorsRepository, totpCode } from '@vss/authority';
import { freePort, startEmbeddedPostgres } from '@vss/persistence';
import { ReconciliationClient } from '../../tools/cli/reconcile-client';
import { benchPki } from '../pki';
import { startApp, type AppProcess } from '../reconcile/processes';
import { freshPopulation } from '../reconcile/setup';
import { launchChromium } from '../support/browser';

const log = (line: string) => process.stdout.write(`${line}\n`);

function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const ms = (n: number) => `${n.toFixed(0)} ms`;

/** For each update (time, count shown), the delay since the first commit that reached that count. */
function delays(
  commits: ReadonlyArray<{ at: number; processed: number }>,
  updates: ReadonlyArray<{ at: number; processed: number }>,
): number[] {
  const out: number[] = [];
  for (const u of updates) {
    const commit = commits.find((c) => c.processed >= u.processed);
    if (commit && u.at >= commit.at) out.push(u.at - commit.at);
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      citizens: { type: 'string', default: '1000000' },
      seed: { type: 'string', default: '20241201' },
      loads: { type: 'string', default: '15' },
    },
  });
  const citizens = Number(values.citizens);
  const loads = Number(values.loads);
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-console-'));
  const pgDir = mkdtempSync(join(tmpdir(), 'bench-console-pg-'));
  const pki = await benchPki();
  const embedded = await startEmbeddedPostgres({ dataDir: pgDir, throwaway: true, tls: pki.database() });
  const apps: AppProcess[] = [];
  try {
    log(`seeding ${citizens.toLocaleString('en-US')} citizens…`);
    const { url } = await freshPopulation(embedded.adminUrl, 'bench_console', citizens, Number(values.seed));
    const registryPort = await freePort();
    const registry = startApp('population-registry', {
      DATABASE_URL: url,
      REGISTRY_GRPC_PORT: String(registryPort),
      ...pki.env('population-registry'),
    });
    apps.push(registry);
    await registry.waitFor(/population registry serving/);
    const common = {
      DATABASE_URL: url,
      REGISTRY_ADDRESS: `127.0.0.1:${registryPort}`,
      VSS_DATA_DIR: dataDir,
    };
    const [grpcPort, httpPort] = [await freePort(), await freePort()];
    const gateway = startApp('gateway', {
      ...common,
      ...pki.env('gateway'),
      GATEWAY_GRPC_PORT: String(grpcPort),
      GATEWAY_HTTP_PORT: String(httpPort),
      OPERATOR_HTTP_PORT: String(await freePort()),
    });
    apps.push(gateway);
    await gateway.waitFor(/gateway serving/);
    const worker = startApp('worker', { ...common, ...pki.env('worker') });
    apps.push(worker);
    await worker.waitFor(/taking partition slices/);

    const pool = new Pool({ connectionString: url, max: 2 });
    const login = `bench.console.${process.pid}`;
    await new OperatorsRepository(pool).add({
      login,
      displayName: 'bench:console',
      roles: ['operator', 'reviewer'],
      by: 'bench',
    });
    const secret = newTotpSecret();
    const password = 'bench console password';
    await new OperatorCredentialsRepository(pool).provision(login, { password, totpSecret: secret });
    const key = await new ApiKeys(pool).issue({
      role: 'admin',
      label: 'bench:console',
      operatorLogin: login,
    });
    const client = new ReconciliationClient(`127.0.0.1:${grpcPort}`, key.apiKey, pki.credentials());

    const base = `https://127.0.0.1:${httpPort}`;
    const browser = await launchChromium();
    const context = await browser.newContext({ baseURL: base, ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto('/console/sign-in');
    await page.fill('#login', login);
    await page.fill('#password', password);
    await page.fill('#code', totpCode(secret));
    await Promise.all([
      page.waitForURL('**/console/runs'),
      page.click('form[action="/console/sign-in"] button'),
    ]);

    // Commits as this process hears them, with the count at that moment.
    const commits: Array<{ at: number; processed: number }> = [];
    const listener = new Client({ connectionString: url });
    await listener.connect();
    let runId = '';
    listener.on('notification', (n) => {
      if (n.payload !== runId) return;
      const at = Date.now();
      void pool
        .query<{ n: string }>(
          `SELECT (SELECT coalesce(sum(processed), 0) FROM vss.reconciliation_partitions WHERE run_id = $1)
                  + (SELECT final_processed FROM vss.reconciliation_runs WHERE run_id = $1) AS n`,
          [runId],
        )
        .then(({ rows }) => commits.push({ at, processed: Number(rows[0].n) }));
    });
    await listener.query('LISTEN vss_run_changed');

    const run = await client.startRun({ scope: { all: true }, findMissingIdCandidates: false });
    runId = run.runId;
    const grpcUpdates: Array<{ at: number; processed: number }> = [];
    const watched = client.watch(runId, (r) =>
      grpcUpdates.push({ at: Date.now(), processed: Number(r.recordsProcessed) }),
    );

    // The live page: when each pushed update landed, and the count it shows.
    await page.goto(`/console/runs/${runId}`);
    await page.evaluate(() => {
      const w = globalThis as unknown as {
        updates: Array<{ at: number; processed: number }>;
        document: {
          addEventListener(e: string, f: () => void): void;
          getElementById(id: string): { textContent: string } | null;
        };
      };
      w.updates = [];
      w.document.addEventListener('htmx:afterSwap', () => {
        const shown = w.document.getElementById('run-processed')?.textContent ?? '';
        w.updates.push({ at: Date.now(), processed: Number(shown.replace(/\D/g, '')) });
      });
    });
    // First paint: the run's page and the sign-in page, alternately, while the run goes on.
    const paintOf = async (path: string) => {
      const p = await context.newPage();
      await p.goto(path, { waitUntil: 'load' });
      const fcp = await p.evaluate(
        () =>
          (
            globalThis as unknown as {
              performance: { getEntriesByName(n: string): Array<{ startTime: number }> };
            }
          ).performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
      );
      await p.close();
      return fcp;
    };
    const runPaints: number[] = [];
    const signInPaints: number[] = [];
    for (let i = 0; i < loads; i++) {
      signInPaints.push(await paintOf('/console/sign-in'));
      runPaints.push(await paintOf(`/console/runs/${runId}`));
    }

    // Delays are measured once the page loads are over: on two cores, a browser loading pages
    // beside the live one delays it, and that is not the console's doing.
    const quietFrom = Date.now();
    const final = await watched;
    await page.waitForSelector('#run-live[data-state="COMPLETED"]', { timeout: 60_000 });
    const browserUpdates = await page.evaluate(
      () => (globalThis as unknown as { updates: Array<{ at: number; processed: number }> }).updates,
    );
    await browser.close();
    await listener.end();
    await pool.end();
    client.close();

    const sse = delays(
      commits,
      browserUpdates.filter((u) => u.at >= quietFrom),
    );
    const grpc = delays(
      commits,
      grpcUpdates.filter((u) => u.at >= quietFrom),
    );
    const seconds = (Date.parse(final.finishedAt) - Date.parse(final.startedAt)) / 1000;
    log(
      `\nrun of ${Number(final.recordsProcessed).toLocaleString('en-US')} records in ${seconds.toFixed(0)} s, ${commits.length} commits heard`,
    );
    log('\n| measure | console | baseline | ratio |');
    log('| --- | ---: | ---: | ---: |');
    log(
      `| first paint, p50 (run page / sign-in page, ${loads} loads each) | ${ms(quantile(runPaints, 0.5))} | ${ms(quantile(signInPaints, 0.5))} | ${(quantile(runPaints, 0.5) / quantile(signInPaints, 0.5)).toFixed(2)} |`,
    );
    log(
      `| first paint, p99 | ${ms(quantile(runPaints, 0.99))} | ${ms(quantile(signInPaints, 0.99))} | ${(quantile(runPaints, 0.99) / quantile(signInPaints, 0.99)).toFixed(2)} |`,
    );
    log(
      `| commit → update, p50 (browser by SSE / gRPC WatchRun; ${sse.length} and ${grpc.length} updates) | ${ms(quantile(sse, 0.5))} | ${ms(quantile(grpc, 0.5))} | ${(quantile(sse, 0.5) / quantile(grpc, 0.5)).toFixed(2)} |`,
    );
    log(
      `| commit → update, p99 | ${ms(quantile(sse, 0.99))} | ${ms(quantile(grpc, 0.99))} | ${(quantile(sse, 0.99) / quantile(grpc, 0.99)).toFixed(2)} |`,
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
