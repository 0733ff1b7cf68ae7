import { testCredentials } from '../support/tls';
import * as grpc from '@grpc/grpc-js';
import { Pool } from 'pg';
import type { LookupCoverageResponse } from '@vss/contracts';
import { Clock, type GatewayConfig } from '@vss/platform';
import { serviceClient, unary } from '@vss/registry-client';
import { ApiKeys } from '@vss/api-keys';
import type { RunningRegistry } from '../../apps/population-registry/src/registry.app';
import type { TestDatabase } from '../support/database';
import type { RunningGateway } from '../../apps/gateway/src/gateway.app';
import { issueAdminKey, startTestSystem } from '../support/system';

/** The date the coverage tests live on: every card window below is relative to it. */
export const TODAY = '2025-06-15';

export class FixedClock extends Clock {
  override now(): Date {
    return new Date(`${TODAY}T03:00:00Z`); // 10:00 in Vietnam
  }
}

/** People whose IDs agree with province, century/gender digit and birth year. */
export const PEOPLE = {
  covered: '001085012345', // Hà Nội, male, 1985: valid DN card at 01001
  expired: '079179000111', // female, 1979: GD card ended 2024-12-31
  notYetValid: '031098000222', // male, 1998: card from 2025-07-01
  suspended: '036190000333', // female, 1990: card in its window but suspended
  deceased: '038041000444', // male, 1941: died 2025-05-01, card ended then
  noCard: '092301000555', // female, 2001: participant without a card
  duplicate: '048085000666', // male, 1985: two codes, an expired card and a valid one
  registryOnly: '001195000777', // male, 1995: known to the population registry, no VSS record at all
  unknown: '001090999999', // nobody
} as const;

export const FACILITY = '01001';
export const OTHER_FACILITY = '01002';

const SEED_SQL = `
  INSERT INTO vss.facilities (facility_code, name, province_code) VALUES
    ('01001', 'Bệnh viện Đa khoa Hà Nội', '001'),
    ('01002', 'Trạm Y tế phường Phúc Xá', '001'),
    ('79001', 'Bệnh viện Chợ Rẫy', '079');
  INSERT INTO vss.participants (social_insurance_code, citizen_id, full_name, date_of_birth, gender, province_code, deceased_on) VALUES
    ('0100000001', '${PEOPLE.covered}', 'Nguyễn Văn An', '1985-03-12', 'M', '001', NULL),
    ('7900000002', '${PEOPLE.expired}', 'Lê Thị Hoa', '1979-11-05', 'F', '079', NULL),
    ('3100000003', '${PEOPLE.notYetValid}', 'Phạm Minh Tuấn', '1998-07-22', 'M', '031', NULL),
    ('3600000004', '${PEOPLE.suspended}', 'Vũ Thị Lan', '1990-01-15', 'F', '036', NULL),
    ('3800000005', '${PEOPLE.deceased}', 'Bùi Văn Cường', '1941-08-30', 'M', '038', '2025-05-01'),
    ('9200000006', '${PEOPLE.noCard}', 'Dương Thị Thu', '2001-10-10', 'F', '092', NULL),
    ('4800000007', '${PEOPLE.duplicate}', 'Hoàng Văn Nam', '1985', 'M', '048', NULL),
    ('4800000008', '${PEOPLE.duplicate}', 'Hoàng Văn Nam', '1985-09-09', 'M', '048', NULL);
  INSERT INTO vss.hi_cards (social_insurance_code, object_group, benefit_level_percent, valid_from, valid_to,
      primary_care_facility_code, five_years_continuous_from, suspended, ended_on) VALUES
    ('0100000001', 'DN', 80, '2025-01-01', '2025-12-31', '01001', '2019-01-01', false, NULL),
    ('7900000002', 'GD', 80, '2024-01-01', '2024-12-31', '79001', NULL, false, NULL),
    ('3100000003', 'DN', 80, '2025-07-01', '2026-06-30', '01002', NULL, false, NULL),
    ('3600000004', 'GD', 80, '2025-01-01', '2025-12-31', '01001', NULL, true, NULL),
    ('3800000005', 'HT', 95, '2001-01-01', NULL, '01001', '2006-01-01', false, '2025-05-01'),
    ('4800000007', 'GD', 80, '2023-01-01', '2023-12-31', '01001', NULL, false, NULL),
    ('4800000008', 'DN', 80, '2025-02-01', '2026-01-31', '01002', NULL, false, NULL);
  INSERT INTO npd.citizens (citizen_id, full_name, date_of_birth, gender, birth_province_code, vital_status, date_of_death) VALUES
    ('${PEOPLE.covered}', 'Nguyễn Văn An', '1985-03-12', 'M', '001', 'ALIVE', NULL),
    ('${PEOPLE.expired}', 'Lê Thị Hoa', '1979-11-05', 'F', '079', 'ALIVE', NULL),
    ('${PEOPLE.deceased}', 'Bùi Văn Cường', '1941-08-30', 'M', '038', 'DECEASED', '2025-05-01'),
    ('${PEOPLE.registryOnly}', 'Phạm Quốc Bảo', '1995-09-09', 'M', '001', 'ALIVE', NULL);
`;

export interface Keys {
  clinic: string;
  otherClinic: string;
  admin: string;
  civilRegistry: string;
  revoked: string;
}

/** Seeds the fixture people, facilities and keys into a fresh test database. */
export async function seedCoverageFixtures(target: string | Pool): Promise<Keys> {
  const pool = typeof target === 'string' ? new Pool({ connectionString: target, max: 2 }) : target;
  try {
    await pool.query(SEED_SQL);
    const keys = new ApiKeys(pool);
    const revoked = await keys.issue({ role: 'clinic', facilityCode: FACILITY, label: 'old key of 01001' });
    await keys.revoke(revoked.keyId);
    return {
      clinic: (await keys.issue({ role: 'clinic', facilityCode: FACILITY, label: 'BV Đa khoa Hà Nội' }))
        .apiKey,
      otherClinic: (await keys.issue({ role: 'clinic', facilityCode: OTHER_FACILITY, label: 'TYT Phúc Xá' }))
        .apiKey,
      admin: await issueAdminKey(pool),
      civilRegistry: (
        await keys.issue({ role: 'civil-registry', officeCode: 'UBND-001-00001', label: 'UBND' })
      ).apiKey,
      revoked: revoked.apiKey,
    };
  } finally {
    if (typeof target === 'string') await pool.end();
  }
}

export interface CoverageWorld {
  db: TestDatabase;
  registry: RunningRegistry;
  gateway: RunningGateway;
  keys: Keys;
  pool: Pool;
  client: grpc.Client;
  close(): Promise<void>;
}

/** A registry and a gateway in this process against a seeded database of their own. */
export async function startCoverageWorld(label: string, gatewayEnv: Record<string, unknown> = {}) {
  let keys: Keys | undefined;
  const system = await startTestSystem(label, {
    seed: async (seedPool: Pool) => {
      keys = await seedCoverageFixtures(seedPool);
    },
    worker: false,
    clock: new FixedClock(),
    gatewayConfig: gatewayEnv as Partial<GatewayConfig>,
  });
  const { db, registry, gateway, pool } = system;
  const Coverage = serviceClient(['vss/gateway/v1/coverage.proto'], 'vss.gateway.v1.CoverageService');
  const client = new Coverage(gateway.grpcAddress, testCredentials());
  const world: CoverageWorld = {
    db,
    registry,
    gateway,
    keys: keys!,
    pool,
    client,
    async close() {
      client.close();
      await system.stop();
    },
  };
  return world;
}

export function withKey(apiKey: string | undefined): grpc.Metadata {
  const metadata = new grpc.Metadata();
  if (apiKey !== undefined) metadata.set('x-api-key', apiKey);
  return metadata;
}

export function call<Res = LookupCoverageResponse>(
  client: grpc.Client,
  method: 'lookupCoverage' | 'batchLookupCoverage' | 'listCoverageLookups',
  request: object,
  apiKey: string | undefined,
): Promise<Res> {
  return unary<object, Res>(client, method, request, { deadlineMs: 10_000, metadata: withKey(apiKey) });
}

/** The gRPC error of a call that must fail, with the field our filter names in the trailers. */
export async function failure(promise: Promise<unknown>) {
  const error = (await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  )) as grpc.ServiceError;
  return {
    code: grpc.status[error.code],
    details: error.details,
    field: error.metadata?.get('x-error-field')[0] as string | undefined,
    errorCode: error.metadata?.get('x-error-code')[0] as string | undefined,
  };
}
