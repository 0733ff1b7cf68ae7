import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { waitFor } from '../../../test/support/polling';
import { ChangeFeed } from '../src';

/** LISTEN/NOTIFY on a real database: notifications delivered, a killed connection reset and reopened. */
let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await createTestDatabase('changefeed');
  pool = new Pool({ connectionString: db.url, max: 6 });
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

describe('ChangeFeed', () => {
  it('delivers committed notifications, and resets and reconnects when its connection is killed', async () => {
    const heard: string[] = [];
    let resets = 0;
    const feed = new ChangeFeed(
      pool,
      { channels: ['test_channel'], applicationName: 'test:feed', backoffMs: 20 },
      { onChange: (_c, payload) => heard.push(payload), onReset: () => resets++ },
    );
    await feed.start();
    try {
      expect(feed.live).toBe(true);
      await pool.query(`SELECT pg_notify('test_channel', 'one')`);
      await waitFor('the first notification', () => heard.includes('one'));
      expect(heard).toEqual(['one']);
      const resetsBefore = resets;
      await pool.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'test:feed'`,
      );
      await waitFor('the feed lost and listening again', () => resets >= resetsBefore + 2 && feed.live);
      expect(feed.live).toBe(true);
      await pool.query(`SELECT pg_notify('test_channel', 'two')`);
      await waitFor('the second notification', () => heard.includes('two'));
      expect(heard).toContain('two');
    } finally {
      await feed.close();
    }
    expect(feed.live).toBe(false);
  });
});
