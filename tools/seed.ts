/**
 * Seeds a database with a synthetic population: registry citizens (npd), insurance records
 * (vss) and the truth of every injected discrepancy (synth).
 *
 *   node dist/tools/seed.js --citizens 1000000 [--seed 42] [--reset] [--database-url URL]
 *
 * Without --database-url or DATABASE_URL it starts the embedded PostgreSQL in .data/postgres
 * (the one `npm start` uses), seeds its `vss` database and stops it again.
 */
import { migrateAll } from './schemas';
import { Command, InvalidArgumentError, Option } from 'commander';
import { dirname } from 'node:path';
import { createPool, type EmbeddedDatabase, redactUrl } from '@vss/persistence';
import { loadToolsConfig } from '@vss/platform';
import { localDatabase } from './local-database';
import {
  AlreadySeededError,
  DEFAULT_SEED,
  DISCREPANCY_KINDS,
  type DiscrepancyKind,
  type DiscrepancyRates,
  loadPopulation,
  type LoadProgress,
} from '@vss/synthetic';

interface CliOptions {
  citizens: number;
  seed: number;
  asOf?: string;
  reset: boolean;
  databaseUrl?: string;
  dataDir: string;
  batchSize: number;
  rate?: Partial<DiscrepancyRates>;
}

function wholeNumber(value: string): number {
  const n = Number(value.replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number ≥ 0');
  return n;
}

function rateOption(value: string, previous: Partial<DiscrepancyRates> = {}): Partial<DiscrepancyRates> {
  const [kind, share] = value.split('=');
  if (!DISCREPANCY_KINDS.includes(kind as DiscrepancyKind)) {
    throw new InvalidArgumentError(`unknown discrepancy ${kind}; one of ${DISCREPANCY_KINDS.join(', ')}`);
  }
  const rate = Number(share);
  if (!Number.isFinite(rate) || rate < 0 || rate > 1) throw new InvalidArgumentError('rate must be 0–1');
  return { ...previous, [kind]: rate };
}

function parseArgs(argv: string[]): CliOptions {
  const program = new Command()
    .name('seed')
    .description('Load a deterministic synthetic population (registry, insurance records, truth) with COPY.')
    .option('-n, --citizens <count>', 'registry citizens to generate', wholeNumber, 10_000)
    .option('--seed <n>', 'random seed: the same seed gives the same data', wholeNumber, DEFAULT_SEED)
    .option('--as-of <date>', 'reference date (YYYY-MM-DD) the data\'s "today" is; default today in Vietnam')
    .option('--reset', 'empty the population tables first', false)
    .addOption(new Option('--database-url <url>', 'PostgreSQL URL').env('DATABASE_URL'))
    .option(
      '--data-dir <dir>',
      'embedded PostgreSQL data folder',
      `${loadToolsConfig().VSS_DATA_DIR}/postgres`,
    )
    .option('--batch-size <n>', 'citizens per COPY batch', wholeNumber, 5_000)
    .option(
      '--rate <kind=share>',
      'discrepancy rate per participant, repeatable (e.g. NAME_TYPO=0.01)',
      rateOption,
    )
    .showHelpAfterError();
  program.parse(argv);
  return program.opts<CliOptions>();
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

function progressPrinter(total: number): (p: LoadProgress) => void {
  const interactive = process.stdout.isTTY;
  let lastPrinted = 0;
  return (p) => {
    const rows = Object.values(p.rows).reduce((sum, n) => sum + n, 0);
    const rate = rows / Math.max(0.001, p.elapsedMs / 1000);
    const line =
      `  ${formatCount(p.citizensDone)} / ${formatCount(total)} citizens, ${formatCount(rows)} rows, ` +
      `${formatCount(Math.round(rate))} rows/s`;
    if (interactive) process.stdout.write(`\r${line}   `);
    else if (p.elapsedMs - lastPrinted >= 5000 || p.citizensDone === total) {
      lastPrinted = p.elapsedMs;
      console.log(line);
    }
  };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv);
  let embedded: EmbeddedDatabase | undefined;
  const stopEmbedded = async () => {
    await embedded?.stop().catch(() => undefined);
  };
  process.once('SIGINT', () => {
    void stopEmbedded().finally(() => process.exit(130));
  });

  try {
    let url = options.databaseUrl;
    if (!url) {
      console.log(`no DATABASE_URL: starting embedded PostgreSQL in ${options.dataDir}`);
      const local = await localDatabase(dirname(options.dataDir));
      embedded = local.embedded;
      url = local.prepared.ownerUrl;
    } else {
      await migrateAll(url);
    }
    console.log(
      `seeding ${formatCount(options.citizens)} citizens (seed ${options.seed}` +
        `${options.asOf ? `, as of ${options.asOf}` : ''}) into ${redactUrl(url)}`,
    );
    const pool = createPool(url, 2, 'seed');
    try {
      const report = await loadPopulation(pool, {
        citizens: options.citizens,
        seed: options.seed,
        asOf: options.asOf,
        rates: options.rate,
        reset: options.reset,
        batchSize: options.batchSize,
        onProgress: progressPrinter(options.citizens),
      });
      if (process.stdout.isTTY) process.stdout.write('\n');
      console.log(`as of ${report.options.asOf}, seed ${report.options.seed}:`);
      for (const [table, count] of Object.entries(report.rows)) {
        console.log(`  ${table.padEnd(22)} ${formatCount(count).padStart(12)}`);
      }
      const peakRssMb = process.resourceUsage().maxRSS / 1024;
      console.log(
        `${formatCount(report.totalRows)} rows in ${report.seconds.toFixed(1)} s ` +
          `(${formatCount(Math.round(report.rowsPerSecond))} rows/s, peak RSS ${peakRssMb.toFixed(0)} MB)`,
      );
    } finally {
      await pool.end();
    }
  } finally {
    await stopEmbedded();
  }
}

main().catch((error: unknown) => {
  if (error instanceof AlreadySeededError) console.error(`seed refused: ${error.message} (pass --reset)`);
  else console.error(`seed failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
