import type { ListCoverageLookupsResponse, LookupCoverageResponse } from '@vss/contracts';
import { ApiKeys } from '@vss/api-keys';
import {
  call,
  type CoverageWorld,
  failure,
  FACILITY,
  OTHER_FACILITY,
  PEOPLE,
  startCoverageWorld,
} from './coverage.harness';

let world: CoverageWorld;

beforeAll(async () => {
  world = await startCoverageWorld('coverageinput');
});

afterAll(async () => {
  await world?.close();
});

const lookup = (request: object, key: string | undefined = world.keys.clinic) =>
  call<LookupCoverageResponse>(world.client, 'lookupCoverage', request, key);

const validQr = `${PEOPLE.covered}||Nguyễn Văn An|12031985|Nam|Hà Nội|01022021`;

describe('bad input is INVALID_ARGUMENT naming the field, never UNKNOWN or INTERNAL', () => {
  it.each([
    ['an empty request', {}, 'citizen_id', /citizen_id is required/],
    ['a citizen ID of 11 digits', { citizenId: '00108501234' }, 'citizen_id', /12 digits, got 11/],
    ['a citizen ID of 13 digits', { citizenId: '0010850123456' }, 'citizen_id', /12 digits, got 13/],
    ['a citizen ID with a letter', { citizenId: '00108501234A' }, 'citizen_id', /only the digits/],
    ['a citizen ID with inner spaces', { citizenId: '001 085 012345' }, 'citizen_id', /only the digits/],
    [
      'a citizen ID of an unknown province',
      { citizenId: '099085012345' },
      'citizen_id',
      /not a province code/,
    ],
    [
      'a century digit for a birth year still to come',
      { citizenId: '001485012345' },
      'citizen_id',
      /birth year 2185/,
    ],
    [
      'a QR payload with 5 fields',
      { qrPayload: `${PEOPLE.covered}||An|12031985|Nam` },
      'qr_payload',
      /5 field/,
    ],
    [
      'a QR payload with an impossible birth date',
      { qrPayload: `${PEOPLE.covered}||Nguyễn Văn An|31021985|Nam|Hà Nội|01022021` },
      'qr_payload',
      /date of birth/,
    ],
    [
      'a QR payload whose CCCD is not valid',
      { qrPayload: `999085012345||Nguyễn Văn An|12031985|Nam|Hà Nội|01022021` },
      'qr_payload',
      /province/,
    ],
    [
      'a QR payload whose CCCD disagrees with the birth year',
      { qrPayload: `001086012345||Nguyễn Văn An|12031985|Nam|Hà Nội|01022021` },
      'qr_payload',
      /1986/,
    ],
    [
      'a facility code of letters',
      { citizenId: PEOPLE.covered, facilityCode: 'BV001' },
      'facility_code',
      /5 digits/,
    ],
    ['no facility code', { citizenId: PEOPLE.covered, facilityCode: '' }, 'facility_code', /required/],
    [
      'an unknown facility code',
      { citizenId: PEOPLE.covered, facilityCode: '99999' },
      'facility_code',
      /not a known/,
    ],
    [
      'an impossible visit date',
      { citizenId: PEOPLE.covered, visitDate: '2025-02-29' },
      'visit_date',
      /calendar/,
    ],
    [
      'a visit date in another format',
      { citizenId: PEOPLE.covered, visitDate: '15/06/2025' },
      'visit_date',
      /YYYY-MM-DD/,
    ],
    [
      'a chip date of birth in another format',
      { citizenId: PEOPLE.covered, chip: { dateOfBirth: '12031985' } },
      'chip.date_of_birth',
      /YYYY-MM-DD/,
    ],
  ])('refuses %s', async (_what, request, field, message) => {
    const error = await failure(lookup({ facilityCode: FACILITY, ...request }));
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', field });
    expect(error.details).toMatch(message);
  });

  it('refuses a QR payload past any card’s without echoing it back, and a megabyte before decoding it', async () => {
    const long = await failure(lookup({ facilityCode: FACILITY, qrPayload: validQr + 'x'.repeat(2_000) }));
    expect(long).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'qr_payload' });
    expect(long.details.length).toBeLessThan(300);
    const huge = await failure(
      lookup({ facilityCode: FACILITY, qrPayload: validQr + 'x'.repeat(1_000_000) }),
    );
    expect(huge.code).toBe('RESOURCE_EXHAUSTED');
    expect(huge.details).toMatch(
      /the request is 1,000,\d{3} bytes; CoverageService\/LookupCoverage takes at most 8,096/,
    );
    expect(huge.details.length).toBeLessThan(300);
  });

  it.each([
    ['an empty batch', [], 'citizen_ids', /empty/],
    ['a batch of 501', Array(501).fill(PEOPLE.covered), 'citizen_ids', /at most 500/],
    ['a malformed ID inside a batch', [PEOPLE.covered, '12345'], 'citizen_ids[1]', /12 digits/],
  ])('refuses %s', async (_what, citizenIds, field, message) => {
    const error = await failure(
      call(world.client, 'batchLookupCoverage', { citizenIds, facilityCode: FACILITY }, world.keys.clinic),
    );
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', field });
    expect(error.details).toMatch(message);
  });

  it.each([
    ['a page size over 500', { citizenId: PEOPLE.covered, pageSize: 501 }, 'page_size'],
    ['a negative page size', { citizenId: PEOPLE.covered, pageSize: -1 }, 'page_size'],
    ['a forged page token', { citizenId: PEOPLE.covered, pageToken: 'bm90IGEgdG9rZW4' }, 'page_token'],
    ['a malformed citizen ID', { citizenId: '1' }, 'citizen_id'],
  ])('refuses a lookup listing with %s', async (_what, request, field) => {
    const error = await failure(call(world.client, 'listCoverageLookups', request, world.keys.admin));
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', field });
  });
});

describe('callers', () => {
  it.each([
    ['no key', undefined, /x-api-key/],
    ['a key this gateway never issued', 'vss_abcdefghijkl_' + 'A'.repeat(43), /not a key/],
    ['something that is not a key', 'letmein', /not a key/],
    ['a revoked key', 'revoked', /revoked/],
  ])('refuses %s with UNAUTHENTICATED', async (_what, key, message) => {
    const apiKey = key === 'revoked' ? world.keys.revoked : key;
    const request = { citizenId: PEOPLE.covered, facilityCode: FACILITY };
    const error = await failure(call(world.client, 'lookupCoverage', request, apiKey));
    expect(error.code).toBe('UNAUTHENTICATED');
    expect(error.details).toMatch(message);
  });

  it('refuses a clinic asking in the name of another facility with PERMISSION_DENIED', async () => {
    const error = await failure(lookup({ citizenId: PEOPLE.covered, facilityCode: OTHER_FACILITY }));
    expect(error).toMatchObject({ code: 'PERMISSION_DENIED', errorCode: 'AUTH_WRONG_FACILITY' });
    expect(error.details).toMatch(/acts for facility 01001/);
  });

  it('refuses roles other than clinic for lookups, and other than admin for the listing', async () => {
    for (const key of [world.keys.admin, world.keys.civilRegistry]) {
      expect((await failure(lookup({ citizenId: PEOPLE.covered, facilityCode: FACILITY }, key))).code).toBe(
        'PERMISSION_DENIED',
      );
    }
    const error = await failure(
      call(world.client, 'listCoverageLookups', { citizenId: PEOPLE.covered }, world.keys.clinic),
    );
    expect(error.code).toBe('PERMISSION_DENIED');
  });

  it('stops accepting a key as soon as it is revoked, in a gateway that had it cached', async () => {
    const keys = new ApiKeys(world.pool);
    const issued = await keys.issue({ role: 'clinic', facilityCode: FACILITY, label: 'short-lived' });
    await lookup({ citizenId: PEOPLE.covered, facilityCode: FACILITY }, issued.apiKey);
    await keys.revoke(issued.keyId);
    // The revocation reaches the gateway as a NOTIFY after the commit: wait for it, not for 5 s.
    const started = Date.now();
    let code: string | undefined;
    while (Date.now() - started < 4000) {
      code = await lookup({ citizenId: PEOPLE.covered, facilityCode: FACILITY }, issued.apiKey).then(
        () => 'OK',
        (e: { code: number }) => (e.code === 16 ? 'UNAUTHENTICATED' : String(e.code)),
      );
      if (code !== 'OK') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(code).toBe('UNAUTHENTICATED');
  });
});

describe('the audit trail', () => {
  it('has a record of every answered lookup, and none of refused ones', async () => {
    const before = await world.pool.query(
      `SELECT count(*)::int AS n FROM vss.audit_events WHERE subject_citizen_id = $1`,
      [PEOPLE.suspended],
    );
    const answer = await lookup({ citizenId: PEOPLE.suspended, facilityCode: FACILITY });
    await failure(lookup({ citizenId: PEOPLE.suspended, facilityCode: OTHER_FACILITY }));
    const { rows } = await world.pool.query(
      `SELECT event_id::text, caller, caller_role, facility_code, action, subject_citizen_id, purpose, outcome, detail
         FROM vss.audit_events WHERE subject_citizen_id = $1 ORDER BY occurred_at`,
      [PEOPLE.suspended],
    );
    expect(rows).toHaveLength(before.rows[0].n + 1);
    expect(rows[rows.length - 1]).toMatchObject({
      event_id: answer.lookupId,
      caller: expect.stringMatching(/^BV Đa khoa Hà Nội \(/),
      caller_role: 'clinic',
      facility_code: FACILITY,
      action: 'coverage.lookup',
      purpose: 'reception',
      outcome: 'NOT_COVERED:COVERAGE_SUSPENDED',
      detail: { identity: 'NOT_CHECKED', channel: 'grpc', social_insurance_code: '3600000004' },
    });
  });

  it('lists who looked a citizen up, newest first, page by page', async () => {
    const ids: string[] = [];
    for (const visitDate of ['2025-06-01', '2025-06-02', '2025-06-03']) {
      ids.push((await lookup({ citizenId: PEOPLE.notYetValid, facilityCode: FACILITY, visitDate })).lookupId);
    }
    ids.push(
      (
        await lookup(
          {
            qrPayload: `${PEOPLE.notYetValid}||Phạm Minh Tuấn|22071998|Nam|Hải Phòng|01022021`,
            facilityCode: OTHER_FACILITY,
          },
          world.keys.otherClinic,
        )
      ).lookupId,
    );
    const list = (pageToken = '') =>
      call<ListCoverageLookupsResponse>(
        world.client,
        'listCoverageLookups',
        { citizenId: PEOPLE.notYetValid, pageSize: 3, pageToken },
        world.keys.admin,
      );
    const first = await list();
    expect(first.lookups.map((l) => l.lookupId)).toEqual([ids[3], ids[2], ids[1]]);
    expect(first.lookups[0]).toMatchObject({
      caller: expect.stringMatching(/^TYT Phúc Xá/),
      facilityCode: OTHER_FACILITY,
      purpose: 'reception',
      status: 'COVERAGE_STATUS_NOT_COVERED',
      reason: 'NOT_COVERED_REASON_CARD_NOT_YET_VALID',
      // The registry has never heard of this ID: the card in front of the clinic is in doubt.
      identity: 'IDENTITY_RESULT_MISMATCH',
    });
    expect(first.lookups[0].lookedUpAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    expect(first.nextPageToken).not.toBe('');
    const second = await list(first.nextPageToken);
    expect(second.lookups.map((l) => l.lookupId)).toEqual([ids[0]]);
    expect(second.nextPageToken).toBe('');
  });
});
