import { ensureQueue, type PgBoss, startJobQueue, workLoops } from '@vss/platform';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { waitFor } from '../support/polling';

/**
 * A stopped queue has stopped: when `stop()` returns, no work loop of it is still fetching, no
 * handler of it is still running, and none starts afterwards — whatever was in hand at the
 * moment of the stop. (A loop that outlived its queue's stop took jobs after its process had
 * said it was done, and ended a test process when its timer fired after the test.)
 */
let db: TestDatabase;
const QUEUE = 'stop-probe';

beforeAll(async () => {
  db = await createTestDatabase('jobstop');
});

afterAll(async () => {
  await db?.drop();
});

it('has no loop fetching and no handler running once stop() returns, with jobs still waiting', async () => {
  const sender = await startJobQueue({ url: db.url, expireInSeconds: 30, maintenanceIntervalSeconds: 60 });
  const boss: PgBoss = await startJobQueue({
    url: db.url,
    expireInSeconds: 30,
    maintenanceIntervalSeconds: 60,
  });
  try {
    await ensureQueue(sender, QUEUE);
    await sender.insert(Array.from({ length: 400 }, (_, i) => ({ name: QUEUE, data: { i } })));
    let running = 0;
    let started = 0;
    let stopped = false;
    let startedAfterStop = 0;
    let slowStarted = false;
    await workLoops<{ i: number }>(boss, QUEUE, { loops: 4, pollSeconds: 0.5 }, async () => {
      if (stopped) startedAfterStop += 1;
      started += 1;
      running += 1;
      // One job outlasts the stop's own grace (1 s): its loop is still in hand when that ends.
      const slow = !slowStarted && started >= 20;
      if (slow) slowStarted = true;
      await new Promise((resolve) => setTimeout(resolve, slow ? 2_500 : 15));
      running -= 1;
    });
    await waitFor('a slow job in hand', () => slowStarted, { timeoutMs: 20_000 });

    await boss.stop({ graceful: true, wait: true, timeout: 1_000 });
    stopped = true;
    const startedAtStop = started;

    expect(running).toBe(0);
    // Longer than pg-boss's own 1 s check on its stopping loops, and than a polling interval.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(startedAfterStop).toBe(0);
    expect(started).toBe(startedAtStop);
    expect(started).toBeLessThan(400);
  } finally {
    await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
    await sender.stop({ graceful: false, wait: true }).catch(() => undefined);
  }
});
