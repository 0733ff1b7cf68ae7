import { https } from '../support/tls';
import { operatorCertificate } from '../support/operator-certificate';
import type { LookupCoverageResponse } from '@vss/contracts';
import {
  call,
  type CoverageWorld,
  FACILITY,
  OTHER_FACILITY,
  PEOPLE,
  startCoverageWorld,
} from './coverage.harness';

let world: CoverageWorld;
let http: ReturnType<typeof https>;

beforeAll(async () => {
  world = await startCoverageWorld('coveragehttp');
  http = https(world.gateway.httpAddress);
});

afterAll(async () => {
  await world?.close();
});

/** The parts of an answer that are the same for the same question (each lookup has its own ID). */
function comparable(answer: LookupCoverageResponse) {
  const { lookupId, receipt, ...rest } = answer;
  expect(lookupId).toMatch(/^[0-9a-f-]{36}$/);
  // Each answer has an entry of its own in the audit chain.
  expect(receipt).toEqual({
    seq: expect.stringMatching(/^[1-9][0-9]*$/),
    hash: expect.stringMatching(/^[0-9a-f]{64}$/),
  });
  return { ...rest, card: rest.card ?? null, holder: rest.holder ?? null };
}

describe('every HTTP answer', () => {
  it('names no framework, forbids content sniffing and tells a browser to stay on TLS', async () => {
    for (const res of [
      await http.get('/healthz').expect(200),
      await http
        .get(`/v1/coverage/${PEOPLE.covered}`)
        .query({ facility_code: FACILITY })
        .set('x-api-key', world.keys.clinic)
        .expect(200),
      await http.get('/v1/coverage/12345').set('x-api-key', world.keys.clinic).expect(400),
      await http.get('/no-such-path').expect(404),
      await https(world.gateway.operatorAddress, await operatorCertificate(world.pool))
        .get('/metrics')
        .expect(200),
    ]) {
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    }
  });
});

describe('GET /v1/coverage/{citizenId}', () => {
  it.each(Object.entries(PEOPLE))('gives the same answer as gRPC for %s', async (_who, citizenId) => {
    const res = await http
      .get(`/v1/coverage/${citizenId}`)
      .query({ facility_code: FACILITY })
      .set('x-api-key', world.keys.clinic)
      .expect(200)
      .expect('content-type', /json/);
    const grpc = await call(
      world.client,
      'lookupCoverage',
      { citizenId, facilityCode: FACILITY },
      world.keys.clinic,
    );
    expect(comparable(res.body)).toEqual(comparable(grpc));
  });

  it('marks every answer, and every refusal, not to be stored by a cache', async () => {
    await http
      .get(`/v1/coverage/${PEOPLE.covered}`)
      .query({ facility_code: FACILITY })
      .set('x-api-key', world.keys.clinic)
      .expect(200)
      .expect('cache-control', 'no-store');
    await http
      .post('/v1/coverage:lookup')
      .send({ citizen_id: PEOPLE.covered, facility_code: FACILITY })
      .set('x-api-key', world.keys.clinic)
      .expect(200)
      .expect('cache-control', 'no-store');
    await http
      .get('/v1/coverage/12')
      .query({ facility_code: FACILITY })
      .set('x-api-key', world.keys.clinic)
      .expect(400)
      .expect('cache-control', 'no-store');
  });

  it('tells a receptionist what to do for a citizen with no card', async () => {
    const res = await http
      .post('/v1/coverage:lookup')
      .send({ citizen_id: PEOPLE.registryOnly, facility_code: FACILITY })
      .set('x-api-key', world.keys.clinic)
      .expect(200);
    expect(res.body).toMatchObject({
      reason: 'NOT_COVERED_REASON_NO_CARD',
      reasonMessage: expect.stringMatching(/register .* or pay in full/),
    });
  });

  it('takes the visit date from the query', async () => {
    const res = await http
      .get(`/v1/coverage/${PEOPLE.covered}?facility_code=${FACILITY}&visit_date=2026-02-01`)
      .set('x-api-key', world.keys.clinic)
      .expect(200);
    expect(res.body).toMatchObject({
      status: 'COVERAGE_STATUS_NOT_COVERED',
      reason: 'NOT_COVERED_REASON_CARD_EXPIRED',
    });
  });

  it('refuses a malformed citizen ID with 400 naming the field', async () => {
    const res = await http
      .get(`/v1/coverage/00108501234X?facility_code=${FACILITY}`)
      .set('x-api-key', world.keys.clinic)
      .expect(400);
    expect(res.body.error).toMatchObject({ code: 'COVERAGE_INVALID_CITIZEN_ID', field: 'citizen_id' });
  });

  it('refuses an unknown facility with 400 and another facility with 403', async () => {
    const unknown = await http
      .get(`/v1/coverage/${PEOPLE.covered}?facility_code=99999`)
      .set('x-api-key', world.keys.clinic)
      .expect(400);
    expect(unknown.body.error).toMatchObject({ code: 'COVERAGE_UNKNOWN_FACILITY', field: 'facility_code' });
    const other = await http
      .get(`/v1/coverage/${PEOPLE.covered}?facility_code=${OTHER_FACILITY}`)
      .set('x-api-key', world.keys.clinic)
      .expect(403);
    expect(other.body.error.code).toBe('AUTH_WRONG_FACILITY');
  });

  it('refuses a missing or revoked key with 401 and an administrator key with 403', async () => {
    await http.get(`/v1/coverage/${PEOPLE.covered}?facility_code=${FACILITY}`).expect(401);
    await http
      .get(`/v1/coverage/${PEOPLE.covered}?facility_code=${FACILITY}`)
      .set('x-api-key', world.keys.revoked)
      .expect(401);
    await http
      .get(`/v1/coverage/${PEOPLE.covered}?facility_code=${FACILITY}`)
      .set('x-api-key', world.keys.admin)
      .expect(403);
  });

  it('refuses a repeated query parameter instead of picking one', async () => {
    const res = await http
      .get(`/v1/coverage/${PEOPLE.covered}?facility_code=${FACILITY}&facility_code=${OTHER_FACILITY}`)
      .set('x-api-key', world.keys.clinic)
      .expect(400);
    expect(res.body.error.field).toBe('facility_code');
  });
});

describe('POST /v1/coverage:lookup', () => {
  const post = (body: unknown, key = world.keys.clinic) =>
    http
      .post('/v1/coverage:lookup')
      .set('x-api-key', key)
      .send(body as object);

  it('answers a JSON body with proto field names, like the gRPC request', async () => {
    const res = await post({
      citizen_id: PEOPLE.expired,
      facility_code: FACILITY,
      visit_date: '2024-06-01',
    }).expect(200);
    expect(res.body).toMatchObject({
      citizenId: PEOPLE.expired,
      status: 'COVERAGE_STATUS_COVERED',
      visitDate: '2024-06-01',
    });
  });

  it('answers a JSON body with JSON (camelCase) names and chip data', async () => {
    const res = await post({
      citizenId: PEOPLE.covered,
      facilityCode: FACILITY,
      chip: { fullName: 'Nguyễn Văn An', dateOfBirth: '1985-03-12', gender: 'GENDER_MALE' },
    }).expect(200);
    expect(res.body.identity).toEqual({ result: 'IDENTITY_RESULT_VERIFIED', mismatchedFields: [] });
  });

  it('answers a QR payload', async () => {
    const qr = `${PEOPLE.covered}||Nguyễn Văn An|12031985|Nam|Hà Nội|01022021`;
    const res = await post({ qr_payload: qr, facility_code: FACILITY }).expect(200);
    expect(res.body).toMatchObject({
      citizenId: PEOPLE.covered,
      identity: { result: 'IDENTITY_RESULT_VERIFIED' },
    });
  });

  it.each([
    ['an empty body', {}, 'citizen_id'],
    ['both subjects', { citizen_id: PEOPLE.covered, qr_payload: 'x', facility_code: FACILITY }, 'citizen_id'],
    ['a number for the citizen ID', { citizen_id: 1085012345, facility_code: FACILITY }, 'citizen_id'],
    [
      'a chip that is not an object',
      { citizen_id: PEOPLE.covered, facility_code: FACILITY, chip: 'An' },
      'chip',
    ],
    [
      'a bad chip gender',
      { citizen_id: PEOPLE.covered, facility_code: FACILITY, chip: { gender: 'X' } },
      'chip.gender',
    ],
    ['a bad QR payload', { qr_payload: 'a|b|c', facility_code: FACILITY }, 'qr_payload'],
    ['a missing facility', { citizen_id: PEOPLE.covered }, 'facility_code'],
  ])('refuses %s with 400 naming the field', async (_what, body, field) => {
    const res = await post(body).expect(400);
    expect(res.body.error.field).toBe(field);
  });

  it('refuses a body that is not JSON with 400, not 500', async () => {
    const res = await http
      .post('/v1/coverage:lookup')
      .set('x-api-key', world.keys.clinic)
      .set('content-type', 'application/json')
      .send('{"citizen_id": ');
    expect(res.status).toBe(400);
  });

  it('leaves an audit record for every answer, marked as HTTP', async () => {
    const res = await post({ citizen_id: PEOPLE.noCard, facility_code: FACILITY }).expect(200);
    const { rows } = await world.pool.query(
      `SELECT outcome, detail->>'channel' AS channel FROM vss.audit_events WHERE event_id = $1`,
      [res.body.lookupId],
    );
    expect(rows).toEqual([{ outcome: 'NOT_COVERED:NO_CARD', channel: 'http' }]);
  });
});
