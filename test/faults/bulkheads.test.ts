import * as grpc from '@grpc/grpc-js';
import { makeCitizenId } from '@vss/domain';
import { serviceClient, unary } from '@vss/registry-client';
import { birthRequest, type Stack, startStack } from '../civil-events/support';
import { testCredentials } from '../support/tls';

/**
 * Bulkheads: 2,000 WatchProcedure streams held open (and woken) while clinics look up
 * coverage. Watches are pushed by one LISTEN connection and read on a pool of their own, so
 * the lookups' p99 stays within 2× of the same load without them. A test of isolation, not of
 * speed: both figures are printed.
 */
jest.setTimeout(180_000);

const STREAMS = 2000;
const CHANNELS = 4; // 500 streams per connection, under the server's 1,000
const LOOKUPS = 1500;
const IN_FLIGHT = 8;
const COVERED = '001085012345';

let stack: Stack;
let coverage: grpc.Client;
const watchers: grpc.Client[] = [];

const metadata = (key: string) => {
  const m = new grpc.Metadata();
  m.set('x-api-key', key);
  return m;
};

beforeAll(async () => {
  stack = await startStack('bulkheads', { worker: false, gatewayConfig: { COVERAGE_CACHE_ENTRIES: 0 } });
  await stack.pool.query(`
    INSERT INTO vss.participants (social_insurance_code, citizen_id, full_name, date_of_birth, gender, province_code)
      VALUES ('0100000001', '${COVERED}', 'Nguyễn Văn An', '1985-03-12', 'M', '001');
    INSERT INTO vss.hi_cards (social_insurance_code, object_group, benefit_level_percent, valid_from, valid_to,
        primary_care_facility_code, suspended)
      VALUES ('0100000001', 'DN', 80, '2020-01-01', '2099-12-31', '01001', false)`);
  const keyId = stack.keys.office.split('_')[1];
  await stack.pool.query(
    `INSERT INTO vss.caller_limits (caller_id, limits) VALUES ($1, 'streams=off,calls=off,rate=off,burst=off')`,
    [keyId],
  );
  const Coverage = serviceClient(['vss/gateway/v1/coverage.proto'], 'vss.gateway.v1.CoverageService');
  coverage = new Coverage(stack.gateway.grpcAddress, testCredentials());
});

afterAll(async () => {
  coverage?.close();
  for (const w of watchers) w.close();
  await stack?.stop();
});

async function lookupLoad(): Promise<{ p50: number; p99: number }> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next++ < LOOKUPS) {
        const started = performance.now();
        await unary(
          coverage,
          'lookupCoverage',
          { citizenId: COVERED, facilityCode: '01001' },
          { deadlineMs: 10_000, metadata: metadata(stack.keys.clinic) },
        );
        latencies.push(performance.now() - started);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { p50: at(0.5), p99: at(0.99) };
}

it('keeps lookups within 2x of their p99 while 2,000 watch streams are open and woken', async () => {
  // Procedures to watch: accepted, no worker, so they stay PENDING and their streams open.
  const procedureIds: string[] = [];
  for (let i = 0; i < STREAMS; i += 50) {
    const accepted = await Promise.all(
      Array.from({ length: Math.min(50, STREAMS - i) }, (_, j) =>
        stack.submitBirth(
          birthRequest({
            citizenId: makeCitizenId({
              provinceCode: '001',
              gender: 'MALE',
              birthYear: 2025,
              serial: 10_000 + i + j,
            }),
            fullName: 'Trần Văn Bình',
            dateOfBirth: '2025-05-01',
            gender: 'M',
          }),
        ),
      ),
    );
    procedureIds.push(...accepted.map((a) => a.procedureId));
  }

  await lookupLoad(); // warm
  const alone = await lookupLoad();

  const Events = serviceClient(['vss/gateway/v1/civil_event.proto'], 'vss.gateway.v1.CivilEventService');
  for (let c = 0; c < CHANNELS; c++) {
    watchers.push(
      new Events(stack.gateway.grpcAddress, testCredentials(), {
        'grpc.use_local_subchannel_pool': 1, // a connection of its own per client
      }),
    );
  }
  let opened = 0;
  let updates = 0;
  const failures: string[] = [];
  const streams = procedureIds.map((procedureId, i) => {
    const stream = (
      watchers[i % CHANNELS] as unknown as {
        watchProcedure(r: object, m: grpc.Metadata): grpc.ClientReadableStream<unknown>;
      }
    ).watchProcedure({ procedureId }, metadata(stack.keys.office));
    let first = true;
    stream.on('data', () => {
      if (first) opened++;
      else updates++;
      first = false;
    });
    stream.on('error', (e: grpc.ServiceError) => {
      if (e.code !== grpc.status.CANCELLED) failures.push(`${grpc.status[e.code]}: ${e.details}`);
    });
    return stream;
  });
  const deadline = Date.now() + 60_000;
  while (opened < STREAMS && Date.now() < deadline && failures.length === 0) {
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(failures).toEqual([]);
  expect(opened).toBe(STREAMS);

  // Wake a quarter of the streams while the lookups run: each reads its procedure again.
  const waking = (async () => {
    for (let i = 0; i < STREAMS / 4; i += 50) {
      await stack.pool.query(
        `UPDATE vss.procedures SET version = version + 1 WHERE procedure_id = ANY($1::uuid[])`,
        [procedureIds.slice(i, i + 50)],
      );
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const beside = await lookupLoad();
  await waking;

  process.stdout.write(
    `lookups alone: p50 ${alone.p50.toFixed(2)} ms, p99 ${alone.p99.toFixed(2)} ms; ` +
      `beside ${STREAMS} watch streams: p50 ${beside.p50.toFixed(2)} ms, p99 ${beside.p99.toFixed(2)} ms ` +
      `(${(beside.p99 / alone.p99).toFixed(2)}x)\n`,
  );
  expect(beside.p99).toBeLessThanOrEqual(2 * alone.p99);
  const wakeDeadline = Date.now() + 20_000;
  while (updates < STREAMS / 4 && Date.now() < wakeDeadline) await new Promise((r) => setTimeout(r, 100));
  expect(updates).toBe(STREAMS / 4); // every woken stream told its procedure's change
  expect(failures).toEqual([]);
  for (const s of streams) s.cancel();
});
