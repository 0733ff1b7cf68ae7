import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import fc from 'fast-check';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { PROTO_LOADER_OPTIONS, protoRoot } from '@vss/contracts';
import { makeCitizenId } from '@vss/domain';
import { encodePageToken } from '@vss/platform';
import { birthRequest, deathRequest } from '../civil-events/support';
import { FACILITY, type Keys, PEOPLE, seedCoverageFixtures } from '../coverage/coverage.harness';
import { roleLimits, startTestSystem, type TestSystem } from '../support/system';
import { https, systemCertificate, testCredentials } from '../support/tls';

/**
 * Every RPC of both servers, fuzzed through a real gRPC client: valid requests with one field
 * replaced by something hostile (control characters, NUL, huge or empty strings, numbers out of
 * range, enum numbers the proto does not define, forged or truncated page tokens, emptied
 * messages), bytes that are not protobuf, and a message over the size limit. Whatever comes back
 * is never UNKNOWN or INTERNAL, no process falls over, and a refused write leaves no row behind.
 */
jest.setTimeout(240_000);

const RUNS = Number(process.env.VSS_FUZZ_RUNS ?? 60);

let system: TestSystem;
let keys: Keys;
let gatewayClients: Record<string, grpc.Client>;
let registryClient: grpc.Client;
let definitions: Record<string, Record<string, protoLoader.MethodDefinition<object, object>>>;
let procedureId: string;
let runId: string;

type Role = 'clinic' | 'admin' | 'office' | 'peer';
interface Rpc {
  service: string;
  method: string;
  role: Role;
  seed: () => Record<string, unknown>;
  /** Writes: a refused call must leave the tables as they were. */
  writes?: boolean;
}

const CHILD = () =>
  makeCitizenId({
    provinceCode: '001',
    gender: 'MALE',
    birthYear: new Date().getUTCFullYear(),
    serial: Math.floor(Math.random() * 90_000) + 1000,
  });
const today = () => new Date().toISOString().slice(0, 10);

const RPCS: Rpc[] = [
  // vss.gateway.v1.CoverageService
  {
    service: 'vss.gateway.v1.CoverageService',
    method: 'LookupCoverage',
    role: 'clinic',
    seed: () => ({
      citizenId: PEOPLE.covered,
      facilityCode: FACILITY,
      chip: { fullName: 'Nguyễn Văn An', dateOfBirth: '1985-03-12', gender: 'GENDER_MALE' },
    }),
  },
  {
    service: 'vss.gateway.v1.CoverageService',
    method: 'BatchLookupCoverage',
    role: 'clinic',
    seed: () => ({
      citizenIds: [PEOPLE.covered, PEOPLE.expired],
      facilityCode: FACILITY,
      visitDate: '2025-06-15',
    }),
  },
  {
    service: 'vss.gateway.v1.CoverageService',
    method: 'ListCoverageLookups',
    role: 'admin',
    seed: () => ({ citizenId: PEOPLE.covered, pageSize: 10, pageToken: '' }),
  },
  {
    service: 'vss.gateway.v1.CoverageService',
    method: 'ListAccessHistory',
    role: 'admin',
    seed: () => ({ citizenId: PEOPLE.covered, pageSize: 10, pageToken: '' }),
  },
  // vss.gateway.v1.CivilEventService
  {
    service: 'vss.gateway.v1.CivilEventService',
    method: 'SubmitBirthRegistration',
    role: 'office',
    writes: true,
    seed: () =>
      birthRequest({
        citizenId: CHILD(),
        fullName: 'Trần Văn Bình',
        dateOfBirth: today(),
        gender: 'M',
      }) as unknown as Record<string, unknown>,
  },
  {
    service: 'vss.gateway.v1.CivilEventService',
    method: 'SubmitDeathRegistration',
    role: 'office',
    writes: true,
    seed: () =>
      deathRequest(PEOPLE.covered, '2025-06-01', {
        citizenId: PEOPLE.expired,
        fullName: 'Lê Thị Hoa',
      }) as unknown as Record<string, unknown>,
  },
  {
    service: 'vss.gateway.v1.CivilEventService',
    method: 'GetProcedure',
    role: 'office',
    seed: () => ({ procedureId }),
  },
  {
    service: 'vss.gateway.v1.CivilEventService',
    method: 'WatchProcedure',
    role: 'office',
    seed: () => ({ procedureId }),
  },
  {
    service: 'vss.gateway.v1.CivilEventService',
    method: 'ListProcedures',
    role: 'admin',
    seed: () => ({
      state: 'PROCEDURE_STATE_ACCEPTED',
      kind: 'PROCEDURE_KIND_BIRTH',
      officeCode: 'UBND-001-00001',
      acceptedFrom: '2020-01-01',
      acceptedTo: '2099-12-31',
      pageSize: 5,
      pageToken: '',
    }),
  },
  {
    service: 'vss.gateway.v1.CivilEventService',
    method: 'RetryProcedure',
    role: 'admin',
    writes: true,
    seed: () => ({ procedureId }),
  },
  {
    service: 'vss.gateway.v1.CivilEventService',
    method: 'ResolveProcedure',
    role: 'admin',
    writes: true,
    seed: () => ({ procedureId, note: 'checked with the office' }),
  },
  // vss.gateway.v1.ReconciliationService
  {
    service: 'vss.gateway.v1.ReconciliationService',
    method: 'StartRun',
    role: 'admin',
    writes: true,
    seed: () => ({ scope: { provinceCode: '079' }, findMissingIdCandidates: true, dryRun: true }),
  },
  {
    service: 'vss.gateway.v1.ReconciliationService',
    method: 'GetRun',
    role: 'admin',
    seed: () => ({ runId }),
  },
  {
    service: 'vss.gateway.v1.ReconciliationService',
    method: 'ListRuns',
    role: 'admin',
    seed: () => ({ state: 'RUN_STATE_QUEUED', pageSize: 5, pageToken: '' }),
  },
  {
    service: 'vss.gateway.v1.ReconciliationService',
    method: 'CancelRun',
    role: 'admin',
    writes: true,
    seed: () => ({ runId }),
  },
  {
    service: 'vss.gateway.v1.ReconciliationService',
    method: 'WatchRun',
    role: 'admin',
    seed: () => ({ runId }),
  },
  {
    service: 'vss.gateway.v1.ReconciliationService',
    method: 'ListFindings',
    role: 'admin',
    seed: () => ({
      runId,
      outcomes: ['OUTCOME_MISSING_ID'],
      provinceCode: '001',
      after: '',
      pageSize: 10,
      limit: 20,
    }),
  },
  {
    service: 'vss.gateway.v1.ReconciliationService',
    method: 'ApplyFindings',
    role: 'admin',
    writes: true,
    seed: () => ({ runId, outcomes: ['OUTCOME_DECEASED_IN_REGISTRY'], findingIds: [] }),
  },
  {
    service: 'vss.gateway.v1.ReconciliationService',
    method: 'FindCandidates',
    role: 'admin',
    seed: () => ({
      fullName: 'Nguyễn Văn An',
      dateOfBirth: '1985-03-12',
      gender: 'GENDER_MALE',
      provinceCode: '001',
      limit: 3,
      socialInsuranceCode: '0100000001',
    }),
  },
  // npd.registry.v1 (the population registry stub)
  {
    service: 'npd.registry.v1.PopulationRegistry',
    method: 'SearchCitizens',
    role: 'peer',
    seed: () => ({ nameKey: 'nguyen van an', birthDate: '1985-03', provinceCode: '001', limitPerRule: 50 }),
  },
  {
    service: 'npd.registry.v1.PopulationRegistry',
    method: 'GetCitizen',
    role: 'peer',
    seed: () => ({ citizenId: PEOPLE.covered }),
  },
  {
    service: 'npd.registry.v1.PopulationRegistry',
    method: 'BatchGetCitizens',
    role: 'peer',
    seed: () => ({ citizenIds: [PEOPLE.covered, PEOPLE.deceased] }),
  },
  {
    service: 'npd.registry.v1.PopulationRegistry',
    method: 'ResolveLegacyId',
    role: 'peer',
    seed: () => ({ legacyId: '012345678' }),
  },
  {
    service: 'npd.registry.v1.PopulationRegistry',
    method: 'ExportCitizens',
    role: 'peer',
    seed: () => ({
      afterCitizenId: '',
      beforeCitizenId: '',
      provinceCode: '001',
      updatedSince: '',
      pageSize: 10,
    }),
  },
  {
    service: 'npd.registry.v1.PopulationRegistry',
    method: 'RegisterBirth',
    role: 'peer',
    writes: true,
    seed: () => ({
      requestId: `fuzz-${Math.random()}`,
      citizenId: CHILD(),
      fullName: 'Trần Văn Bình',
      dateOfBirth: today(),
      gender: 'GENDER_MALE',
    }),
  },
  {
    service: 'npd.registry.v1.PopulationRegistry',
    method: 'RecordDeath',
    role: 'peer',
    writes: true,
    seed: () => ({
      requestId: `fuzz-${Math.random()}`,
      citizenId: PEOPLE.registryOnly,
      dateOfDeath: '2025-06-01',
    }),
  },
  {
    service: 'npd.registry.v1.PopulationRegistry',
    method: 'RegisterPermanentResidence',
    role: 'peer',
    writes: true,
    seed: () => ({
      requestId: `fuzz-${Math.random()}`,
      citizenId: PEOPLE.registryOnly,
      address: 'Số 9 Hàng Bài',
      provinceCode: '001',
    }),
  },
  {
    service: 'npd.registry.v1.PopulationRegistry',
    method: 'CancelPermanentResidence',
    role: 'peer',
    writes: true,
    seed: () => ({
      requestId: `fuzz-${Math.random()}`,
      citizenId: PEOPLE.registryOnly,
      reason: 'moved abroad',
    }),
  },
];

/** What replaces a field: everything a careless or hostile client could send. */
const hostileString = fc.oneof(
  fc.string({
    unit: fc.constantFrom(
      '\u0000',
      '\u0001',
      '\u0007',
      '\n',
      '\r',
      '\t',
      '\u001b',
      '\u007f',
      '\u0085',
      '\u2028',
      '\u200b',
      '\ufeff',
      'a',
      '1',
      ' ',
      '%',
      "'",
      '"',
      '\\',
    ),
  }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '0'.repeat(5000),
    'é'.repeat(3000),
    '../../etc/passwd',
    "'; DROP TABLE vss.procedures; --",
    '9'.repeat(40),
  ),
  fc.base64String({ maxLength: 120 }),
  fc.constantFrom(
    encodePageToken(['999999999999999999999999'], {}),
    encodePageToken(['not a number'], { x: 1 }),
    encodePageToken([], {}),
    encodePageToken(['2025-01-01', 'x'], {}).slice(0, 10),
    Buffer.from('{"k":[1e400]}').toString('base64url'),
    Buffer.from('[]').toString('base64url'),
  ),
);
const hostileNumber = fc.oneof(
  fc.integer({ min: -2_147_483_648, max: 2_147_483_647 }),
  fc.constantFrom(-1, 0, 1, 501, 5001, 2_147_483_647, -2_147_483_648),
);
const hostileEnum = fc.oneof(fc.integer({ min: -3, max: 1000 }), fc.constantFrom(0, 99, -1));

type Json = Record<string, unknown> | unknown[];
/** Every path to a leaf (or a whole sub-message) of a request. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [...(prefix.length ? [prefix] : []), ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))];
}

function replaced(seed: Json, path: (string | number)[], by: unknown): Json {
  const copy = structuredClone(seed);
  let node = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (by === undefined) delete node[last];
  else node[last] = by;
  return copy;
}

/** A hostile value of the same kind as what it replaces. */
function hostileFor(current: unknown): fc.Arbitrary<unknown> {
  if (typeof current === 'string' && /^[A-Z]+(_[A-Z0-9]+)+$/.test(current)) return hostileEnum;
  if (typeof current === 'string') return hostileString;
  if (typeof current === 'number') return hostileNumber;
  if (typeof current === 'boolean') return fc.boolean();
  if (Array.isArray(current)) return fc.array(hostileString, { maxLength: 600 });
  return fc.constantFrom(undefined, {});
}

const mutation = (rpc: Rpc) =>
  fc
    .constant(null)
    .map(() => rpc.seed())
    .chain((seed) =>
      fc.constantFrom(...paths(seed)).chain((path) => {
        let current: unknown = seed;
        for (const key of path) current = (current as Record<string | number, unknown>)[key];
        return fc.oneof(
          hostileFor(current).map((by) => replaced(seed, path, by)),
          fc.constant(replaced(seed, path, undefined)),
        );
      }),
    );

function clientFor(rpc: Rpc): grpc.Client {
  return rpc.service.startsWith('npd.') ? registryClient : gatewayClients[rpc.service];
}

function metadataFor(rpc: Rpc): grpc.Metadata {
  const m = new grpc.Metadata();
  const key = { clinic: keys.clinic, admin: keys.admin, office: keys.civilRegistry, peer: undefined }[
    rpc.role
  ];
  if (key) m.set('x-api-key', key);
  return m;
}

/** Sends bytes to a method (unary or server-streaming) and answers the status it ends with. */
function send(rpc: Rpc, bytes: Buffer): Promise<{ code: grpc.status; details: string }> {
  const definition = definitions[rpc.service][rpc.method];
  const client = clientFor(rpc);
  const options = { deadline: Date.now() + 5000 };
  const identity = (b: Buffer) => b;
  return new Promise((resolve) => {
    if (definition.responseStream) {
      const stream = client.makeServerStreamRequest(
        definition.path,
        identity,
        identity,
        bytes,
        metadataFor(rpc),
        options,
      );
      // A valid watch stays open: one answer is enough, then the test hangs up.
      const timer = setTimeout(() => stream.cancel(), 1500);
      stream.on('data', () => undefined);
      stream.on('status', (s: grpc.StatusObject) => {
        clearTimeout(timer);
        resolve({ code: s.code, details: s.details });
      });
      stream.on('error', () => undefined);
    } else {
      client.makeUnaryRequest(
        definition.path,
        identity,
        identity,
        bytes,
        metadataFor(rpc),
        options,
        (error) =>
          resolve(
            error ? { code: error.code, details: error.details } : { code: grpc.status.OK, details: '' },
          ),
      );
    }
  });
}

const COUNTED = [
  'vss.civil_events',
  'vss.procedures',
  'vss.procedure_steps',
  'vss.reconciliation_runs',
  'vss.reconciliation_partitions',
  'vss.hi_cards',
  'vss.participants',
  'npd.citizens',
  'npd.requests',
];
async function counts(pool: Pool): Promise<string> {
  const { rows } = await pool.query(
    `SELECT ${COUNTED.map((t) => `(SELECT count(*) FROM ${t})`).join(" || ',' || ")} AS c`,
  );
  return rows[0].c as string;
}

const FORBIDDEN = new Set([grpc.status.UNKNOWN, grpc.status.INTERNAL]);

beforeAll(async () => {
  let seeded: Keys | undefined;
  system = await startTestSystem('fuzz', {
    worker: false,
    seed: async (pool) => {
      seeded = await seedCoverageFixtures(pool);
    },
    // The fuzzer calls from one address as fast as it can, and half its keys are made up.
    gatewayConfig: {
      CALLER_LIMITS_ADMIN: roleLimits('admin', 'rate=off,burst=off,calls=off'),
      CALLER_LIMITS_CIVIL_REGISTRY: roleLimits('civil-registry', 'rate=off,burst=off,calls=off'),
    },
  });
  keys = seeded!;
  const load = (files: string[]) =>
    protoLoader.loadSync(
      files.map((f) => join(protoRoot(), f)),
      { ...PROTO_LOADER_OPTIONS, includeDirs: [protoRoot()] },
    );
  const gateway = load([
    'vss/gateway/v1/coverage.proto',
    'vss/gateway/v1/civil_event.proto',
    'vss/gateway/v1/reconciliation.proto',
  ]);
  const registry = load(['npd/registry/v1/registry.proto']);
  definitions = Object.fromEntries(
    [...new Set(RPCS.map((r) => r.service))].map((service) => [
      service,
      (gateway[service] ?? registry[service]) as unknown as Record<
        string,
        protoLoader.MethodDefinition<object, object>
      >,
    ]),
  );
  const credentials = testCredentials();
  gatewayClients = Object.fromEntries(
    Object.keys(definitions)
      .filter((s) => !s.startsWith('npd.'))
      .map((s) => [s, new grpc.Client(system.gateway.grpcAddress, credentials)]),
  );
  registryClient = new grpc.Client(system.registry.address, testCredentials(systemCertificate('gateway')));

  // Something for the seeds to name: a procedure and a run.
  const birth = RPCS.find((r) => r.method === 'SubmitBirthRegistration')!;
  const accepted = definitions[birth.service][birth.method];
  const answer = await unaryCall(birth, accepted.requestSerialize(birth.seed()));
  procedureId = (accepted.responseDeserialize(answer) as { procedureId: string }).procedureId;
  const start = RPCS.find((r) => r.method === 'StartRun')!;
  const started = definitions[start.service][start.method];
  runId = (
    started.responseDeserialize(
      await unaryCall(start, started.requestSerialize({ scope: { all: true } })),
    ) as {
      run: { runId: string };
    }
  ).run.runId;
});

afterAll(async () => {
  for (const c of Object.values(gatewayClients ?? {})) c.close();
  registryClient?.close();
  await system?.stop();
});

function unaryCall(rpc: Rpc, bytes: Buffer): Promise<Buffer> {
  const definition = definitions[rpc.service][rpc.method];
  return new Promise((resolve, reject) =>
    clientFor(rpc).makeUnaryRequest(
      definition.path,
      (b: Buffer) => b,
      (b: Buffer) => b,
      bytes,
      metadataFor(rpc),
      { deadline: Date.now() + 10_000 },
      (error, value) => (error ? reject(error) : resolve(value as Buffer)),
    ),
  );
}

describe.each(RPCS.map((rpc) => [`${rpc.service.split('.').pop()}.${rpc.method}`, rpc] as const))(
  '%s',
  (_name, rpc) => {
    it('answers mutated requests with a precise status, never UNKNOWN or INTERNAL, and writes nothing when it refuses', async () => {
      const definition = definitions[rpc.service][rpc.method];
      await fc.assert(
        fc.asyncProperty(mutation(rpc), async (request) => {
          let bytes: Buffer;
          try {
            bytes = definition.requestSerialize(request);
          } catch {
            return; // the client library itself refuses it: nothing reaches the server
          }
          const before = rpc.writes ? await counts(system.pool) : '';
          const { code, details } = await send(rpc, bytes);
          if (FORBIDDEN.has(code)) {
            throw new Error(
              `${rpc.method} answered ${grpc.status[code]} (${details}) to ${JSON.stringify(request).slice(0, 300)}`,
            );
          }
          if (rpc.writes && code !== grpc.status.OK) expect(await counts(system.pool)).toBe(before);
        }),
        { numRuns: RUNS },
      );
    });

    it('answers bytes that are not its message with INVALID_ARGUMENT (or decodes them), never INTERNAL', async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 64 }), async (raw) => {
          const { code, details } = await send(rpc, Buffer.from(raw));
          if (FORBIDDEN.has(code))
            throw new Error(
              `${rpc.method} answered ${grpc.status[code]} (${details}) to bytes ${Buffer.from(raw).toString('hex')}`,
            );
        }),
        { numRuns: Math.ceil(RUNS / 2) },
      );
      const garbage = await send(rpc, Buffer.from([0x08, 0xff])); // a varint cut short
      expect(grpc.status[garbage.code]).toBe('INVALID_ARGUMENT');
      expect(garbage.details).toMatch(/the request is not a valid \w+ message/);
    });
  },
);

it('answers a message over the size limit with RESOURCE_EXHAUSTED on both servers', async () => {
  for (const rpc of [RPCS[0], RPCS.find((r) => r.method === 'GetCitizen')!]) {
    const { code } = await send(rpc, Buffer.alloc(4 * 1024 * 1024 + 16, 0x41));
    expect(grpc.status[code]).toBe('RESOURCE_EXHAUSTED');
  }
});

it('refuses a request larger than its method takes before decoding or authenticating it, and takes a full batch', async () => {
  const lookup = RPCS.find((r) => r.method === 'LookupCoverage')!;
  const definition = definitions[lookup.service][lookup.method];
  // A well-formed message, a QR payload far past any card's, sent with no key at all.
  const large = definition.requestSerialize({ qrPayload: 'A'.repeat(20_000), facilityCode: FACILITY });
  const refused = await new Promise<grpc.ServiceError>((resolve) =>
    gatewayClients[lookup.service].makeUnaryRequest(
      definition.path,
      (b: Buffer) => b,
      (b: Buffer) => b,
      large,
      new grpc.Metadata(),
      { deadline: Date.now() + 5000 },
      (error) => resolve(error!),
    ),
  );
  expect(grpc.status[refused.code]).toBe('RESOURCE_EXHAUSTED');
  expect(refused.details).toMatch(
    /the request is 20,0\d\d bytes; CoverageService\/LookupCoverage takes at most 8,096: send less in one call/,
  );
  // The largest batch is not too large for its method.
  const batch = RPCS.find((r) => r.method === 'BatchLookupCoverage')!;
  const full = definitions[batch.service][batch.method].requestSerialize({
    citizenIds: Array.from({ length: 500 }, () => PEOPLE.covered),
    facilityCode: FACILITY,
  });
  expect(grpc.status[(await send(batch, full)).code]).not.toBe('RESOURCE_EXHAUSTED');
});

it('refuses control characters in the JSON facade too, naming the field', async () => {
  const res = await https(system.gateway.httpAddress)
    .post('/v1/coverage:lookup')
    .set('x-api-key', keys.clinic)
    .send({ citizen_id: PEOPLE.covered, facility_code: FACILITY, chip: { full_name: 'Nguyễn\u0000Văn An' } })
    .expect(400);
  expect(res.body.error).toMatchObject({ code: 'CONTROL_CHARACTER', field: 'chip.full_name' });
});
