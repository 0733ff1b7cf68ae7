import { Pool } from 'pg';
import { type AppError, ErrorClass } from '@vss/platform';
import { newFacility } from '../../insurance-records/test/factories';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { refusalOf } from '../../../test/support/refusals';
import { waitFor } from '../../../test/support/polling';
import { newOperator } from '../../authority/test/factories';
import { OperatorsRepository } from '../../authority/src';
import { ADMIN_KEY_DAYS, ApiKeys } from '../src';

/** API keys on a real database: issued as hashes, authenticated, revoked and heard revoked. */
let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await createTestDatabase('apikeys');
  pool = new Pool({ connectionString: db.url, max: 6 });
  await newFacility(pool, { facilityCode: '01001', name: 'BV Hà Nội' });
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

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

  it('keeps no secret in its cache of verified keys, and still answers from it', async () => {
    const keys = new ApiKeys(pool);
    const issued = await keys.issue({ role: 'clinic', facilityCode: '01001', label: 'BV Hà Nội' });
    const secret = issued.apiKey.slice(`vss_${issued.keyId}_`.length);
    expect(keys.cachedCaller(issued.apiKey)).toBeUndefined(); // not verified yet
    await keys.authenticate(issued.apiKey);
    expect(keys.cachedCaller(issued.apiKey)).toEqual(await keys.authenticate(issued.apiKey));
    // What a heap dump of the gateway would show of its cache: key IDs and digests only.
    const cacheKeys = [...(keys as unknown as { cache: Map<string, unknown> }).cache.keys()];
    expect(cacheKeys.length).toBeGreaterThan(0);
    expect(cacheKeys.some((k) => k.includes(secret))).toBe(false);
    expect(
      JSON.stringify([...(keys as unknown as { cache: Map<string, unknown> }).cache.values()]),
    ).not.toContain(secret);
  });

  it('refuses keys for clinics without a known facility and civil registries without an office', async () => {
    const keys = new ApiKeys(pool);
    for (const request of [
      { role: 'clinic' as const, label: 'x' },
      { role: 'clinic' as const, facilityCode: '99999', label: 'x' },
      { role: 'civil-registry' as const, label: 'x' },
      { role: 'civil-registry' as const, officeCode: 'UBND-999-00001', label: 'not a registered office' },
      { role: 'admin' as const, label: 'admin of no one' },
      { role: 'admin' as const, operatorLogin: 'nobody.here', label: 'admin of an unknown login' },
      {
        role: 'clinic' as const,
        facilityCode: '01001',
        operatorLogin: 'x',
        label: 'machine key of a person',
      },
    ]) {
      expect((await refusalOf(keys.issue(request))).errorClass).toBe(ErrorClass.InvalidArgument);
    }
  });

  it('refuses a missing, malformed, unknown or wrong-secret key as UNAUTHENTICATED', async () => {
    const keys = new ApiKeys(pool);
    const issued = await keys.issue({ role: 'clinic', facilityCode: '01001', label: 'ops' });
    const wrongSecret = `${issued.apiKey.slice(0, 17)}${'B'.repeat(43)}`;
    for (const presented of [undefined, '', 'nope', `vss_zzzzzzzzzzzz_${'A'.repeat(43)}`, wrongSecret]) {
      expect((await refusalOf(keys.authenticate(presented))).errorClass).toBe(ErrorClass.Unauthenticated);
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
      await waitFor(
        'the revocation heard',
        async () => {
          refused = await gateway.authenticate(issued.apiKey).then(
            () => undefined,
            (e: AppError) => e,
          );
          return refused !== undefined;
        },
        { timeoutMs: 3000 },
      ); // well inside the 5 s a cached key lives without the feed

      expect(refused?.message).toMatch(/revoked/);
    } finally {
      await gateway.close();
    }
  });

  it('issues an admin key to a named operator: it acts as that person, for 90 days', async () => {
    const keys = new ApiKeys(pool);
    const person = await newOperator(pool, { displayName: 'Nguyễn Thị Hà', roles: ['approver'] });
    const issued = await keys.issue({ role: 'admin', label: 'laptop', operatorLogin: person.login });
    const caller = await keys.authenticate(issued.apiKey);
    expect(caller.operator).toEqual({
      operatorId: person.operatorId,
      login: person.login,
      displayName: 'Nguyễn Thị Hà',
      roles: ['approver'],
    });
    expect(caller.label).toBe(`Nguyễn Thị Hà [${person.login}]`);
    const days = (issued.expiresAt!.getTime() - Date.now()) / 86_400_000;
    expect(Math.round(days)).toBe(ADMIN_KEY_DAYS);
  });

  it('refuses an expired key, saying so, and rotates a key with a grace period for the old one', async () => {
    const keys = new ApiKeys(pool);
    const person = await newOperator(pool);
    const issued = await keys.issue({ role: 'admin', label: 'ops', operatorLogin: person.login });
    const rotated = await keys.rotate(issued.keyId, 1);
    expect((await keys.authenticate(rotated.apiKey)).operator?.login).toBe(person.login);
    expect(rotated.previousUntil.getTime()).toBeLessThanOrEqual(Date.now() + 3_600_000 + 1000);
    await keys.authenticate(issued.apiKey); // still within its hour
    await pool.query(`UPDATE vss.api_keys SET expires_at = now() - interval '1 second' WHERE key_id = $1`, [
      issued.keyId,
    ]);
    const fresh = new ApiKeys(pool); // nothing cached
    const refused = await refusalOf(fresh.authenticate(issued.apiKey));
    expect(refused.errorClass).toBe(ErrorClass.Unauthenticated);
    expect(refused.message).toMatch(/expired on .*keys rotate/);
  });

  it("ends a disabled operator's keys at once, though cached", async () => {
    const gateway = new ApiKeys(pool);
    await gateway.watchRevocations('test:api-keys-operators');
    try {
      const person = await newOperator(pool);
      const issued = await new ApiKeys(pool).issue({
        role: 'admin',
        label: 'ops',
        operatorLogin: person.login,
      });
      await gateway.authenticate(issued.apiKey); // cached for a minute
      await new OperatorsRepository(pool).disable(person.login, 'security admin');
      await waitFor(
        'the disabled operator heard',
        () =>
          gateway.authenticate(issued.apiKey).then(
            () => false,
            () => true,
          ),
        { timeoutMs: 3000 },
      );
      expect((await refusalOf(gateway.authenticate(issued.apiKey))).message).toMatch(/disabled/);
    } finally {
      await gateway.close();
    }
  });
});
