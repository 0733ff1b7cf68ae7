import { Pool } from 'pg';
import { AppError, ErrorClass } from '@vss/platform';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { ApiKeys } from '@vss/api-keys';
import { AuditTrail } from '@vss/audit';
import { ChangeFeed } from '@vss/platform';
import type { Caller } from '../src';

let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await createTestDatabase('security');
  pool = new Pool({ connectionString: db.url, max: 6 });
  await pool.query(
    `INSERT INTO vss.facilities (facility_code, name, province_code) VALUES ('01001', 'BV Hà Nội', '001')`,
  );
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

const waitFor = async (condition: () => Promise<boolean> | boolean, timeoutMs = 5000) => {
  const until = Date.now() + timeoutMs;
  while (!(await condition()) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
};

describe('ApiKeys', () => {
  it('issues a key whose secret is stored only as a hash, and authenticates it as its caller', async () => {
    const keys = new ApiKeys(pool);
    const issued = await keys.issue({ role: 'clinic', facilityCode: '01001', label: 'BV Hà Nội' });
    expect(issued.apiKey).toMatch(/^vss_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    const stored = await pool.query('SELECT secret_sha256 FROM vss.api_keys WHERE key_id = $1', [
      issued.keyId,
    ]);
    expect(stored.rows[0].secret_sha256.toString('utf8')).not.toContain(issued.apiKey.slice(17));
    expect(await keys.authenticate(issued.apiKey)).toEqual({
      id: issued.keyId,
      label: 'BV Hà Nội',
      role: 'clinic',
      facilityCode: '01001',
      officeCode: undefined,
      via: 'api-key',
    });
  });

  it('refuses keys for clinics without a known facility and civil registries without an office', async () => {
    const keys = new ApiKeys(pool);
    for (const request of [
      { role: 'clinic' as const, label: 'x' },
      { role: 'clinic' as const, facilityCode: '99999', label: 'x' },
      { role: 'civil-registry' as const, label: 'x' },
    ]) {
      expect((await refusal(keys.issue(request))).errorClass).toBe(ErrorClass.InvalidArgument);
    }
  });

  it('refuses a missing, malformed, unknown or wrong-secret key as UNAUTHENTICATED', async () => {
    const keys = new ApiKeys(pool);
    const issued = await keys.issue({ role: 'admin', label: 'ops' });
    const wrongSecret = `${issued.apiKey.slice(0, 17)}${'B'.repeat(43)}`;
    for (const presented of [undefined, '', 'nope', `vss_zzzzzzzzzzzz_${'A'.repeat(43)}`, wrongSecret]) {
      expect((await refusal(keys.authenticate(presented))).errorClass).toBe(ErrorClass.Unauthenticated);
    }
  });

  it('hears a revocation made by another process at once, though the key was cached', async () => {
    const gateway = new ApiKeys(pool);
    const operator = new ApiKeys(pool);
    await gateway.watchRevocations('test:api-keys-listen');
    try {
      const issued = await operator.issue({ role: 'clinic', facilityCode: '01001', label: 'soon revoked' });
      await gateway.authenticate(issued.apiKey); // cached now, for a minute while the feed is live
      await operator.revoke(issued.keyId);
      let refused: AppError | undefined;
      await waitFor(async () => {
        refused = await gateway.authenticate(issued.apiKey).then(
          () => undefined,
          (e: AppError) => e,
        );
        return refused !== undefined;
      }, 3000); // well inside the 5 s a cached key lives without the feed

      expect(refused?.message).toMatch(/revoked/);
    } finally {
      await gateway.close();
    }
  });
});

describe('AuditTrail', () => {
  const caller: Caller = {
    id: 'k1',
    label: 'BV Hà Nội',
    role: 'clinic',
    facilityCode: '01001',
    via: 'api-key',
  };
  const entry = (i: number) => ({
    caller,
    action: 'coverage.lookup',
    subjectCitizenId: `0010850${String(i).padStart(5, '0')}`,
    purpose: 'reception',
    outcome: 'COVERED',
    detail: { identity: 'NOT_CHECKED', n: i },
  });

  it('resolves each record once it is committed: another connection sees it at once', async () => {
    const trail = new AuditTrail(pool, { flushMs: 2, maxBatch: 500 });
    const { eventId: id } = await trail.record(entry(1));
    const other = new Pool({ connectionString: db.url, max: 1 });
    try {
      const { rows } = await other.query(
        'SELECT caller, outcome, detail FROM vss.audit_events WHERE event_id = $1',
        [id],
      );
      expect(rows).toEqual([
        { caller: 'BV Hà Nội (k1)', outcome: 'COVERED', detail: { identity: 'NOT_CHECKED', n: 1 } },
      ]);
    } finally {
      await other.end();
      await trail.close();
    }
  });

  it('commits concurrent records together, in fewer batches than records', async () => {
    const trail = new AuditTrail(pool, { flushMs: 2, maxBatch: 50 });
    const ids = (await Promise.all(Array.from({ length: 300 }, (_, i) => trail.record(entry(i))))).map(
      (r) => r.eventId,
    );
    expect(new Set(ids).size).toBe(300);
    expect(trail.stats.entries).toBe(300);
    expect(trail.stats.batches).toBeLessThan(300);
    expect(trail.stats.batches).toBeGreaterThanOrEqual(6); // never more than maxBatch in one INSERT
    const { rows } = await pool.query(
      'SELECT count(*)::int AS n FROM vss.audit_events WHERE event_id = ANY($1::uuid[])',
      [ids],
    );
    expect(rows[0].n).toBe(300);
    await trail.close();
  });

  it('rejects the records of a batch the database refused, and refuses records once closed', async () => {
    const broken = new Pool({ connectionString: db.url.replace(/\/[^/]+$/, '/no_such_database'), max: 1 });
    broken.on('error', () => undefined);
    const trail = new AuditTrail(broken, { flushMs: 1, maxBatch: 10 });
    await expect(trail.record(entry(1))).rejects.toThrow();
    await trail.close();
    await expect(trail.record(entry(2))).rejects.toThrow(/closed/);
    await broken.end();
  });

  it('is append-only: the table refuses updates and deletes', async () => {
    await expect(pool.query(`UPDATE vss.audit_events SET outcome = 'X'`)).rejects.toThrow(/append-only/);
    await expect(pool.query(`DELETE FROM vss.audit_events`)).rejects.toThrow(/append-only/);
  });
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
      await waitFor(() => heard.includes('one'));
      expect(heard).toEqual(['one']);
      const resetsBefore = resets;
      await pool.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'test:feed'`,
      );
      await waitFor(() => resets >= resetsBefore + 2 && feed.live); // lost, then listening again
      expect(feed.live).toBe(true);
      await pool.query(`SELECT pg_notify('test_channel', 'two')`);
      await waitFor(() => heard.includes('two'));
      expect(heard).toContain('two');
    } finally {
      await feed.close();
    }
    expect(feed.live).toBe(false);
  });
});
