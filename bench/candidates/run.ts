/**
 * FindCandidates benchmark: the time of one candidate search (name and birth date of a record
 * without a citizen ID → ranked registry citizens with their evidence), next to a baseline
 * measured in the same run: ListRuns, the cheapest admin call that reads PostgreSQL through the
 * same TLS, authentication, limits and audit-free path. The registry and the gateway run as
 * processes over TLS, as in production, on a generated population.
 *
 *   npm run bench:candidates                      (1,000,000 citizens, 10,000 calls)
 *   npm run bench:candidates -- --size 300000 --calls 2000
 *
 * Printed: p50, p99 and mean of both, one call in flight (latency) and eight (throughput),
 * their ratios, and how often the true person came first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { Pool } from 'pg';
import { ApiKeys } from '@vss/api-keys';
import { OperatorsRepository } from '@vss/authority';
import { type FindCandidatesRequest, Gender } from '@vss/contracts';
import { LimitOverrides } from '@vss/limits';
import { freePort, startEmbeddedPostgres } from '@vss/persistence';
import { ReconciliationClient } from '../../tools/cli/reconcile-client';
import { benchPki } from '../pki';
import { type AppProcess, startApp } from '../reconcile/processes';
import { freshPopulation } from '../reconcile/setup';

const log = (line: string) => process.stdout.write(`${line}\n`);

interface Sample {
  request: Partial<FindCandidatesRequest>;
  citizenId: string;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function timed(calls: number, inFlight: number, call: (i: number) => Promise<unknown>) {
  const ms: number[] = [];
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < calls) {
      const i = next++;
      const t = performance.now();
      await call(i);
      ms.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const wall = performance.now() - started;
  ms.sort((a, b) => a - b);
  return {
    p50: quantile(ms, 0.5),
    p99: quantile(ms, 0.99),
    mean: ms.reduce((s, x) => s + x, 0) / ms.length,
    perSecond: (calls / wall) * 1000,
  };
}

async function main(): Promise<void> {
  const opts = new Command('bench:candidates')
    .option('--size <n>', 'registry citizens generated', '1000000')
    .option('--calls <n>', 'calls of each kind', '10000')
    .option('--seed <n>', 'generator seed', '42')
    .parse(process.argv)
    .opts<{ size: string; calls: string; seed: string }>();
  const size = Number(opts.size.replace(/_/g, ''));
  const calls = Number(opts.calls);
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-candidates-pg-'));
  const pki = await benchPki();
  const embedded = await startEmbeddedPostgres({ dataDir, throwaway: true, tls: pki.database() });
  const apps: AppProcess[] = [];
  try {
    log(`== ${size.toLocaleString('en-US')} citizens: seeding`);
    const { url } = await freshPopulation(embedded.adminUrl, 'bench_candidates', size, Number(opts.seed));
    await pki.register(url);
    const registryPort = await freePort();
    const registry = startApp('population-registry', {
      DATABASE_URL: url,
      REGISTRY_GRPC_PORT: String(registryPort),
      ...pki.env('population-registry'),
    });
    apps.push(registry);
    await registry.waitFor(/population registry serving/);
    const gatewayPort = await freePort();
    const gateway = startApp('gateway', {
      DATABASE_URL: url,
      REGISTRY_ADDRESS: `127.0.0.1:${registryPort}`,
      LOG_LEVEL: 'info',
      ...pki.env('gateway'),
      OPERATOR_HTTP_PORT: String(await freePort()),
      GATEWAY_GRPC_PORT: String(gatewayPort),
      GATEWAY_HTTP_PORT: String(await freePort()),
    });
    apps.push(gateway);
    await gateway.waitFor(/gateway serving/);

    const pool = new Pool({ connectionString: url, max: 2 });
    let samples: Sample[];
    let apiKey: string;
    try {
      const key = await new ApiKeys(pool).issue({
        role: 'admin',
        label: 'bench:candidates',
        operatorLogin: (
          await new OperatorsRepository(pool).add({
            login: `bench.candidates.${process.pid}`,
            displayName: 'bench:candidates',
            roles: ['operator', 'reviewer'],
            by: 'bench:candidates',
          })
        ).login,
      });
      // Limits it cannot reach: every call pays the limiter's work and none is refused.
      await new LimitOverrides(pool).set(
        key.keyId,
        'rate=100000000,burst=100000000,daily=100000000000,calls=1000000',
        'bench:candidates',
      );
      apiKey = key.apiKey;
      const { rows } = await pool.query<{
        citizen_id: string;
        social_insurance_code: string;
        full_name: string;
        date_of_birth: string;
        gender: string;
        province_code: string;
      }>(
        `SELECT t.citizen_id, t.social_insurance_code, p.full_name, p.date_of_birth, p.gender, p.province_code
           FROM synth.truth t JOIN vss.participants p USING (social_insurance_code)
          WHERE t.outcome = 'MISSING_ID_CANDIDATE' ORDER BY md5(t.social_insurance_code)`,
      );
      samples = rows.map((r) => ({
        citizenId: r.citizen_id,
        request: {
          fullName: r.full_name,
          dateOfBirth: r.date_of_birth,
          gender: r.gender === 'M' ? Gender.GENDER_MALE : Gender.GENDER_FEMALE,
          provinceCode: r.province_code,
          socialInsuranceCode: r.social_insurance_code,
        },
      }));
    } finally {
      await pool.end();
    }
    log(`   ${samples.length} records without a citizen ID to search for, ${calls} calls of each kind`);
    const client = new ReconciliationClient(`127.0.0.1:${gatewayPort}`, apiKey, pki.credentials());
    try {
      // Warm both paths (connections, prepared statements, JIT).
      for (let i = 0; i < 200; i += 1) {
        await client.listRuns({ pageSize: 1 });
        await client.findCandidates(samples[i % samples.length].request);
      }
      let first = 0;
      const rows: string[] = [];
      for (const inFlight of [1, 8]) {
        const baseline = await timed(calls, inFlight, () => client.listRuns({ pageSize: 1 }));
        const search = await timed(calls, inFlight, async (i) => {
          const sample = samples[i % samples.length];
          const found = await client.findCandidates(sample.request);
          if (inFlight === 1 && i < samples.length && found.candidates[0]?.citizenId === sample.citizenId)
            first += 1;
        });
        const f = (x: number) => x.toFixed(2);
        rows.push(
          `| ListRuns (baseline) | ${inFlight} | ${f(baseline.p50)} | ${f(baseline.p99)} | ${f(baseline.mean)} | ${Math.round(baseline.perSecond)} | 1.00 |`,
          `| FindCandidates | ${inFlight} | ${f(search.p50)} | ${f(search.p99)} | ${f(search.mean)} | ${Math.round(search.perSecond)} | ${f(search.p50 / baseline.p50)} (p50), ${f(search.p99 / baseline.p99)} (p99) |`,
        );
      }
      log('\n| call | in flight | p50 ms | p99 ms | mean ms | calls/s | ratio to baseline |');
      log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
      rows.forEach(log);
      const searched = Math.min(calls, samples.length);
      log(
        `\ntrue person first for ${first} of ${searched} searched records (${((first / searched) * 100).toFixed(2)} %)`,
      );
    } finally {
      client.close();
    }
  } finally {
    for (const app of apps.reverse()) await app.stop();
    await embedded.stop();
    pki.remove();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
