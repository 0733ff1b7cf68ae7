import fc from 'fast-check';
import { Pool } from 'pg';
import { allowedChanges } from '@vss/domain';
import { RUN_TRANSITIONS, type RunState } from '@vss/domain/reconciliation-runs';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { PartitionsRepository } from '../src/partitions.repository';
import { RunsRepository } from '../src/runs.repository';
import { newPartition, newRun } from './factories';

/**
 * A run's state changes only as RUN_TRANSITIONS allows: random sequences of what the gateway and
 * the workers do to a run — start it, commit its partition's last chunk, finish it, cancel it,
 * fail it — in any order, on a real database, never write a change the table does not name, and
 * a refused one writes nothing.
 */
let db: TestDatabase;
let pool: Pool;
let runs: RunsRepository;
let partitions: PartitionsRepository;

beforeAll(async () => {
  db = await createTestDatabase('runtransitions');
  pool = new Pool({ connectionString: db.url, max: 4 });
  runs = new RunsRepository(pool, pool);
  partitions = new PartitionsRepository(pool);
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

type Op = 'start' | 'finishPartition' | 'complete' | 'cancel' | 'fail';
// The way to completion (start, the last chunk, the finish) more often than the ways out of it.
const OP = fc.oneof(
  { arbitrary: fc.constantFrom<Op>('start', 'finishPartition', 'complete'), weight: 4 },
  { arbitrary: fc.constantFrom<Op>('cancel', 'fail'), weight: 1 },
);
const ALLOWED = allowedChanges(RUN_TRANSITIONS);

async function stateOf(runId: string): Promise<{ state: RunState; changed: string }> {
  const { rows } = await pool.query(
    `SELECT state, concat_ws('|', state, started_at, finished_at, error, final_processed) AS changed
       FROM vss.reconciliation_runs WHERE run_id = $1`,
    [runId],
  );
  return rows[0];
}

async function perform(op: Op, runId: string): Promise<void> {
  switch (op) {
    case 'start':
      await runs.start(runId, async () => 10);
      return;
    case 'finishPartition': {
      const partition = await partitions.partition(runId, 0);
      if (!partition || partition.done) return;
      const commit = { partition, through: 'z', done: true, processed: 1, counts: {}, addTotal: 0 };
      await partitions.commit({ ...commit, findings: [], candidates: [] });
      return;
    }
    case 'complete':
      await runs.whenAllDone(runId, (client) => runs.complete(client, runId, { processed: 0, counts: {} }));
      return;
    case 'cancel':
      await runs.cancel(runId, async () => undefined);
      return;
    case 'fail':
      await runs.fail(runId, 'its jobs failed');
      return;
  }
}

describe('run transitions', () => {
  it('writes only the state changes the transition table names, whatever the order of operations', async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(OP, { minLength: 1, maxLength: 10 }), async (ops) => {
        const runId = await newRun(pool, { state: 'QUEUED' });
        await newPartition(pool, { runId, kind: 'RECORDS' });
        let before = await stateOf(runId);
        for (const op of ops) {
          await perform(op, runId);
          const after = await stateOf(runId);
          if (after.state !== before.state) {
            const change = `${before.state}→${after.state}`;
            seen.add(change);
            expect({ op, change, allowed: ALLOWED.has(change) }).toEqual({ op, change, allowed: true });
          } else if (after.state !== 'QUEUED' && after.state !== 'RUNNING') {
            expect(after.changed).toBe(before.changed); // a finished run is left as it is
          }
          before = after;
        }
      }),
      { numRuns: 100 },
    );
    for (const change of ['QUEUED→RUNNING', 'RUNNING→COMPLETED', 'QUEUED→CANCELLED', 'RUNNING→FAILED']) {
      expect(seen).toContain(change);
    }
  });
});
