import type { Pool } from 'pg';

/** What bench:reconcile (run.ts) prints of a run, beside its figures. */
export const log = (line: string) => process.stdout.write(`${line}\n`);
export const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** When each partition was done, from the run's start, and how long finishing the run took. */
export async function printTimeline(pool: Pool, runId: string): Promise<void> {
  const { rows } = await pool.query<{ partition_no: number; done_s: number; finish_s: number }>(
    `SELECT p.partition_no, extract(epoch FROM p.updated_at - r.started_at)::float8 AS done_s,
            extract(epoch FROM r.finished_at - max(p.updated_at) OVER ())::float8 AS finish_s
       FROM vss.reconciliation_partitions p JOIN vss.reconciliation_runs r USING (run_id)
      WHERE p.run_id = $1 ORDER BY p.partition_no`,
    [runId],
  );
  if (rows.length === 0) return;
  log(
    `   partitions done at ${rows.map((r) => `${r.done_s.toFixed(1)}`).join(', ')} s from the run's start; the run finished ${rows[0].finish_s.toFixed(1)} s after the last`,
  );
  // Each slice's job, as the queue saw it: when a loop took it and when it ended.
  const slices = await pool.query<{ partition_no: number; from_s: number; to_s: number }>(
    `SELECT (j.data->>'partitionNo')::int AS partition_no,
            extract(epoch FROM j.started_on - r.started_at)::float8 AS from_s,
            extract(epoch FROM j.completed_on - r.started_at)::float8 AS to_s
       FROM pgboss.job j JOIN vss.reconciliation_runs r ON r.run_id = (j.data->>'runId')::uuid
      WHERE j.data->>'runId' = $1 AND j.started_on IS NOT NULL AND j.completed_on IS NOT NULL
      ORDER BY j.started_on`,
    [runId],
  );
  const byPartition = new Map<number, string[]>();
  for (const s of slices.rows) {
    const list = byPartition.get(s.partition_no) ?? [];
    list.push(`${s.from_s.toFixed(1)}–${s.to_s.toFixed(1)}`);
    byPartition.set(s.partition_no, list);
  }
  log(
    `   slices (s from the run's start): ${[...byPartition]
      .sort(([a], [b]) => a - b)
      .map(([no, list]) => `#${no} ${list.join(', ')}`)
      .join('; ')}`,
  );
}

/** The statements of the run that took PostgreSQL longest, every database's (registry's too). */
export async function printStatements(pool: Pool): Promise<void> {
  const { rows } = await pool.query<{ ms: number; calls: string; rows: string; query: string }>(
    `SELECT round(total_exec_time)::int AS ms, calls, rows, regexp_replace(query, '\\s+', ' ', 'g') AS query
       FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 15`,
  );
  log('   PostgreSQL, costliest statements of the run (executor ms, calls, rows):');
  for (const r of rows)
    log(
      `   ${String(r.ms).padStart(7)} ${r.calls.padStart(7)} ${r.rows.padStart(9)}  ${r.query.slice(0, 150)}`,
    );
}
