import * as grpc from '@grpc/grpc-js';
import type { Pool } from 'pg';
import pino from 'pino';
import { ApiKeys } from '@vss/api-keys';
import { CallerLimits } from '@vss/limits';
import { ROLE_DEFAULTS } from '@vss/domain';
import { gatewayConfigSchema, loadConfig } from '@vss/platform';
import { serviceClient } from '@vss/registry-client';
import type { Caller } from '@vss/security';
import { startGateway, type RunningGateway } from '../../apps/gateway/src/gateway.app';
import {
  call,
  failure,
  FACILITY,
  FixedClock,
  type Keys,
  OTHER_FACILITY,
  PEOPLE,
  seedCoverageFixtures,
} from '../coverage/coverage.harness';
import { birthRequest, type Stack, startStack } from '../civil-events/support';
import { makeCitizenId } from '@vss/domain';
import { freePort } from '../support/ports';
import { startTestSystem, TEST_LOG_LEVEL, type TestSystem } from '../support/system';
import { https, testCredentials, tlsConfig } from '../support/tls';
import { operatorCertificate } from '../support/operator-certificate';
import { waitFor } from '../support/polling';

/**
 * Per-caller limits on a real gateway (and two gateways on one database): the rate and the
 * burst, the daily quota shared by the fleet, calls and streams at once, a stream's life, the
 * throttle of failed authentications; each refusal RESOURCE_EXHAUSTED naming the limit, with
 * `retry-after`, and nobody else's calls touched.
 */
jest.setTimeout(90_000);

const keyId = (apiKey: string) => apiKey.split('_')[1];
const ids = (n: number) => Array.from({ length: n }, () => PEOPLE.covered);

interface World {
  system: TestSystem;
  keys: Keys & { flooder: string; quota: string; quotaTwin: string };
  client: grpc.Client;
}

async function startWorld(label: string, gatewayConfig: Record<string, unknown> = {}): Promise<World> {
  let keys: World['keys'] | undefined;
  const system = await startTestSystem(label, {
    worker: false,
    clock: new FixedClock(),
    gatewayConfig: {
      CALLER_LIMITS_SYNC_MS: 200,
      CALLER_LIMITS_CLINIC: ROLE_DEFAULTS.clinic,
      AUTH_FAILURES_BURST: 20,
      ...gatewayConfig,
    },
    seed: async (pool: Pool) => {
      const base = await seedCoverageFixtures(pool);
      const issuer = new ApiKeys(pool);
      const flooder = (await issuer.issue({ role: 'clinic', facilityCode: FACILITY, label: 'flooder' }))
        .apiKey;
      // A facility of its own: a daily quota is the facility's, all its keys together.
      await pool.query(
        `INSERT INTO vss.facilities (facility_code, name, province_code) VALUES ($1, 'Trạm Y tế hạn mức', '001')`,
        [QUOTA_FACILITY],
      );
      const quota = (await issuer.issue({ role: 'clinic', facilityCode: QUOTA_FACILITY, label: 'quota' }))
        .apiKey;
      const quotaTwin = (
        await issuer.issue({ role: 'clinic', facilityCode: QUOTA_FACILITY, label: 'quota, second key' })
      ).apiKey;
      await pool.query(
        `INSERT INTO vss.caller_limits (caller_id, limits)
         VALUES ($1, 'rate=5,burst=10'), ($2, 'daily=30'), ($3, 'daily=30')`,
        [keyId(flooder), keyId(quota), keyId(quotaTwin)],
      );
      keys = { ...base, flooder, quota, quotaTwin };
    },
  });
  const Coverage = serviceClient(['vss/gateway/v1/coverage.proto'], 'vss.gateway.v1.CoverageService');
  return { system, keys: keys!, client: new Coverage(system.gateway.grpcAddress, testCredentials()) };
}

async function refusal(promise: Promise<unknown>) {
  const error = (await promise.then(
    () => {
      throw new Error('expected the call to be refused');
    },
    (e: unknown) => e,
  )) as grpc.ServiceError;
  return {
    code: grpc.status[error.code],
    details: error.details,
    limit: error.metadata?.get('x-limit')[0] as string | undefined,
    retryAfter: Number(error.metadata?.get('retry-after')[0]),
    errorCode: error.metadata?.get('x-error-code')[0] as string | undefined,
  };
}

const lookup = (world: World, apiKey: string, facilityCode = FACILITY) =>
  call(world.client, 'lookupCoverage', { citizenId: PEOPLE.covered, facilityCode }, apiKey);
const batch = (client: grpc.Client, apiKey: string, n: number, facilityCode = FACILITY) =>
  call(client, 'batchLookupCoverage', { citizenIds: ids(n), facilityCode }, apiKey);
const QUOTA_FACILITY = '01099';

describe('rates, bursts and daily quotas', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld('limits');
  });
  afterAll(async () => {
    world?.client.close();
    await world?.system.stop();
  });

  it("refuses a key flooding past its rate, naming the rate and when to retry, and leaves every other key's lookups alone", async () => {
    let flooding = true;
    const outcomes: string[] = [];
    const flood = Promise.all(
      Array.from({ length: 16 }, async () => {
        while (flooding) {
          outcomes.push(
            await lookup(world, world.keys.flooder).then(
              () => 'OK',
              (e: grpc.ServiceError) => grpc.status[e.code],
            ),
          );
        }
      }),
    );
    const others: number[] = [];
    for (let i = 0; i < 60; i++) {
      const started = performance.now();
      await lookup(world, world.keys.otherClinic, OTHER_FACILITY); // throws if refused
      others.push(performance.now() - started);
    }
    flooding = false;
    await flood;
    const admitted = outcomes.filter((o) => o === 'OK').length;
    const refused = outcomes.filter((o) => o === 'RESOURCE_EXHAUSTED').length;
    expect(outcomes.length).toBe(admitted + refused); // nothing but admitted or RESOURCE_EXHAUSTED
    expect(refused).toBeGreaterThan(admitted);
    // The burst of 10, then 5 a second for as long as the flood lasted.
    const seconds = Math.ceil(others.reduce((a, b) => a + b, 0) / 1000) + 1;
    expect(admitted).toBeLessThanOrEqual(10 + 5 * seconds);

    // A burst past what the bucket can hold, so that one is refused however long the machine
    // took since the flood (a refill of 200 ms would admit a lone call).
    const burst = await Promise.allSettled(
      Array.from({ length: 20 }, () => lookup(world, world.keys.flooder)),
    );
    const firstRefused = burst.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    const refusedNow = await refusal(firstRefused ? Promise.reject(firstRefused.reason) : Promise.resolve());
    expect(refusedNow).toMatchObject({
      code: 'RESOURCE_EXHAUSTED',
      limit: 'rate',
      errorCode: 'LIMIT_EXCEEDED',
    });
    expect(refusedNow.details).toMatch(/rate of 5 lookups per second reached for this key/);
    expect(refusedNow.retryAfter).toBeGreaterThanOrEqual(1);

    const metrics = await https(
      world.system.gateway.operatorAddress,
      await operatorCertificate(world.system.pool),
    )
      .get('/metrics')
      .expect(200);
    expect(metrics.text).toMatch(
      new RegExp(
        `vss_caller_limit_refusals_total\\{caller="${keyId(world.keys.flooder)}",limit="rate"\\} [1-9]`,
      ),
    );
  });

  it('counts a batch by its IDs and refuses one larger than the burst, saying to split it', async () => {
    await new Promise((r) => setTimeout(r, 2100)); // the bucket full again: 10 tokens
    const tooBig = await refusal(batch(world.client, world.keys.flooder, 11));
    expect(tooBig).toMatchObject({ code: 'RESOURCE_EXHAUSTED', limit: 'burst' });
    expect(tooBig.details).toMatch(/a call of 11 lookups exceeds this key's burst of 10; split it/);
    await batch(world.client, world.keys.flooder, 10);
    expect((await refusal(lookup(world, world.keys.flooder))).limit).toBe('rate');
  });

  it('holds the daily quota, tells when the day ends, and writes the usage down', async () => {
    await batch(world.client, world.keys.quota, 25, QUOTA_FACILITY);
    const over = await refusal(batch(world.client, world.keys.quota, 10, QUOTA_FACILITY));
    expect(over).toMatchObject({ code: 'RESOURCE_EXHAUSTED', limit: 'daily' });
    expect(over.details).toMatch(
      /daily quota of 30 lookups reached for facility 01099 \(all its keys\) \(5 left today, this call needs 10\)/,
    );
    expect(over.retryAfter).toBeGreaterThanOrEqual(1);
    expect(over.retryAfter).toBeLessThanOrEqual(86_400);
    await batch(world.client, world.keys.quota, 5, QUOTA_FACILITY);
    expect((await refusal(lookup(world, world.keys.quota, QUOTA_FACILITY))).limit).toBe('daily');
    // Another key of the same facility has no quota of its own: the facility's day is spent.
    expect((await refusal(lookup(world, world.keys.quotaTwin, QUOTA_FACILITY))).details).toMatch(
      /daily quota of 30 lookups reached for facility 01099 \(all its keys\)/,
    );
    const http = await https(world.system.gateway.httpAddress)
      .post('/v1/coverage:lookup')
      .set('x-api-key', world.keys.quota)
      .send({ citizen_id: PEOPLE.covered, facility_code: QUOTA_FACILITY })
      .expect(429);
    expect(http.headers['retry-after']).toMatch(/^[1-9][0-9]*$/);
    expect(http.body.error).toMatchObject({ code: 'LIMIT_EXCEEDED' });
    expect(http.headers['x-limit']).toBe('daily');

    await waitFor(
      'the usage written down',
      async () => (await usage(world.system.pool, world.keys.quota)) === 30,
    );
  });

  it('answers an invalid request INVALID_ARGUMENT however empty the buckets, and spends nothing on it', async () => {
    // The quota key's day is spent (the test before): a request that can never succeed must
    // not be told to retry later.
    const tooLarge = await refusal(batch(world.client, world.keys.quota, 501, QUOTA_FACILITY));
    expect(tooLarge).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(tooLarge.details).toMatch(/citizen_ids holds 501 IDs; a batch holds at most 500/);
    const badId = await refusal(
      call(
        world.client,
        'lookupCoverage',
        { citizenId: '12345', facilityCode: QUOTA_FACILITY },
        world.keys.quota,
      ),
    );
    expect(badId.code).toBe('INVALID_ARGUMENT');
    const http = await https(world.system.gateway.httpAddress)
      .post('/v1/coverage:lookup')
      .set('x-api-key', world.keys.quota)
      .send({ citizen_id: PEOPLE.covered, facility_code: 'x' })
      .expect(400);
    expect(http.body.error).toMatchObject({ code: 'COVERAGE_INVALID_FACILITY_CODE', field: 'facility_code' });
    await https(world.system.gateway.httpAddress)
      .get('/v1/coverage/12345')
      .query({ facility_code: QUOTA_FACILITY })
      .set('x-api-key', world.keys.quota)
      .expect(400);
    // A valid request is still refused by the quota, and the invalid ones spent nothing of it.
    expect((await refusal(lookup(world, world.keys.quota, QUOTA_FACILITY))).limit).toBe('daily');
    await new Promise((r) => setTimeout(r, 600)); // past a sync (CALLER_LIMITS_SYNC_MS 200)
    expect(await usage(world.system.pool, world.keys.quota)).toBe(30);
  });

  it('holds the daily quota across two gateways on one database', async () => {
    const second = await startSecondGateway(world);
    const client = new (serviceClient(['vss/gateway/v1/coverage.proto'], 'vss.gateway.v1.CoverageService'))(
      second.grpcAddress,
      testCredentials(),
    );
    try {
      // A gateway learns the fleet's spending at its next sync: at most the calls of that
      // moment pass (here one), then it refuses like the first.
      await call(
        client,
        'lookupCoverage',
        { citizenId: PEOPLE.covered, facilityCode: QUOTA_FACILITY },
        world.keys.quota,
      ).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 600));
      const refused = await refusal(
        call(
          client,
          'lookupCoverage',
          { citizenId: PEOPLE.covered, facilityCode: QUOTA_FACILITY },
          world.keys.quota,
        ),
      );
      expect(refused.limit).toBe('daily');
      expect(await usage(world.system.pool, world.keys.quota)).toBeLessThanOrEqual(31);
      const fleet = await world.system.pool.query(
        `SELECT count(*)::int AS n FROM vss.gateway_instances WHERE seen_at > now() - interval '15 seconds'`,
      );
      expect(fleet.rows[0].n).toBe(2);
    } finally {
      client.close();
      await second.close();
    }
    const left = await world.system.pool.query(`SELECT count(*)::int AS n FROM vss.gateway_instances`);
    expect(left.rows[0].n).toBe(1); // a gateway that stops leaves the fleet
  });

  it("applies a key's new limits at once on every gateway (NOTIFY), and its role's again when cleared", async () => {
    const key = world.keys.otherClinic;
    await world.system.pool.query(
      `INSERT INTO vss.caller_limits (caller_id, limits) VALUES ($1, 'daily=1')`,
      [keyId(key)],
    );
    await waitFor("the key's new limits heard", async () =>
      lookup(world, key, OTHER_FACILITY).then(
        () => false,
        (e: grpc.ServiceError) => e.code === grpc.status.RESOURCE_EXHAUSTED,
      ),
    );
    await world.system.pool.query(`DELETE FROM vss.caller_limits WHERE caller_id = $1`, [keyId(key)]);
    await waitFor("its role's limits again", async () =>
      lookup(world, key, OTHER_FACILITY).then(
        () => true,
        () => false,
      ),
    );
  });
});

describe('failed authentications', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld('limits-auth', { AUTH_FAILURES_BURST: 5, AUTH_FAILURES_PER_SECOND: 0.1 });
  });
  afterAll(async () => {
    world?.client.close();
    await world?.system.stop();
  });

  it('are throttled per address before any key is looked up, while keys verified lately still pass', async () => {
    await lookup(world, world.keys.clinic); // verified, hence cached
    const madeUp = () => `vss_${'x'.repeat(12)}_${'A'.repeat(43)}`.replace(/x{12}/, randomId());
    for (let i = 0; i < 5; i++) {
      expect((await failure(lookup(world, madeUp()))).code).toBe('UNAUTHENTICATED');
    }
    const throttled = await refusal(lookup(world, madeUp()));
    expect(throttled).toMatchObject({
      code: 'RESOURCE_EXHAUSTED',
      errorCode: 'AUTH_THROTTLED',
      limit: 'auth-failures',
    });
    expect(throttled.details).toMatch(
      /too many failed authentications from this address; try again in \d+ s/,
    );
    expect(throttled.retryAfter).toBeGreaterThanOrEqual(1);
    // The good key of this address is still served: the made-up keys neither reached it nor
    // pushed it out of the cache.
    await lookup(world, world.keys.clinic);
    // A key this gateway has not verified lately waits for the address's throttle like any other.
    expect((await refusal(lookup(world, world.keys.otherClinic, OTHER_FACILITY))).errorCode).toBe(
      'AUTH_THROTTLED',
    );
  });
});

describe('across gateways', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld('limits-fleet');
  });
  afterAll(async () => {
    world?.client.close();
    await world?.system.stop();
  });

  it('divides a rate among the gateways serving, so that together they refill at the rate', async () => {
    const caller: Caller = { id: 'fleet-test', label: 'fleet test', role: 'clinic', via: 'api-key' };
    const spec = { ...ROLE_DEFAULTS.clinic, rate: 20, burst: 20, daily: undefined };
    const logger = pino({ level: 'silent' });
    const make = () =>
      new CallerLimits(world.system.pool, {
        roles: { ...ROLE_DEFAULTS, clinic: spec },
        syncMs: 100,
        logger,
      });
    const limits = [make(), make()];
    for (const l of limits) await l.start();
    try {
      await waitFor('the fleet of three', async () => {
        const { rows } = await world.system.pool.query(
          `SELECT count(*)::int AS n FROM vss.gateway_instances WHERE seen_at > now() - interval '15 seconds'`,
        );
        return rows[0].n === 3; // the world's gateway and these two
      });
      await new Promise((r) => setTimeout(r, 300)); // each has counted the fleet
      const admitted = (l: CallerLimits) => {
        let n = 0;
        for (;;) {
          try {
            l.admit(caller, { lookups: 1, stream: false }).release();
            n++;
          } catch {
            return n;
          }
        }
      };
      for (const l of limits) expect(admitted(l)).toBe(20); // the burst is not divided
      const started = performance.now();
      await new Promise((r) => setTimeout(r, 2000));
      const seconds = (performance.now() - started) / 1000;
      for (const l of limits) {
        // Each refills at 20/3 a second: the three together at 20.
        const refilled = admitted(l);
        expect(refilled).toBeGreaterThanOrEqual(Math.floor((seconds * 20) / 3) - 1);
        expect(refilled).toBeLessThanOrEqual(Math.ceil(((seconds + 0.2) * 20) / 3) + 1);
      }
    } finally {
      for (const l of limits) await l.close();
    }
  });
});

describe('calls and streams at once, and the life of a stream', () => {
  let stack: Stack;
  let procedureId: string;
  beforeAll(async () => {
    stack = await startStack('limits-streams', { worker: false });
    await stack.pool.query(
      `INSERT INTO vss.caller_limits (caller_id, limits) VALUES ($1, 'streams=1,calls=2,stream-seconds=2')`,
      [keyId(stack.keys.office)],
    );
    await waitFor("the office's stream limit applied", async () => {
      const accepted = await stack.submitBirth(
        birthRequest({
          citizenId: makeCitizenId({ provinceCode: '001', gender: 'MALE', birthYear: 2025, serial: 4242 }),
          fullName: 'Trần Văn Bình',
          dateOfBirth: '2025-05-01',
          gender: 'M',
        }),
      );
      procedureId = accepted.procedureId;
      return true;
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const watch = (apiKey: string) => {
    const m = new grpc.Metadata();
    m.set('x-api-key', apiKey);
    const stream = (
      stack.grpcClient as unknown as {
        watchProcedure(r: object, m: grpc.Metadata): grpc.ClientReadableStream<unknown>;
      }
    ).watchProcedure({ procedureId }, m);
    const messages: unknown[] = [];
    stream.on('data', (d) => messages.push(d));
    const ended = new Promise<{ code: string; limit?: string; details: string; at: number }>((resolve) => {
      stream.on('error', (e: grpc.ServiceError) =>
        resolve({
          code: grpc.status[e.code],
          limit: e.metadata?.get('x-limit')[0] as string | undefined,
          details: e.details,
          at: performance.now(),
        }),
      );
      stream.on('end', () => resolve({ code: 'OK', details: '', at: performance.now() }));
    });
    return { stream, messages, ended };
  };

  it('refuses a second stream and a third call, ends a stream at its life, and frees its place', async () => {
    const opened = performance.now();
    const first = watch(stack.keys.office);
    await waitFor("the first stream's message", async () => first.messages.length === 1);
    const second = await watch(stack.keys.office).ended;
    expect(second).toMatchObject({ code: 'RESOURCE_EXHAUSTED', limit: 'streams' });
    expect(second.details).toMatch(/1 open streams for this key; close one first/);
    // Unary calls still pass beside the open stream (2 at once), and the place is free after.
    expect((await stack.getProcedure(procedureId, stack.keys.office)).procedureId).toBe(procedureId);

    const end = await first.ended;
    expect(end).toMatchObject({ code: 'RESOURCE_EXHAUSTED', limit: 'stream-seconds' });
    expect(end.details).toMatch(/streams of this key last at most 2 s; open it again/);
    expect(end.at - opened).toBeGreaterThanOrEqual(1900);
    expect(end.at - opened).toBeLessThan(6000);

    const again = watch(stack.keys.office);
    await waitFor("the reopened stream's message", async () => again.messages.length === 1); // the place was given back
    again.stream.cancel();
    await again.ended;
    const afterCancel = watch(stack.keys.office); // and after a cancel
    await waitFor('a message after the cancel', async () => afterCancel.messages.length === 1);
    const third = await refusal(
      Promise.all([
        stack.getProcedure(procedureId, stack.keys.office),
        stack.getProcedure(procedureId, stack.keys.office),
      ]),
    );
    expect(third).toMatchObject({ code: 'RESOURCE_EXHAUSTED', limit: 'calls' });
    afterCancel.stream.cancel();
    // Another office's streams are its own.
    const other = watch(stack.keys.admin);
    await waitFor("the other caller's message", async () => other.messages.length === 1);
    other.stream.cancel();
  });
});

function randomId(): string {
  return Math.random().toString(36).slice(2, 14).padEnd(12, '0');
}

/** Today's usage of the quota key's facility (all its keys together). */
async function usage(pool: Pool, _apiKey: string): Promise<number> {
  const { rows } = await pool.query<{ used: string }>(
    'SELECT coalesce(sum(used), 0)::text AS used FROM vss.caller_usage WHERE caller_id = $1',
    [`facility:${QUOTA_FACILITY}`],
  );
  return Number(rows[0].used);
}

async function startSecondGateway(world: World): Promise<RunningGateway> {
  return startGateway(
    {
      ...loadConfig(gatewayConfigSchema, {}),
      DATABASE_URL: world.system.db.urlFor('gateway'),
      GATEWAY_GRPC_PORT: await freePort(),
      GATEWAY_HTTP_PORT: await freePort(),
      OPERATOR_HTTP_PORT: await freePort(),
      REGISTRY_ADDRESS: world.system.registry.address,
      CALLER_LIMITS_SYNC_MS: 200,
      AUDIT_CHECKPOINT_SECONDS: 0,
      ...tlsConfig('gateway'),
      LOG_LEVEL: TEST_LOG_LEVEL,
    },
    { clock: new FixedClock() },
  );
}
