/**
 * Trains the shipped reconciliation model on a generated population, the way an operator trains
 * one on real data (`npm run cli -- model train`): the same trainer, against a fresh database
 * seeded by libs/synthetic and the registry stub serving over TLS.
 *
 *   npm run model:train:synthetic -- --citizens 300000 --version 2026-12-01 --out models/2026-12-01.json
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { Pool } from 'pg';
import { freePort, startEmbeddedPostgres } from '@vss/persistence';
import { modelDigest, modelFileText } from '@vss/reconciliation';
import { RegistryClient } from '@vss/registry-client';
import { describeTraining, trainFrom } from '../../tools/cli/model';
import { benchPki } from '../pki';
import { startApp } from './processes';
import { freshPopulation } from './setup';

async function main() {
  const opts = new Command('model:train:synthetic')
    .option('--citizens <n>', 'registry citizens generated', '300000')
    .option('--records <n>', 'insurance records sampled', '50000')
    .option('--seed <n>', 'generator seed', '7')
    .requiredOption('--version <version>')
    .requiredOption('--out <file>')
    .parse(process.argv)
    .opts<{ citizens: string; records: string; seed: string; version: string; out: string }>();
  const dataDir = mkdtempSync(join(tmpdir(), 'vss-train-'));
  const pki = await benchPki();
  const embedded = await startEmbeddedPostgres({ dataDir, throwaway: true, tls: pki.database() });
  try {
    const { url } = await freshPopulation(
      embedded.adminUrl,
      'train',
      Number(opts.citizens),
      Number(opts.seed),
    );
    const port = await freePort();
    const registryApp = startApp('population-registry', {
      DATABASE_URL: url,
      REGISTRY_GRPC_PORT: String(port),
      ...pki.env('population-registry'),
    });
    await registryApp.waitFor(/population registry serving/);
    const registry = new RegistryClient({
      address: `127.0.0.1:${port}`,
      credentials: pki.credentials('worker'),
      deadlineMs: 30_000,
    });
    const pool = new Pool({ connectionString: url, max: 2 });
    try {
      const report = await trainFrom({
        pool,
        registry,
        records: Number(opts.records),
        version: opts.version,
        trainedAt: new Date().toISOString(),
      });
      report.model.training = {
        ...report.model.training,
        population: `libs/synthetic, ${opts.citizens} citizens, seed ${opts.seed}`,
      };
      const text = modelFileText(report.model);
      writeFileSync(opts.out, text);
      process.stdout.write(`model ${opts.version} written to ${opts.out} (sha256 ${modelDigest(text)})\n`);
      describeTraining(report).forEach((l) => process.stdout.write(`${l}\n`));
    } finally {
      registry.close();
      await pool.end();
      await registryApp.stop();
    }
  } finally {
    await embedded.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
