import { testCredentials } from '../support/tls';
import * as grpc from '@grpc/grpc-js';
import { Pool } from 'pg';
import type {
  Procedure,
  SubmitBirthRegistrationRequest,
  SubmitBirthRegistrationResponse,
  SubmitDeathRegistrationRequest,
  SubmitDeathRegistrationResponse,
} from '@vss/contracts';
import { Gender, ProcedureState } from '@vss/contracts';
import { makeCitizenId } from '@vss/domain';
import type { WorkerConfig } from '@vss/platform';
import { serviceClient, unary } from '@vss/registry-client';
import { ApiKeys } from '@vss/api-keys';
import type { RunningGateway } from '../../apps/gateway/src/gateway.app';
import type { RunningRegistry } from '../../apps/population-registry/src/registry.app';
import type { RunningWorker } from '../../apps/worker/src/worker.app';
import type { TestDatabase } from '../support/database';
import { type FeatureSystemOptions, issueAdminKey, startTestSystem, TestClock } from '../support/system';
import { type AppProcess, startAppProcess } from '../support/processes';

/**
 * The whole system in this process for procedure tests: the registry stub, the gateway and
 * (unless told otherwise) a worker, on a database of the test file's own, with API keys for
 * an administrator and two civil registry offices, and a gRPC client of CivilEventService.
 */

export const OFFICE = 'UBND-001-00001';
export const OTHER_OFFICE = 'UBND-079-00002';
/** Another office in Hà Nội, the province of OFFICE. */
export const NEIGHBOUR_OFFICE = 'UBND-001-00002';

/** Worker settings that keep tests quick: short waits between attempts, fast polling. */
export const FAST_WORKER: Partial<WorkerConfig> = {
  WORKER_CONCURRENCY: 4,
  QUEUE_POLL_SECONDS: 0.5,
  QUEUE_SUPERVISE_SECONDS: 1,
  JOB_EXPIRE_SECONDS: 5,
  PROCEDURE_RETRY_BASE_MS: 200,
  PROCEDURE_RETRY_MAX_MS: 1000,
  REGISTRY_DEADLINE_MS: 2000,
};

export interface Stack {
  db: TestDatabase;
  pool: Pool;
  registry: RunningRegistry;
  gateway: RunningGateway;
  keys: {
    admin: string;
    /** Issued to an operator with the approver role. */
    approver: string;
    office: string;
    otherOffice: string;
    neighbourOffice: string;
    clinic: string;
  };
  call<Res>(method: string, request: object, apiKey: string): Promise<Res>;
  submitBirth(
    request: SubmitBirthRegistrationRequest,
    apiKey?: string,
    options?: { onClock?: boolean },
  ): Promise<SubmitBirthRegistrationResponse>;
  submitDeath(
    request: SubmitDeathRegistrationRequest,
    apiKey?: string,
    options?: { onClock?: boolean },
  ): Promise<SubmitDeathRegistrationResponse>;
  getProcedure(procedureId: string, apiKey?: string): Promise<Procedure>;
  /** A civil-registry key of a registered office (issued once per office). */
  officeKey(officeCode: string): Promise<string>;
  /** Waits until the procedure settles (COMPLETED, NEEDS_REVIEW, RESOLVED) and answers it. */
  settled(procedureId: string, timeoutMs?: number): Promise<Procedure>;
  startWorker(overrides?: Partial<WorkerConfig>): Promise<RunningWorker>;
  /**
   * The system's today. submitBirth and submitDeath file each registration on its own
   * registration date (the clock is set to it) unless `{ onClock: true }` keeps the clock as set.
   */
  clock: TestClock;
  grpcClient: grpc.Client;
  stop(): Promise<void>;
}

export async function startStack(
  label: string,
  /** seed: fills the database before the apps start. */
  options: FeatureSystemOptions = {},
): Promise<Stack> {
  const clock = new TestClock();
  const system = await startTestSystem(label, {
    clock,
    seed: options.seed ?? insertFacilities,
    worker: options.worker,
    registryConfig: options.registryConfig,
    gatewayConfig: { JOB_EXPIRE_SECONDS: 5, ...options.gatewayConfig },
    workerConfig: { ...FAST_WORKER, ...options.workerConfig },
  });
  const { db, pool, registry, gateway } = system;
  const apiKeys = new ApiKeys(pool);
  const issue = async (role: 'civil-registry' | 'clinic', officeCode?: string) =>
    (
      await apiKeys.issue({
        role,
        officeCode,
        facilityCode: role === 'clinic' ? '01001' : undefined,
        label: `test ${role} ${officeCode ?? ''}`,
      })
    ).apiKey;
  const keys = {
    admin: await issueAdminKey(pool),
    approver: await issueAdminKey(pool, ['approver', 'auditor']),
    office: await issue('civil-registry', OFFICE),
    otherOffice: await issue('civil-registry', OTHER_OFFICE),
    neighbourOffice: await issue('civil-registry', NEIGHBOUR_OFFICE),
    clinic: await issue('clinic'),
  };
  const Client = serviceClient(['vss/gateway/v1/civil_event.proto'], 'vss.gateway.v1.CivilEventService');
  const grpcClient = new Client(gateway.grpcAddress, testCredentials());
  const call = <Res>(method: string, request: object, apiKey: string) => {
    const metadata = new grpc.Metadata();
    metadata.set('x-api-key', apiKey);
    return unary<object, Res>(grpcClient, method, request, { deadlineMs: 10_000, metadata });
  };
  const officeKeys = new Map<string, Promise<string>>();
  const officeKey = (officeCode: string) => {
    if (!officeKeys.has(officeCode)) officeKeys.set(officeCode, issue('civil-registry', officeCode));
    return officeKeys.get(officeCode)!;
  };
  const getProcedure = async (procedureId: string, apiKey = keys.admin) =>
    (await call<{ procedure: Procedure }>('getProcedure', { procedureId }, apiKey)).procedure;
  return {
    db,
    pool,
    registry,
    gateway,
    keys,
    grpcClient,
    call,
    clock,
    submitBirth: (request, apiKey = keys.office, { onClock = false } = {}) => {
      if (!onClock && request.header?.registrationDate) clock.set(request.header.registrationDate);
      return call('submitBirthRegistration', request, apiKey);
    },
    submitDeath: (request, apiKey = keys.office, { onClock = false } = {}) => {
      if (!onClock && request.header?.registrationDate) clock.set(request.header.registrationDate);
      return call('submitDeathRegistration', request, apiKey);
    },
    getProcedure,
    officeKey,
    async settled(procedureId, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const procedure = await getProcedure(procedureId);
        if (SETTLED.includes(procedure.state)) return procedure;
        if (Date.now() > deadline) {
          throw new Error(`procedure ${procedureId} did not settle: ${JSON.stringify(procedure, null, 1)}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    startWorker: system.startWorker,
    async stop() {
      grpcClient.close();
      await system.stop();
    },
  };
}

const SETTLED = [
  ProcedureState.PROCEDURE_STATE_COMPLETED,
  ProcedureState.PROCEDURE_STATE_NEEDS_REVIEW,
  ProcedureState.PROCEDURE_STATE_AWAITING_APPROVAL,
  ProcedureState.PROCEDURE_STATE_RESOLVED,
  ProcedureState.PROCEDURE_STATE_REJECTED,
];

/** A few facilities in Hà Nội (001) and Hồ Chí Minh City (079); none in Cà Mau (096). */
async function insertFacilities(pool: Pool): Promise<void> {
  await pool.query(`
    INSERT INTO vss.facilities (facility_code, name, province_code, level) VALUES
      ('01001', 'Bệnh viện Đa khoa Hà Nội', '001', 'province'),
      ('01002', 'Trạm Y tế phường Tràng Tiền', '001', 'commune'),
      ('01003', 'Trạm Y tế phường Hàng Bài', '001', 'commune'),
      ('79001', 'Trạm Y tế phường Bến Nghé', '079', 'commune')`);
}

export interface RegistryPerson {
  citizenId: string;
  fullName: string;
  dateOfBirth: string;
  gender: 'M' | 'F';
  residenceProvinceCode?: string;
  deceasedOn?: string;
}

/** Citizens in the registry stub's own tables: test set-up only, everything else goes through gRPC. */
export async function insertCitizens(pool: Pool, people: RegistryPerson[]): Promise<void> {
  for (const p of people) {
    await pool.query(
      `INSERT INTO npd.citizens (citizen_id, full_name, date_of_birth, gender, birth_province_code,
         residence_address, residence_province_code, residence_status, vital_status, date_of_death)
       VALUES ($1, $2, $3, $4, $5, 'Số 1 Tràng Tiền, Hoàn Kiếm', $6, 'REGISTERED', $7, $8)`,
      [
        p.citizenId,
        p.fullName,
        p.dateOfBirth,
        p.gender,
        p.citizenId.slice(0, 3),
        p.residenceProvinceCode ?? p.citizenId.slice(0, 3),
        p.deceasedOn ? 'DECEASED' : 'ALIVE',
        p.deceasedOn ?? null,
      ],
    );
  }
}

/** A citizen of Hà Nội (the province of OFFICE) for tests: born on 17 May of `birthYear`. */
export function hanoian(serial: number, birthYear: number, fullName: string, gender: 'M' | 'F' = 'M') {
  return {
    citizenId: makeCitizenId({
      provinceCode: '001',
      gender: gender === 'M' ? 'MALE' : 'FEMALE',
      birthYear,
      serial,
    }),
    fullName,
    dateOfBirth: `${birthYear}-05-17`,
    gender,
  };
}

/**
 * A claimant of their own for the death of `deceasedCitizenId`, known to the registry once
 * inserted: one per death, as in life (a claimant or an account paid for another death within a
 * year waits for an approver).
 */
export function claimantOf(deceasedCitizenId: string, fullName = 'Đỗ Thị Lan'): RegistryPerson {
  return {
    citizenId: makeCitizenId({
      provinceCode: deceasedCitizenId.slice(0, 3),
      gender: 'FEMALE',
      birthYear: 1980,
      serial: 900_000 + Number(deceasedCitizenId.slice(-5)),
    }),
    fullName,
    dateOfBirth: '1980-01-01',
    gender: 'F',
  };
}

let eventCounter = 0;

/** A unique event ID per call, so that tests do not collide on the idempotency key. */
export function nextEventId(prefix = 'ev'): string {
  eventCounter += 1;
  return `${prefix}-${process.pid}-${eventCounter}`;
}

export function birthRequest(
  child: { citizenId: string; fullName: string; dateOfBirth: string; gender: 'M' | 'F' },
  overrides: {
    motherCitizenId?: string;
    provinceCode?: string;
    facilityCode?: string;
    eventId?: string;
  } = {},
): SubmitBirthRegistrationRequest {
  return {
    header: {
      officeCode: OFFICE,
      eventId: overrides.eventId ?? nextEventId('birth'),
      registrationNumber: `KS-${child.citizenId.slice(-6)}`,
      registrationDate: child.dateOfBirth,
    },
    birth: {
      childCitizenId: child.citizenId,
      childFullName: child.fullName,
      childDateOfBirth: child.dateOfBirth,
      childGender: child.gender === 'M' ? Gender.GENDER_MALE : Gender.GENDER_FEMALE,
      fatherCitizenId: '',
      motherCitizenId: overrides.motherCitizenId ?? '',
      permanentResidence: {
        address: 'Số 9 Hàng Bài, Hoàn Kiếm',
        provinceCode: overrides.provinceCode ?? '001',
      },
      primaryCareFacilityCode: overrides.facilityCode ?? '',
    },
  };
}

export function deathRequest(
  deceasedCitizenId: string,
  dateOfDeath: string,
  claimant: { citizenId: string; fullName: string },
  overrides: { workRelated?: boolean; eventId?: string; officeCode?: string } = {},
): SubmitDeathRegistrationRequest {
  return {
    header: {
      officeCode: overrides.officeCode ?? OFFICE,
      eventId: overrides.eventId ?? nextEventId('death'),
      registrationNumber: `KT-${deceasedCitizenId.slice(-6)}`,
      registrationDate: dateOfDeath,
    },
    death: {
      deceasedCitizenId,
      dateOfDeath,
      workRelated: overrides.workRelated ?? false,
      placeOfDeath: undefined,
      claimant: {
        citizenId: claimant.citizenId,
        fullName: claimant.fullName,
        relationship: 'spouse',
        // The claimant's own account: one per claimant (a payout into an account paid for another
        // death waits for an approver).
        account: {
          bankCode: 'VCB',
          accountNumber: `00${claimant.citizenId.slice(-11)}`,
          accountHolder: claimant.fullName,
        },
      },
    },
  };
}

/** The gRPC status name of a failed call, and its message. */
export async function failure(promise: Promise<unknown>): Promise<{ code: string; details: string }> {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as grpc.ServiceError | undefined;
  if (!error) throw new Error('expected the call to fail');
  return { code: grpc.status[error.code], details: error.details };
}

/**
 * A pensioner of 5,000,000 VND a month since 2015, paid for May–October 2024, with a card to
 * 2030 (object group HT) in Hà Nội: what a death stops and a revocation restores.
 */
export async function insurePensioner(
  pool: Pool,
  p: { citizenId: string; fullName: string; dateOfBirth: string; gender: string },
  code: string,
): Promise<void> {
  await pool.query(
    `INSERT INTO vss.participants (social_insurance_code, citizen_id, full_name, date_of_birth, gender, province_code,
       compulsory_contribution_months) VALUES ($1, $2, $3, $4, $5, '001', 300)`,
    [code, p.citizenId, p.fullName, p.dateOfBirth, p.gender],
  );
  await pool.query(
    `INSERT INTO vss.hi_cards (social_insurance_code, object_group, benefit_level_percent, valid_from, valid_to,
       primary_care_facility_code) VALUES ($1, 'HT', 95, '2020-01-01', '2030-12-31', '01001')`,
    [code],
  );
  await pool.query(
    `INSERT INTO vss.benefits (social_insurance_code, kind, monthly_amount_vnd, started_on)
     VALUES ($1, 'PENSION', 5000000, '2015-01-01')`,
    [code],
  );
  await pool.query(
    `INSERT INTO vss.benefit_payments (social_insurance_code, kind, period, amount_vnd, paid_on)
     SELECT $1, 'PENSION', to_char(m, 'YYYY-MM'), 5000000, m::date
       FROM generate_series('2024-05-01'::date, '2024-10-01'::date, interval '1 month') AS m`,
    [code],
  );
}

/**
 * A worker as its own process, from dist/ as in production, on the stack's database and
 * registry: what a test kills. Build first (`npm run build`).
 */
export function workerProcess(stack: Stack, settings: Partial<WorkerConfig> = {}): AppProcess {
  const env = Object.fromEntries(
    Object.entries({
      ...FAST_WORKER,
      ...settings,
      DATABASE_URL: stack.db.urlFor('worker'),
      REGISTRY_ADDRESS: stack.registry.address,
      LOG_LEVEL: 'info',
    }).map(([k, v]) => [k, String(v)]),
  );
  return startAppProcess('worker', env);
}
