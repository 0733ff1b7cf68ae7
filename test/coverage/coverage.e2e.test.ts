import type { BatchLookupCoverageResponse, LookupCoverageResponse } from '@vss/contracts';
import {
  call,
  type CoverageWorld,
  FACILITY,
  OTHER_FACILITY,
  PEOPLE,
  startCoverageWorld,
  TODAY,
} from './coverage.harness';

let world: CoverageWorld;

beforeAll(async () => {
  world = await startCoverageWorld('coverage', { REGISTRY_LOOKUP_DEADLINE_MS: 300 });
});

afterAll(async () => {
  await world?.close();
});

const lookup = (request: object, key = world.keys.clinic) =>
  call<LookupCoverageResponse>(world.client, 'lookupCoverage', { facilityCode: FACILITY, ...request }, key);

describe('LookupCoverage answers', () => {
  it('covers a citizen with a valid card, with the card, the holder and the primary-care facility', async () => {
    const res = await lookup({ citizenId: PEOPLE.covered });
    expect(res).toMatchObject({
      citizenId: PEOPLE.covered,
      status: 'COVERAGE_STATUS_COVERED',
      reason: 'NOT_COVERED_REASON_UNSPECIFIED',
      visitDate: TODAY,
      card: {
        socialInsuranceCode: '0100000001',
        validFrom: '2025-01-01',
        validTo: '2025-12-31',
        objectGroup: 'DN',
        benefitLevelPercent: 80,
        primaryCareFacilityCode: '01001',
        primaryCareFacilityName: 'Bệnh viện Đa khoa Hà Nội',
        visitAtPrimaryCareFacility: true,
        fiveYearsContinuousFrom: '2019-01-01',
      },
      holder: { fullName: 'Nguyễn Văn An', dateOfBirth: '1985-03-12', gender: 'GENDER_MALE' },
      identity: { result: 'IDENTITY_RESULT_NOT_CHECKED', mismatchedFields: [] },
    });
    expect(res.lookupId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('says when the visit is not at the primary-care facility', async () => {
    const res = await lookup(
      { citizenId: PEOPLE.covered, facilityCode: OTHER_FACILITY },
      world.keys.otherClinic,
    );
    expect(res.status).toBe('COVERAGE_STATUS_COVERED');
    expect(res.card?.visitAtPrimaryCareFacility).toBe(false);
  });

  it.each([
    ['an unknown citizen', PEOPLE.unknown, 'NOT_COVERED_REASON_UNKNOWN_CITIZEN'],
    ['a participant without a card', PEOPLE.noCard, 'NOT_COVERED_REASON_NO_CARD'],
    ['an expired card', PEOPLE.expired, 'NOT_COVERED_REASON_CARD_EXPIRED'],
    ['a card not yet valid', PEOPLE.notYetValid, 'NOT_COVERED_REASON_CARD_NOT_YET_VALID'],
    ['a deceased holder', PEOPLE.deceased, 'NOT_COVERED_REASON_DECEASED'],
    ['a suspended card', PEOPLE.suspended, 'NOT_COVERED_REASON_COVERAGE_SUSPENDED'],
  ])('does not cover %s and says why', async (_what, citizenId, reason) => {
    const res = await lookup({ citizenId });
    expect(res).toMatchObject({ status: 'COVERAGE_STATUS_NOT_COVERED', reason });
  });

  it('answers NO_CARD, not UNKNOWN_CITIZEN, for a citizen the registry knows and VSS has no record of', async () => {
    const res = await lookup({ citizenId: PEOPLE.registryOnly });
    expect(res).toMatchObject({
      status: 'COVERAGE_STATUS_NOT_COVERED',
      reason: 'NOT_COVERED_REASON_NO_CARD',
    });
    expect(res.reasonMessage).toBe(
      'no health insurance card under this citizen ID; the patient may register for health insurance or pay in full',
    );
    expect(res.card).toBeNull();
  });

  it('keeps UNKNOWN_CITIZEN for an ID neither VSS nor the registry knows, and says to check the ID', async () => {
    const res = await lookup({ citizenId: PEOPLE.unknown });
    expect(res.reason).toBe('NOT_COVERED_REASON_UNKNOWN_CITIZEN');
    expect(res.reasonMessage).toMatch(/check the ID/);
  });

  it('answers NO_CARD with the identity UNAVAILABLE when the registry cannot say in time whether it knows the ID', async () => {
    world.registry.faults.update({ refuseAll: true });
    try {
      const res = await lookup({
        citizenId: PEOPLE.unknown,
        chip: { fullName: 'Ai Đó', dateOfBirth: '1990-01-01', gender: 'GENDER_MALE' },
      });
      expect(res).toMatchObject({
        reason: 'NOT_COVERED_REASON_NO_CARD',
        identity: { result: 'IDENTITY_RESULT_UNAVAILABLE' },
      });
      const plain = await lookup({ citizenId: PEOPLE.unknown });
      expect(plain.reason).toBe('NOT_COVERED_REASON_NO_CARD');
    } finally {
      world.registry.faults.update({ refuseAll: false });
    }
  });

  it('gives no card and no holder for an unknown citizen, and the card of an expired one', async () => {
    const unknown = await lookup({ citizenId: PEOPLE.unknown });
    expect(unknown.card).toBeNull();
    expect(unknown.holder).toBeNull();
    const expired = await lookup({ citizenId: PEOPLE.expired });
    expect(expired.card).toMatchObject({
      validTo: '2024-12-31',
      primaryCareFacilityName: 'Bệnh viện Chợ Rẫy',
    });
    expect(expired.holder?.fullName).toBe('Lê Thị Hoa');
  });

  it('decides for the visit date asked: a card is valid only inside its period', async () => {
    expect((await lookup({ citizenId: PEOPLE.notYetValid, visitDate: '2025-07-01' })).status).toBe(
      'COVERAGE_STATUS_COVERED',
    );
    expect((await lookup({ citizenId: PEOPLE.covered, visitDate: '2025-12-31' })).status).toBe(
      'COVERAGE_STATUS_COVERED',
    );
    const after = await lookup({ citizenId: PEOPLE.covered, visitDate: '2026-01-01' });
    expect(after).toMatchObject({ reason: 'NOT_COVERED_REASON_CARD_EXPIRED', visitDate: '2026-01-01' });
  });

  it('covers the deceased up to the day of death and not after', async () => {
    expect((await lookup({ citizenId: PEOPLE.deceased, visitDate: '2025-05-01' })).status).toBe(
      'COVERAGE_STATUS_COVERED',
    );
    expect((await lookup({ citizenId: PEOPLE.deceased, visitDate: '2025-05-02' })).reason).toBe(
      'NOT_COVERED_REASON_DECEASED',
    );
  });

  it('answers from the record with a valid card when a citizen has several social insurance codes', async () => {
    const res = await lookup({ citizenId: PEOPLE.duplicate });
    expect(res.status).toBe('COVERAGE_STATUS_COVERED');
    expect(res.card?.socialInsuranceCode).toBe('4800000008');
    // Before the valid card began, the latest card (the same one) answers: not yet valid.
    const early = await lookup({ citizenId: PEOPLE.duplicate, visitDate: '2025-01-15' });
    expect(early).toMatchObject({
      reason: 'NOT_COVERED_REASON_CARD_NOT_YET_VALID',
      card: { socialInsuranceCode: '4800000008' },
    });
  });
});

describe('identity check', () => {
  const qr = (name = 'Nguyễn Văn An', birth = '12031985', gender = 'Nam') =>
    `${PEOPLE.covered}||${name}|${birth}|${gender}|Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội|01022021`;

  it('verifies the QR code data against the registry, names compared after normalisation', async () => {
    const res = await lookup({ qrPayload: qr('  NGUYỄN   văn an ') });
    expect(res).toMatchObject({
      citizenId: PEOPLE.covered,
      status: 'COVERAGE_STATUS_COVERED',
      identity: { result: 'IDENTITY_RESULT_VERIFIED', mismatchedFields: [] },
    });
  });

  it('names the fields that differ from the registry', async () => {
    const res = await lookup({ qrPayload: qr('Nguyễn Văn Anh', '13031985') });
    expect(res.identity).toEqual({
      result: 'IDENTITY_RESULT_MISMATCH',
      mismatchedFields: ['full_name', 'date_of_birth'],
    });
  });

  it('prefers explicit chip data to the QR payload', async () => {
    const res = await lookup({
      qrPayload: qr('Nguyễn Văn Anh'),
      chip: { fullName: 'Nguyễn Văn An', dateOfBirth: '1985-03-12', gender: 'GENDER_MALE' },
    });
    expect(res.identity?.result).toBe('IDENTITY_RESULT_VERIFIED');
  });

  it('checks chip data sent with a plain citizen ID, and flags an ID the registry never issued', async () => {
    const res = await lookup({
      citizenId: PEOPLE.expired,
      chip: { fullName: 'Lê Thị Hoa', gender: 'GENDER_MALE' },
    });
    expect(res.identity).toEqual({ result: 'IDENTITY_RESULT_MISMATCH', mismatchedFields: ['gender'] });
    const ghost = await lookup({ citizenId: PEOPLE.unknown, chip: { fullName: 'Không Ai' } });
    expect(ghost.identity).toEqual({ result: 'IDENTITY_RESULT_MISMATCH', mismatchedFields: ['citizen_id'] });
  });

  it('still answers coverage, flagged UNAVAILABLE, when the registry is down or too slow', async () => {
    world.registry.faults.update({ refuseAll: true });
    try {
      const down = await lookup({ qrPayload: qr() });
      expect(down).toMatchObject({
        status: 'COVERAGE_STATUS_COVERED',
        identity: { result: 'IDENTITY_RESULT_UNAVAILABLE' },
      });
    } finally {
      world.registry.faults.update({ refuseAll: false });
    }
    world.registry.faults.update({ latencyMs: 500 });
    try {
      const slow = await lookup({ qrPayload: qr() });
      expect(slow).toMatchObject({
        status: 'COVERAGE_STATUS_COVERED',
        identity: { result: 'IDENTITY_RESULT_UNAVAILABLE' },
      });
    } finally {
      world.registry.faults.update({ latencyMs: 0 });
    }
  });
});

describe('BatchLookupCoverage', () => {
  it('answers every ID in request order, repeated IDs included', async () => {
    const ids = [
      PEOPLE.expired,
      PEOPLE.covered,
      PEOPLE.unknown,
      PEOPLE.covered,
      PEOPLE.deceased,
      PEOPLE.registryOnly,
    ];
    const res = await call<BatchLookupCoverageResponse>(
      world.client,
      'batchLookupCoverage',
      { citizenIds: ids, facilityCode: FACILITY },
      world.keys.clinic,
    );
    expect(res.results.map((r) => r.citizenId)).toEqual(ids);
    expect(res.results.map((r) => r.reason)).toEqual([
      'NOT_COVERED_REASON_CARD_EXPIRED',
      'NOT_COVERED_REASON_UNSPECIFIED',
      'NOT_COVERED_REASON_UNKNOWN_CITIZEN',
      'NOT_COVERED_REASON_UNSPECIFIED',
      'NOT_COVERED_REASON_DECEASED',
      'NOT_COVERED_REASON_NO_CARD',
    ]);
    expect(new Set(res.results.map((r) => r.lookupId)).size).toBe(ids.length);
  });

  it('accepts exactly 500 IDs', async () => {
    const res = await call<BatchLookupCoverageResponse>(
      world.client,
      'batchLookupCoverage',
      { citizenIds: Array(500).fill(PEOPLE.covered), facilityCode: FACILITY, visitDate: '2025-03-01' },
      world.keys.clinic,
    );
    expect(res.results).toHaveLength(500);
    expect(
      res.results.every((r) => r.status === 'COVERAGE_STATUS_COVERED' && r.visitDate === '2025-03-01'),
    ).toBe(true);
  });
});
