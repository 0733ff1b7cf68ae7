import { Counter, register } from 'prom-client';

/** What an audit trail reports on /metrics: group commit at work (entries / batches is the mean batch size). */
export interface AuditStatsSource {
  readonly stats: { batches: number; entries: number };
}

const trails = new Set<AuditStatsSource>();
const total = (read: (a: AuditStatsSource) => number) => [...trails].reduce((n, a) => n + read(a), 0);

/**
 * Counts a trail's batches and entries on this process's registry, summed over its trails
 * (tests run several apps in one process). Read when Prometheus scrapes: the hot path only
 * bumps plain numbers. Returns the undoing.
 */
export function registerAuditMetrics(trail: AuditStatsSource): () => void {
  trails.add(trail);
  for (const [name, help, read] of [
    [
      'vss_audit_batches_total',
      'Audit batches committed (one INSERT and one commit each)',
      (a: AuditStatsSource) => a.stats.batches,
    ],
    ['vss_audit_entries_total', 'Audit entries committed', (a: AuditStatsSource) => a.stats.entries],
  ] as const) {
    if (register.getSingleMetric(name)) continue;
    new Counter({
      name,
      help,
      collect() {
        this.reset();
        this.inc(total(read));
      },
    });
  }
  return () => trails.delete(trail);
}
