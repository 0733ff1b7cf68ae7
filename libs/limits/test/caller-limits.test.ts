import { Pool } from 'pg';
import pino from 'pino';
import { LimitSpecError, ROLE_DEFAULTS } from '@vss/domain';
import { AppError, ErrorClass } from '@vss/platform';
import type { Caller } from '@vss/security';
import { newKey } from '../../api-keys/test/factories';
import { newFacility } from '../../insurance-records/test/factories';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { waitFor } from '../../../test/support/polling';
import { CallerLimits, quotaKeyOf, LimitOverrides } from '../src';

/**
 * Callers' limits on a real database: a key's own limits checked against its role, stored and
 * cleared; and a daily quota that two gateways on one database hold together, through the
 * usage each writes at its sync.
 */
let db: TestDatabase;
let pool: Pool;
let overrides: LimitOverrides;
let clinic: Caller;
let admin: Caller;

beforeAll(async () => {
  db = await createTestDatabase('limits');
  pool = new Pool({ connectionString: db.url, max: 6 });
  overrides = new LimitOverrides(pool);
  await newFacility(pool, { facilityCode: '01001', name: 'Trạm Y tế phường Phúc Xá' });
  await newFacility(pool, { facilityCode: '01002', name: 'Trạm Y tế phường Trúc Bạch' });
  clinic = (await newKey(pool, { role: 'clinic', facilityCode: '01001' })).caller;
  admin = (await newKey(pool, { role: 'admin' })).caller;
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

function gateway(syncMs = 60_000): CallerLimits {
  return new CallerLimits(pool, { roles: ROLE_DEFAULTS, syncMs, logger: pino({ level: 'silent' }) });
}

const usedToday = async (caller: Caller) =>
  (await overrides.usageToday()).find((u) => u.callerId === quotaKeyOf(caller))?.used ?? 0;

function refusal(work: () => unknown): AppError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected a refusal');
}

describe('LimitOverrides', () => {
  it("stores a key's own limits over its role's, lists and clears them", async () => {
    const { role, effective } = await overrides.set(admin.id, ' daily = 5 ', 'audit week');
    expect(role).toBe('admin');
    expect(effective).toEqual({ ...ROLE_DEFAULTS.admin, daily: 5 });
    expect(await overrides.list()).toContainEqual({
      callerId: admin.id,
      limits: 'daily=5',
      note: 'audit week',
    });
    expect(await overrides.clear(admin.id)).toBe(true);
    expect(await overrides.clear(admin.id)).toBe(false);
  });

  it('refuses limits that do not hold together, and callers that do not exist, storing nothing', async () => {
    await expect(overrides.set(admin.id, 'burst=off')).rejects.toBeInstanceOf(LimitSpecError);
    await expect(overrides.set('nosuchkey', 'daily=5')).rejects.toThrow(/neither an API key id/);
    expect(await overrides.list()).toEqual([]);
  });
});

describe('CallerLimits', () => {
  it('holds a daily quota across two gateways on one database', async () => {
    await overrides.set(clinic.id, 'daily=4');
    const first = gateway();
    const second = gateway(100);
    await first.start();
    try {
      expect(first.specOf(clinic).daily).toBe(4);
      for (let i = 0; i < 3; i++) first.admit(clinic, { lookups: 1, stream: false }).release();
      await first.close(); // writes what it spent
      await second.start();
      second.admit(clinic, { lookups: 1, stream: false }).release();
      // Its next sync adds its lookup and reads the fleet's spending back, in one statement.
      await waitFor("the second gateway's sync", async () => (await usedToday(clinic)) === 4);
      const refused = refusal(() => second.admit(clinic, { lookups: 1, stream: false }));
      expect(refused).toMatchObject({
        errorClass: ErrorClass.ResourceExhausted,
        details: { limit: 'daily' },
      });
      expect(refused.message).toMatch(/daily quota of 4 lookups reached for facility 01001 \(all its keys\)/);
    } finally {
      await second.close();
    }
    expect(await usedToday(clinic)).toBe(4);
  });

  it('counts every key of one facility against one daily quota', async () => {
    const twin = (await newKey(pool, { role: 'clinic', facilityCode: '01001' })).caller;
    const other = (await newKey(pool, { role: 'clinic', facilityCode: '01002' })).caller;
    await overrides.set(twin.id, 'daily=4');
    await overrides.set(other.id, 'daily=4');
    const limits = gateway(100);
    await limits.start();
    try {
      // The first test spent the facility's four lookups of today with another key; this
      // gateway learns the facility's day at its first sync after it meets the twin.
      limits.admit(twin, { lookups: 0, stream: false }).release();
      await new Promise((r) => setTimeout(r, 400));
      const refused = refusal(() => limits.admit(twin, { lookups: 1, stream: false }));
      expect(refused.message).toMatch(/daily quota of 4 lookups reached for facility 01001 \(all its keys\)/);
      expect(() => limits.admit(other, { lookups: 1, stream: false }).release()).not.toThrow();
    } finally {
      await limits.close();
    }
  });

  it("counts an office's filings from all its keys against the office's 1,000 a day", async () => {
    const first = (await newKey(pool, { role: 'civil-registry', officeCode: 'UBND-001-00002' })).caller;
    const second = (await newKey(pool, { role: 'civil-registry', officeCode: 'UBND-001-00002' })).caller;
    const limits = gateway();
    await limits.start();
    try {
      for (let i = 0; i < 500; i++) limits.admit(first, { lookups: 1, stream: false }).release();
      for (let i = 0; i < 500; i++) limits.admit(second, { lookups: 1, stream: false }).release();
      const refused = refusal(() => limits.admit(first, { lookups: 1, stream: false }));
      expect(refused.message).toMatch(
        /^daily quota of 1000 filings reached for office UBND-001-00002 \(all its keys\) \(0 left today/,
      );
    } finally {
      await limits.close();
    }
  });

  it("keeps another caller's calls apart: one key's spent quota refuses no one else", async () => {
    const limits = gateway();
    await limits.start();
    try {
      expect(() => limits.admit(admin, { lookups: 1, stream: false }).release()).not.toThrow();
    } finally {
      await limits.close();
    }
  });
});
