import { loadPopulation } from '@vss/synthetic';
import { startSystem, type System } from './support';

/**
 * Cancelling a running run: the worker notices at its next chunk, commits nothing more, and
 * the scope is free for a new run at once.
 */

let system: System;

beforeAll(async () => {
  system = await startSystem('reconcancel', {
    seed: (pool) =>
      loadPopulation(pool, { citizens: 3000, seed: 7, asOf: '2025-10-01' }).then(() => undefined),
    // Pages of 20 citizens: some 150 chunks, so the run is still going when it is cancelled.
    workerConfig: { RECONCILE_EXPORT_PAGE_SIZE: 20, RECONCILE_CHUNK_SIZE: 20 },
  });
});

afterAll(() => system?.stop());

const checkpoints = async (runId: string) =>
  (
    await system.pool.query(
      `SELECT partition_no, checkpoint, processed FROM vss.reconciliation_partitions WHERE run_id = $1 ORDER BY 1`,
      [runId],
    )
  ).rows;

it('stops a running run at the next chunk and commits nothing after the cancel', async () => {
  const run = await system.admin.startRun({ scope: { all: true }, findMissingIdCandidates: true });
  let cancelled = false;
  const final = await system.admin.watch(run.runId, (r) => {
    if (!cancelled && r.state === 'RUN_STATE_RUNNING' && Number(r.recordsProcessed) > 0) {
      cancelled = true;
      void system.admin.cancelRun(run.runId);
    }
  });
  expect(final.state).toBe('RUN_STATE_CANCELLED');
  const atCancel = await checkpoints(run.runId);
  // Long enough for several chunks of a worker that had not noticed.
  await new Promise((r) => setTimeout(r, 1500));
  expect(await checkpoints(run.runId)).toEqual(atCancel);
  const after = await system.admin.getRun(run.runId);
  expect(Number(after.recordsProcessed)).toBeLessThan(Number(after.recordsTotal));
  expect(after.state).toBe('RUN_STATE_CANCELLED');
});

it('lets the same scope run again to completion after a cancel', async () => {
  const run = await system.runToEnd({ scope: { all: true } });
  expect(run.state).toBe('RUN_STATE_COMPLETED');
  expect(run.recordsProcessed).toBe(run.recordsTotal);
});
