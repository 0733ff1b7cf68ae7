import { Pool } from 'pg';
import type { Caller } from '@vss/security';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { AuditAction, AuditTrail } from '../src';

/** The audit trail's group commit on a real database: durable when resolved, batched, append-only. */
let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await createTestDatabase('audittrail');
  pool = new Pool({ connectionString: db.url, max: 6 });
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
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
    action: AuditAction.CoverageLookup,
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
        {
          caller: 'BV Hà Nội (k1)',
          outcome: 'COVERED',
          // The database login that appended it, recorded by the append function.
          detail: { identity: 'NOT_CHECKED', n: 1, db_login: new URL(db.url).username },
        },
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
