import { Pool } from 'pg';
import pino from 'pino';
import { gatewayConfigSchema, loadConfig, registryConfigSchema } from '@vss/platform';
import { RegistryClient } from '@vss/registry-client';
import { startRegistry, type RunningRegistry } from '../../apps/population-registry/src/registry.app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { freePort } from '../support/ports';
import { systemCertificate, testCredentials, tlsConfig } from '../support/tls';
import { IdentityCheck } from '../../libs/coverage/src/identity-check';

/**
 * The registry's presence answers ("does the registry know this ID?") for lookups VSS has no
 * record of, against the real registry over gRPC and TLS: lookups asking at the same time share
 * batch calls, each ID gets its own answer, and an ID whose deadline passes is UNREACHABLE
 * whether it waited in a call or for one.
 */
const KNOWN = ['001090012345', '079185000321', '031050004567'];
const NOT_IN_REGISTRY = ['001090099901', '001090099902', '001090099903'];

let db: TestDatabase;
let registry: RunningRegistry;
let client: RegistryClient;

beforeAll(async () => {
  db = await createTestDatabase('presence');
  const pool = new Pool({ connectionString: db.url });
  await pool.query(`
    INSERT INTO npd.citizens (citizen_id, legacy_id, full_name, date_of_birth, gender, birth_province_code,
      residence_address, residence_province_code, residence_status, vital_status, date_of_death) VALUES
    ('${KNOWN[0]}', NULL, 'Nguyễn Văn An', '1990-03-14', 'M', '001', 'Hoàn Kiếm', '001', 'REGISTERED', 'ALIVE', NULL),
    ('${KNOWN[1]}', NULL, 'Trần Thị Bích Ngọc', '1985-11-02', 'F', '079', 'Quận 1', '079', 'REGISTERED', 'ALIVE', NULL),
    ('${KNOWN[2]}', NULL, 'Phạm Văn Đức', '1950-01-20', 'M', '031', 'Lê Chân', '031', 'REGISTERED', 'DECEASED', '2024-06-10')`);
  await pool.end();
  registry = await startRegistry({
    ...loadConfig(registryConfigSchema, {}),
    DATABASE_URL: db.url,
    REGISTRY_GRPC_PORT: await freePort(),
    ...tlsConfig('population-registry'),
    LOG_LEVEL: 'silent',
  });
  client = new RegistryClient({
    address: registry.address,
    credentials: testCredentials(systemCertificate('gateway')),
    deadlineMs: 5000,
    attempts: 1,
  });
}, 60_000);

afterAll(async () => {
  client?.close();
  await registry?.close();
  await db?.drop();
});

const check = (deadlineMs: number) =>
  new IdentityCheck(
    client,
    loadConfig(gatewayConfigSchema, { REGISTRY_LOOKUP_DEADLINE_MS: String(deadlineMs) }),
    pino({ level: 'silent' }),
  );

describe('registry presence for lookups VSS has no record of', () => {
  it('answers each ID, and lookups asking at once share the calls', async () => {
    registry.faults.update({ latencyMs: 20 });
    try {
      const identity = check(2000);
      // Forty lookups at once, each asking for one ID, as concurrent clinics would.
      const asked = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? KNOWN : NOT_IN_REGISTRY)[i % 3]);
      const answers = await Promise.all(asked.map((id) => identity.presence([id]).then((a) => a[0])));
      expect(answers).toEqual(asked.map((id) => (KNOWN.includes(id) ? 'KNOWN' : 'NOT_FOUND')));
      // One call in flight; everything asked meanwhile rides the next one.
      expect(identity.stats.presenceCalls).toBeLessThanOrEqual(3);
      expect(identity.stats.presenceIds).toBeLessThanOrEqual(12);
      // A batch of several IDs keeps its order.
      expect(await identity.presence([NOT_IN_REGISTRY[0], KNOWN[1], KNOWN[1]])).toEqual([
        'NOT_FOUND',
        'KNOWN',
        'KNOWN',
      ]);
    } finally {
      registry.faults.update({ latencyMs: 0 });
    }
  });

  it('is UNREACHABLE past the lookup deadline, for IDs in a call and for IDs waiting for one', async () => {
    registry.faults.update({ latencyMs: 400 });
    try {
      const identity = check(150);
      const started = Date.now();
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, i) => identity.presence([KNOWN[i % 3]]).then((a) => a[0])),
      );
      expect(answers).toEqual(Array(6).fill('UNREACHABLE'));
      // Nobody waited much past its own deadline for a slot.
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      registry.faults.update({ latencyMs: 0 });
    }
    // Once the registry is quick again, the same check answers.
    expect(await check(2000).presence([KNOWN[0]])).toEqual(['KNOWN']);
  });

  it('is UNREACHABLE when the registry refuses the call', async () => {
    registry.faults.update({ refuseAll: true });
    try {
      expect(await check(2000).presence([KNOWN[0], NOT_IN_REGISTRY[0]])).toEqual([
        'UNREACHABLE',
        'UNREACHABLE',
      ]);
    } finally {
      registry.faults.update({ refuseAll: false });
    }
  });
});
