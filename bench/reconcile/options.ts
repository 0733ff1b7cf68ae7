import { Command } from 'commander';

/** The options of bench:reconcile (run.ts), parsed and checked. */
export function benchOptions() {
  const program = new Command('bench:reconcile')
    .option('--size <n>', 'largest population (registry citizens)', '1000000')
    .option('--sizes <list>', 'comma-separated sizes (default: 100000,300000,<size>)')
    .option('--seed <n>', 'generator seed', '42')
    .option(
      '--admin-url <url>',
      'use this PostgreSQL server (maintenance database URL) instead of an embedded one',
    )
    .option('--keep', 'keep the databases', false)
    .option('--pg-stats', "print the run's costliest SQL statements (pg_stat_statements)", false)
    .option(
      '--cpu-prof <dir>',
      "write the worker's CPU profile of the (uncapped) run to this folder; read it with bench/cpu-profile.ts",
    )
    .option(
      '--worker-node-args <args>',
      'extra options for node itself when starting the worker, space-separated (e.g. V8 heap settings to compare)',
      '',
    )
    .option(
      '--app-env <list>',
      'extra environment of the gateway and the worker, comma-separated KEY=VALUE (e.g. RECONCILE_CONCURRENCY=4)',
      '',
    )
    .option(
      '--heap-cap-mb <mb>',
      'at the largest size, run once more with the worker heap capped (--max-old-space-size); 0 skips',
      '192',
    )
    .parse(process.argv);
  const opts = program.opts<{
    size: string;
    sizes?: string;
    seed: string;
    adminUrl?: string;
    keep: boolean;
    heapCapMb: string;
    cpuProf?: string;
    pgStats: boolean;
    workerNodeArgs: string;
    appEnv: string;
  }>();
  const size = Number(opts.size.replace(/_/g, ''));
  const sizes = opts.sizes
    ? opts.sizes.split(',').map((s) => Number(s.replace(/_/g, '')))
    : [...new Set([100_000, 300_000, size].filter((n) => n <= size))];
  return {
    sizes,
    seed: Number(opts.seed),
    adminUrl: opts.adminUrl,
    keep: opts.keep,
    heapCapMb: Number(opts.heapCapMb),
    cpuProfDir: opts.cpuProf,
    pgStats: opts.pgStats,
    workerNodeArgs: opts.workerNodeArgs.split(' ').filter(Boolean),
    appEnv: Object.fromEntries(
      opts.appEnv
        .split(',')
        .filter(Boolean)
        .map((pair) => {
          const at = pair.indexOf('=');
          if (at < 1) throw new Error(`--app-env: ${JSON.stringify(pair)} is not KEY=VALUE`);
          return [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
        }),
    ) as Record<string, string>,
  };
}
