import * as grpc from '@grpc/grpc-js';
import { Pool } from 'pg';
import pino from 'pino';
import { AccessHistoryRepository, AuditTrail } from '@vss/audit';
import { CoverageStatus, IdentityResult, NotCoveredReason } from '@vss/contracts';
import { makeCitizenId } from '@vss/domain';
import { CoverageRecordsRepository, FacilitiesRepository } from '@vss/insurance-records';
import { Clock, ErrorClass, gatewayConfigSchema, loadConfig } from '@vss/platform';
import { RegistryClient } from '@vss/registry-client';
import type { Caller } from '@vss/security';
import { newCard, newFacility, newParticipant } from '../../insurance-records/test/factories';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { refusalOf } from '../../../test/support/refusals';
import { CoverageRecords, CoverageService } from '../src';
import { IdentityCheck } from '../src/identity-check';
import { ChangeFeedKeyRepository } from '../src/change-feed-key.repository';

/**
 * CoverageService on a real database, built by hand (no app): the answer decided from the
 * records, the audit entry committed before the answer (its receipt names the entry), the
 * clinic held to its facility, and the identity check answered UNAVAILABLE — coverage still
 * answered — when the registry cannot be reached.
 */
const TODAY = '2025-06-15';
class FixedClock extends Clock {
  override now(): Date {
    return new Date(`${TODAY}T03:00:00Z`);
  }
}
const CLINIC: Caller = {
  id: 'k1',
  label: 'Trạm Y tế',
  role: 'clinic',
  facilityCode: '01001',
  via: 'api-key',
};
const person = (serial: number, birthYear = 1985) =>
  makeCitizenId({ provinceCode: '001', gender: 'MALE', birthYear, serial });

let db: TestDatabase;
let pool: Pool;
let audit: AuditTrail;
let records: CoverageRecords;
let registry: RegistryClient;
let service: CoverageService;

beforeAll(async () => {
  db = await createTestDatabase('coverage');
  pool = new Pool({ connectionString: db.url, max: 4 });
  const config = loadConfig(gatewayConfigSchema, { REGISTRY_LOOKUP_DEADLINE_MS: '200' });
  const logger = pino({ level: 'silent' });
  audit = new AuditTrail(pool, { flushMs: 1, maxBatch: 100 });
  records = new CoverageRecords(
    new CoverageRecordsRepository(pool),
    new FacilitiesRepository(pool),
    new ChangeFeedKeyRepository(pool),
    pool,
    config,
    logger,
  );
  await records.onApplicationBootstrap();
  // Nothing listens there: a registry that is down.
  registry = new RegistryClient({
    address: '127.0.0.1:9',
    credentials: grpc.credentials.createInsecure(),
    deadlineMs: 200,
  });
  service = new CoverageService(
    records,
    new AccessHistoryRepository(pool),
    new IdentityCheck(registry, config, logger),
    audit,
    new FixedClock(),
    logger,
  );
  await newFacility(pool, { facilityCode: '01001', name: 'Trạm Y tế phường Phúc Xá', provinceCode: '001' });
  await newFacility(pool, { facilityCode: '79001', name: 'Bệnh viện Chợ Rẫy', provinceCode: '079' });
  for (const [serial, card] of [
    [1, { validTo: '2025-12-31' }],
    [2, { validTo: '2024-12-31' }],
  ] as const) {
    const sic = `01${String(serial).padStart(8, '0')}`;
    await newParticipant(pool, {
      socialInsuranceCode: sic,
      citizenId: person(serial),
      dateOfBirth: '1985-03-12',
    });
    await newCard(pool, {
      socialInsuranceCode: sic,
      objectGroup: 'DN',
      primaryCareFacilityCode: '01001',
      ...card,
    });
  }
});

afterAll(async () => {
  await records?.onApplicationShutdown();
  registry?.close();
  await audit?.close();
  await pool?.end();
  await db?.drop();
});

describe('CoverageService', () => {
  it('answers from the records, and the answer carries the receipt of its committed audit entry', async () => {
    const answer = await service.lookup(
      CLINIC,
      { citizenId: person(1), facilityCode: '01001', visitDate: '', chip: undefined },
      'grpc',
    );
    expect(answer).toMatchObject({
      status: CoverageStatus.COVERAGE_STATUS_COVERED,
      visitDate: TODAY,
      card: { objectGroup: 'DN', validTo: '2025-12-31', primaryCareFacilityName: 'Trạm Y tế phường Phúc Xá' },
    });
    const { rows } = await pool.query(
      `SELECT seq::text, encode(hash, 'hex') AS hash, caller, subject_citizen_id, outcome FROM vss.audit_events
        WHERE event_id = $1`,
      [answer.lookupId],
    );
    expect(rows).toEqual([
      {
        seq: answer.receipt?.seq,
        hash: answer.receipt?.hash,
        caller: 'Trạm Y tế (k1)',
        subject_citizen_id: person(1),
        outcome: 'COVERED',
      },
    ]);
  });

  it('says why a person is not covered', async () => {
    const expired = await service.lookup(
      CLINIC,
      { citizenId: person(2), facilityCode: '01001', visitDate: '', chip: undefined },
      'http',
    );
    expect(expired).toMatchObject({
      status: CoverageStatus.COVERAGE_STATUS_NOT_COVERED,
      reason: NotCoveredReason.NOT_COVERED_REASON_CARD_EXPIRED,
    });
  });

  it("holds a clinic to its own facility: another's is PERMISSION_DENIED, a code that is no facility INVALID_ARGUMENT", async () => {
    const other = await refusalOf(
      service.lookup(
        CLINIC,
        { citizenId: person(1), facilityCode: '79001', visitDate: '', chip: undefined },
        'grpc',
      ),
    );
    expect(other.errorClass).toBe(ErrorClass.PermissionDenied);
    const unknown = await refusalOf(
      service.lookup(
        CLINIC,
        { citizenId: person(1), facilityCode: '99999', visitDate: '', chip: undefined },
        'grpc',
      ),
    );
    expect(unknown).toMatchObject({ errorClass: ErrorClass.InvalidArgument, field: 'facility_code' });
  });

  it('answers coverage with the identity UNAVAILABLE when the registry cannot be reached', async () => {
    const answer = await service.lookup(
      CLINIC,
      {
        citizenId: person(1),
        facilityCode: '01001',
        visitDate: '',
        chip: { fullName: 'Nguyễn Văn An', dateOfBirth: '1985-03-12', gender: 1 as never },
      },
      'grpc',
    );
    expect(answer.status).toBe(CoverageStatus.COVERAGE_STATUS_COVERED);
    expect(answer.identity?.result).toBe(IdentityResult.IDENTITY_RESULT_UNAVAILABLE);
  });

  it('lists who looked a person up, newest first, and records that listing too', async () => {
    const admin: Caller = { id: 'a1', label: 'VSS IT', role: 'admin', via: 'api-key' };
    const page = await service.listLookups(admin, { citizenId: person(1), pageSize: 1, pageToken: '' });
    expect(page.lookups).toHaveLength(1); // two lookups so far: one page of one, and a next
    expect(page.nextPageToken).not.toBe('');
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM vss.audit_events WHERE action = 'audit.history.read' AND subject_citizen_id = $1`,
      [person(1)],
    );
    expect(rows[0].n).toBe(1);
  });
});
