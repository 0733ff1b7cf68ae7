import { testCredentials, tlsConfig } from '../support/tls';
import * as grpc from '@grpc/grpc-js';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Pool } from 'pg';
import type { LookupCoverageResponse } from '@vss/contracts';
import { loadConfig, registryConfigSchema } from '@vss/platform';
import { serviceClient } from '@vss/registry-client';
import { startRegistry, type RunningRegistry } from '../../apps/population-registry/src/registry.app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { freePort } from '../support/ports';
import { type AppProcess, startAppProcess } from '../support/processes';
import {
  FACILITY,
  FixedClock,
  type Keys,
  PEOPLE,
  seedCoverageFixtures,
  TODAY,
  withKey,
} from './coverage.harness';

let db: TestDatabase;
let registry: RunningRegistry;
let keys: Keys;
let gateway: AppProcess | undefined;

beforeAll(async () => {
  // The kill test runs the built gateway, as production does: build it from this checkout first.
  execFileSync('npm', ['run', 'build', '--silent'], {
    cwd: join(__dirname, '..', '..'),
    stdio: 'ignore',
  });
  db = await createTestDatabase('coveragekill');
  keys = await seedCoverageFixtures(db.url);
  registry = await startRegistry(
    {
      ...loadConfig(registryConfigSchema, {}),
      DATABASE_URL: db.urlFor('registry'),
      REGISTRY_GRPC_PORT: await freePort(),
      ...tlsConfig('population-registry'),
      LOG_LEVEL: 'silent',
    },
    { clock: new FixedClock() },
  );
}, 120_000);

afterAll(async () => {
  await gateway?.kill();
  await registry?.close();
  await db?.drop();
});

describe('an answered lookup whose gateway is killed at once', () => {
  it('still has its audit record: the record is committed before the answer leaves', async () => {
    const grpcPort = await freePort();
    gateway = startAppProcess('gateway', {
      DATABASE_URL: db.urlFor('gateway'),
      GATEWAY_GRPC_PORT: String(grpcPort),
      GATEWAY_HTTP_PORT: String(await freePort()),
      REGISTRY_ADDRESS: registry.address,
      LOG_LEVEL: 'info',
      // A long group-commit window: an answer sent before its batch committed would reach us,
      // and be killed for, well before the INSERT was even sent. With 2 ms the race is too
      // narrow for this test to notice such a bug.
      AUDIT_FLUSH_MS: '200',
    });
    await gateway.waitFor(/gateway serving/);
    const Coverage = serviceClient(['vss/gateway/v1/coverage.proto'], 'vss.gateway.v1.CoverageService');
    const client = new Coverage(`127.0.0.1:${grpcPort}`, testCredentials());
    const child = gateway.child;

    // Many lookups in flight, so that the answer we kill after shares its group commit with others.
    const people = [PEOPLE.covered, PEOPLE.expired, PEOPLE.deceased, PEOPLE.unknown, PEOPLE.noCard];
    const answered: LookupCoverageResponse[] = [];
    let failed = 0;
    await new Promise<void>((resolve) => {
      let pending = 40;
      for (let i = 0; i < 40; i++) {
        const request = { citizenId: people[i % people.length], facilityCode: FACILITY, visitDate: TODAY };
        (client as unknown as Record<string, (...a: unknown[]) => void>).lookupCoverage(
          request,
          withKey(keys.clinic),
          { deadline: Date.now() + 10_000 },
          (error: grpc.ServiceError | null, response: LookupCoverageResponse) => {
            if (error) failed++;
            else {
              answered.push(response);
              // SIGKILL in the same tick as the first answer: no clean-up, no later flush can run.
              if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
            }
            if (--pending === 0) resolve();
          },
        );
      }
    });
    client.close();
    expect((await gateway.exited()).signal).toBe('SIGKILL');
    expect(answered.length).toBeGreaterThan(0);
    expect(answered.length + failed).toBe(40);

    const pool = new Pool({ connectionString: db.url, max: 1 });
    try {
      const { rows } = await pool.query<{ event_id: string; subject_citizen_id: string; outcome: string }>(
        `SELECT event_id::text, subject_citizen_id, outcome FROM vss.audit_events WHERE event_id = ANY($1::uuid[])`,
        [answered.map((a) => a.lookupId)],
      );
      const byId = new Map(rows.map((r) => [r.event_id, r]));
      for (const answer of answered) {
        expect(byId.get(answer.lookupId)).toMatchObject({ subject_citizen_id: answer.citizenId });
      }
    } finally {
      await pool.end();
    }
  });
});
