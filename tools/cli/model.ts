import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Pool } from 'pg';
import { RECORD_COLUMNS, recordOfValues } from '@vss/insurance-records';
import {
  grpcChannelCredentials,
  loadConfigWith,
  loadToolsConfig,
  tlsFiles,
  workerConfigSchema,
} from '@vss/platform';
import {
  MatchModels,
  modelDigest,
  modelFileText,
  toRegistryPerson,
  type TrainingReport,
  trainModel,
} from '@vss/reconciliation';
import { RegistryClient } from '@vss/registry-client';
import { requireDatabaseUrl, withDatabase } from './context';

const say = (line: string) => process.stdout.write(`${line}\n`);

export interface TrainFrom {
  pool: Pool;
  registry: RegistryClient;
  records: number;
  version: string;
  randomPairs?: number;
  seed?: number;
  trainedAt?: string;
}

/**
 * Trains a model on a system's data: a sample of our records (spread over the whole table by a
 * hash of the code, the same sample every time) against the registry's whole export.
 */
export async function trainFrom(input: TrainFrom): Promise<TrainingReport> {
  const { rows } = await input.pool.query<unknown[]>({
    text: `SELECT ${RECORD_COLUMNS} FROM vss.participants ORDER BY md5(social_insurance_code) LIMIT $1`,
    values: [input.records],
    rowMode: 'array',
  });
  const registry = input.registry;
  async function* citizens() {
    for await (const page of registry.exportCitizens({ pageSize: 5000 }, { deadlineMs: 6 * 3600_000 }))
      yield page.citizens.map(toRegistryPerson);
  }
  return trainModel(rows.map(recordOfValues), citizens(), {
    name: 'vss-reconciliation',
    version: input.version,
    trainedAt: input.trainedAt ?? new Date().toISOString(),
    randomPairs: input.randomPairs,
    seed: input.seed,
  });
}

export function describeTraining(report: TrainingReport): string[] {
  return [
    ...report.sessions.map(
      (s) =>
        `  ${s.blocking.padEnd(11)} ${s.pairs} pairs, ${s.patterns} patterns, EM ${s.iterations} rounds${
          s.converged ? '' : ' (not converged)'
        }, λ ${s.prior.toPrecision(3)}`,
    ),
  ];
}

/**
 * `model train|show`: the reconciliation model. Training reads the database of DATABASE_URL and
 * the registry the worker reads (REGISTRY_ADDRESS, the worker's TLS files), and writes a model
 * file; put it in models/ on the gateways and workers and name it in RECONCILE_MODEL.
 */
export function registerModelCommands(program: Command): void {
  const model = program
    .command('model')
    .description('the reconciliation matching model: train one, show those installed');

  model
    .command('train')
    .description(
      "estimate a model's m, u and name frequencies from our records and the registry (EM, as Splink)",
    )
    .requiredOption('--version <version>', 'the new model version, e.g. 2027-01-15')
    .requiredOption('--out <file>', 'where to write the model file')
    .option('--records <n>', 'insurance records sampled', '50000')
    .option('--random-pairs <n>', 'random pairs for u', '200000')
    .action(async (opts: { version: string; out: string; records: string; randomPairs: string }) => {
      // Training reads the registry as the worker does: the worker's configuration, validated as the worker validates it.
      const config = loadConfigWith(workerConfigSchema, { DATABASE_URL: requireDatabaseUrl() });
      const registry = new RegistryClient({
        address: config.REGISTRY_ADDRESS,
        credentials: await grpcChannelCredentials(tlsFiles(config, 'worker')),
        deadlineMs: config.REGISTRY_DEADLINE_MS,
      });
      try {
        const report = await withDatabase((pool) =>
          trainFrom({
            pool,
            registry,
            records: Number(opts.records),
            randomPairs: Number(opts.randomPairs),
            version: opts.version,
          }),
        );
        const text = modelFileText(report.model);
        writeFileSync(opts.out, text);
        say(`model ${report.model.version} written to ${opts.out} (sha256 ${modelDigest(text)})`);
        say('pairs per blocking rule of the training sample:');
        describeTraining(report).forEach(say);
      } finally {
        registry.close();
      }
    });

  model
    .command('show')
    .description('the models in models/ and the one new runs use (RECONCILE_MODEL)')
    .action(() => {
      const models = new MatchModels(loadToolsConfig().RECONCILE_MODEL);
      const current = models.current();
      say(`new runs use ${current.model.version} (sha256 ${current.digest})`);
      const m = current.model;
      say(`  trained ${m.trainedAt} on ${JSON.stringify(m.training)}`);
      say(
        `  prior ${m.priorMatchProbability}, candidate ≥ ${m.thresholds.candidate}, match ≥ ${m.thresholds.match}`,
      );
    });
}
