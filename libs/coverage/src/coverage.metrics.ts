import { Counter, Gauge, register } from 'prom-client';

/** What the coverage cache reports on /metrics, summed over this process's gateways. */
export interface CoverageStatsSource {
  readonly stats: { hits: number; misses: number; queries: number; invalidations: number };
  readonly size: number;
}

const sources = new Set<CoverageStatsSource>();

function sum(f: (s: CoverageStatsSource) => number): number {
  let total = 0;
  for (const s of sources) total += f(s);
  return total;
}

/**
 * Counters are read from the sources when Prometheus scrapes, not incremented per call: the
 * lookup's hot path only bumps plain numbers.
 */
function counter(name: string, help: string, read: (s: CoverageStatsSource) => number): void {
  if (register.getSingleMetric(name)) return;
  new Counter({
    name,
    help,
    collect() {
      this.reset();
      this.inc(sum(read));
    },
  });
}

export function registerCoverageMetrics(source: CoverageStatsSource): () => void {
  sources.add(source);
  counter(
    'vss_coverage_cache_hits_total',
    'Lookups answered from the in-process coverage cache',
    (s) => s.stats.hits,
  );
  counter('vss_coverage_cache_misses_total', 'Lookups that read the database', (s) => s.stats.misses);
  counter('vss_coverage_queries_total', 'Coverage queries sent (misses share them)', (s) => s.stats.queries);
  counter(
    'vss_coverage_cache_invalidations_total',
    'Change notifications heard (LISTEN vss_coverage_changed)',
    (s) => s.stats.invalidations,
  );
  if (!register.getSingleMetric('vss_coverage_cache_entries')) {
    new Gauge({
      name: 'vss_coverage_cache_entries',
      help: 'Citizens whose records are cached',
      collect() {
        this.set(sum((s) => s.size));
      },
    });
  }
  return () => sources.delete(source);
}
