import * as grpc from '@grpc/grpc-js';
import {
  Gender,
  type Procedure,
  ProcedureKind,
  ProcedureState,
  type SubmitBirthRegistrationRequest,
  type SubmitDeathRegistrationRequest,
} from '@vss/contracts';
import { makeCitizenId } from '@vss/domain';
import { PROCEDURE_STEP_QUEUE } from '@vss/domain/linked-procedures';
import {
  birthRequest,
  deathRequest,
  failure,
  insertCitizens,
  OFFICE,
  type Stack,
  startStack,
} from './support';

let stack: Stack;

const MOTHER = makeCitizenId({ provinceCode: '001', gender: 'FEMALE', birthYear: 1992, serial: 7 });
const DECEASED = makeCitizenId({ provinceCode: '001', gender: 'MALE', birthYear: 1950, serial: 8 });
const CLAIMANT = { citizenId: MOTHER, fullName: 'Trần Thị Hoa' };
const baby = (serial: number) => ({
  citizenId: makeCitizenId({ provinceCode: '001', gender: 'FEMALE', birthYear: 2024, serial }),
  fullName: 'Nguyễn Thị Ngọc Anh',
  dateOfBirth: '2024-02-29',
  gender: 'F' as const,
});

beforeAll(async () => {
  // No worker at first: accepted procedures stay ACCEPTED while the API is examined.
  stack = await startStack('civilevents', { worker: false });
  await insertCitizens(stack.pool, [
    { citizenId: MOTHER, fullName: 'Trần Thị Hoa', dateOfBirth: '1992-01-01', gender: 'F' },
    { citizenId: DECEASED, fullName: 'Nguyễn Văn Tâm', dateOfBirth: '1950-01-01', gender: 'M' },
  ]);
});

afterAll(() => stack?.stop());

type Mutation<T> = [string, (r: T) => void, RegExp];

describe('SubmitBirthRegistration input', () => {
  const cases: Mutation<SubmitBirthRegistrationRequest>[] = [
    ['no header', (r) => (r.header = undefined), /^header: is required/],
    ['a bad event ID', (r) => (r.header!.eventId = 'with space'), /^header\.event_id/],
    [
      'no registration number',
      (r) => (r.header!.registrationNumber = ' '),
      /^header\.registration_number: is required/,
    ],
    [
      'a registration date in the future',
      (r) => (r.header!.registrationDate = '2999-01-01'),
      /registration_date: 2999-01-01 is in the future/,
    ],
    [
      'an impossible date of birth',
      (r) => (r.birth!.childDateOfBirth = '2023-02-29'),
      /^birth\.child_date_of_birth: .*not a date on the calendar/,
    ],
    [
      'a malformed child ID',
      (r) => (r.birth!.childCitizenId = '0013240001'),
      /^birth\.child_citizen_id: .*12 digits/,
    ],
    [
      'a child ID of another birth year',
      (r) =>
        (r.birth!.childCitizenId = makeCitizenId({
          provinceCode: '001',
          gender: 'FEMALE',
          birthYear: 2023,
          serial: 1,
        })),
      /^birth\.child_citizen_id: .*birth year 2023/,
    ],
    [
      'a child ID of the other gender',
      (r) => (r.birth!.childGender = Gender.GENDER_MALE),
      /^birth\.child_citizen_id: .*female holder but the stated gender is male/,
    ],
    [
      'no gender',
      (r) => (r.birth!.childGender = Gender.GENDER_UNSPECIFIED),
      /^birth\.child_gender: must be GENDER_MALE or GENDER_FEMALE/,
    ],
    [
      'digits in the name',
      (r) => (r.birth!.childFullName = 'Nguyễn Văn 2'),
      /^birth\.child_full_name: .*characters that do not occur in names/,
    ],
    [
      'a mother ID of a man',
      (r) => (r.birth!.motherCitizenId = DECEASED),
      /^birth\.mother_citizen_id: .*male holder/,
    ],
    [
      'an unknown province',
      (r) => (r.birth!.permanentResidence!.provinceCode = '099'),
      /^birth\.permanent_residence\.province_code: "099" is not one of the 63/,
    ],
    [
      'no address',
      (r) => (r.birth!.permanentResidence!.address = ''),
      /^birth\.permanent_residence\.address: is required/,
    ],
    [
      'a malformed facility',
      (r) => (r.birth!.primaryCareFacilityCode = '123'),
      /^birth\.primary_care_facility_code: must be a 5-digit/,
    ],
    [
      'an unknown facility',
      (r) => (r.birth!.primaryCareFacilityCode = '12345'),
      /^birth\.primary_care_facility_code: 12345 is not a known facility/,
    ],
  ];

  it.each(cases)('refuses %s with INVALID_ARGUMENT naming the field', async (_name, mutate, message) => {
    const request = birthRequest(baby(1), { motherCitizenId: MOTHER });
    // Received on the day it was registered, before the case changes the request.
    stack.clock.set(request.header!.registrationDate);
    mutate(request);
    const error = await failure(stack.submitBirth(request, undefined, { onClock: true }));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.details).toMatch(message);
  });
});

describe('SubmitDeathRegistration input', () => {
  const cases: Mutation<SubmitDeathRegistrationRequest>[] = [
    [
      'a death after the registration',
      (r) => (r.header!.registrationDate = '2024-07-01'),
      /^death\.date_of_death: 2024-08-01 is after the registration date/,
    ],
    [
      'a death before the birth year',
      (r) => ((r.death!.dateOfDeath = '1949-12-31'), (r.header!.registrationDate = '1950-01-05')),
      /before birth year 1950/,
    ],
    ['no claimant', (r) => (r.death!.claimant = undefined), /^death\.claimant: is required/],
    [
      'the deceased as claimant',
      (r) => (r.death!.claimant!.citizenId = DECEASED),
      /^death\.claimant\.citizen_id: is the citizen ID of the deceased/,
    ],
    ['no account', (r) => (r.death!.claimant!.account = undefined), /^death\.claimant\.account: is required/],
    [
      'a malformed account number',
      (r) => (r.death!.claimant!.account!.accountNumber = '12-34'),
      /^death\.claimant\.account\.account_number: must be 6–19 digits/,
    ],
    [
      'a malformed bank code',
      (r) => (r.death!.claimant!.account!.bankCode = 'V C B'),
      /^death\.claimant\.account\.bank_code/,
    ],
    [
      'no relationship',
      (r) => (r.death!.claimant!.relationship = ''),
      /^death\.claimant\.relationship: is required/,
    ],
  ];

  it.each(cases)('refuses %s with INVALID_ARGUMENT naming the field', async (_name, mutate, message) => {
    const request = deathRequest(DECEASED, '2024-08-01', CLAIMANT);
    stack.clock.set(request.header!.registrationDate);
    mutate(request);
    const error = await failure(stack.submitDeath(request, undefined, { onClock: true }));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.details).toMatch(message);
  });
});

describe('who may submit', () => {
  it('refuses an office filing for another office with PERMISSION_DENIED', async () => {
    const error = await failure(stack.submitBirth(birthRequest(baby(2)), stack.keys.otherOffice));
    expect(error).toEqual({
      code: 'PERMISSION_DENIED',
      details: `this key files for office UBND-079-00002, not for header.office_code ${OFFICE}`,
    });
  });

  it.each(['admin', 'clinic'] as const)('refuses the %s role', async (role) => {
    expect((await failure(stack.submitBirth(birthRequest(baby(2)), stack.keys[role]))).code).toBe(
      'PERMISSION_DENIED',
    );
  });

  it('refuses a call without a key with UNAUTHENTICATED', async () => {
    expect((await failure(stack.call('submitBirthRegistration', birthRequest(baby(2)), ''))).code).toBe(
      'UNAUTHENTICATED',
    );
  });
});

describe('acceptance', () => {
  let accepted: string;

  it('answers only once the event, its procedure, its first job and the audit entry are stored', async () => {
    const response = await stack.submitBirth(birthRequest(baby(3), { eventId: 'KS-2024-0003' }));
    accepted = response.procedureId;
    expect(response).toEqual({
      procedureId: expect.any(String),
      state: ProcedureState.PROCEDURE_STATE_ACCEPTED,
      duplicate: false,
    });
    const stored = await stack.pool.query(
      `SELECT p.state, p.current_step, e.fingerprint FROM vss.procedures p JOIN vss.civil_events e USING (office_code, event_id)
       WHERE p.procedure_id = $1`,
      [accepted],
    );
    expect(stored.rows[0]).toMatchObject({ state: 'ACCEPTED', current_step: 'register_birth' });
    const job = await stack.pool.query(
      `SELECT data FROM pgboss.job WHERE name = $1 AND data->>'procedureId' = $2`,
      [PROCEDURE_STEP_QUEUE, accepted],
    );
    expect(job.rows).toEqual([{ data: { procedureId: accepted, jobSeq: 1 } }]);
    const audit = await stack.pool.query(
      `SELECT action, outcome, office_code FROM vss.audit_events WHERE detail->>'procedureId' = $1`,
      [accepted],
    );
    expect(audit.rows).toEqual([
      { action: 'civil-event.birth.submit', outcome: 'ACCEPTED', office_code: OFFICE },
    ]);
  });

  it('answers the same event again with the same procedure and no second job', async () => {
    const again = await stack.submitBirth(birthRequest(baby(3), { eventId: 'KS-2024-0003' }));
    expect(again).toEqual({
      procedureId: accepted,
      state: ProcedureState.PROCEDURE_STATE_ACCEPTED,
      duplicate: true,
    });
    const jobs = await stack.pool.query(`SELECT 1 FROM pgboss.job WHERE data->>'procedureId' = $1`, [
      accepted,
    ]);
    expect(jobs.rowCount).toBe(1);
  });

  it('refuses the same event ID with other content with ALREADY_EXISTS saying so', async () => {
    const changed = birthRequest(
      { ...baby(3), fullName: 'Nguyễn Thị Ngọc Ánh' },
      { eventId: 'KS-2024-0003' },
    );
    const error = await failure(stack.submitBirth(changed));
    expect(error.code).toBe('ALREADY_EXISTS');
    expect(error.details).toMatch(`event KS-2024-0003 of office ${OFFICE} was accepted on`);
    expect(error.details).toMatch(`with different content (procedure ${accepted})`);
  });

  it('lets an office read its procedure but not another office', async () => {
    const own = await stack.getProcedure(accepted, stack.keys.office);
    expect(own).toMatchObject({
      procedureId: accepted,
      kind: ProcedureKind.PROCEDURE_KIND_BIRTH,
      subjectCitizenId: baby(3).citizenId,
    });
    expect(own.steps.map((s) => s.name)).toEqual([
      'register_birth',
      'verify_child',
      'register_residence',
      'issue_card',
    ]);
    const error = await failure(stack.getProcedure(accepted, stack.keys.otherOffice));
    expect(error.code).toBe('PERMISSION_DENIED');
  });

  it('answers NOT_FOUND and INVALID_ARGUMENT for unknown and malformed procedure IDs', async () => {
    expect((await failure(stack.getProcedure('00000000-0000-4000-8000-000000000000'))).code).toBe(
      'NOT_FOUND',
    );
    expect(await failure(stack.getProcedure('nope'))).toEqual({
      code: 'INVALID_ARGUMENT',
      details: 'procedure_id: "nope" is not a procedure ID (a UUID)',
    });
  });

  it("ends a watch of another office's procedure with PERMISSION_DENIED", async () => {
    const metadata = new grpc.Metadata();
    metadata.set('x-api-key', stack.keys.otherOffice);
    const stream = (
      stack.grpcClient as unknown as {
        watchProcedure(r: object, m: grpc.Metadata): grpc.ClientReadableStream<unknown>;
      }
    ).watchProcedure({ procedureId: accepted }, metadata);
    const error = await new Promise<grpc.ServiceError>((resolve) => {
      stream.on('data', () => undefined);
      stream.on('error', resolve);
    });
    expect(grpc.status[error.code]).toBe('PERMISSION_DENIED');
  });

  it('streams the procedure at once and ends the stream when the client cancels', async () => {
    const metadata = new grpc.Metadata();
    metadata.set('x-api-key', stack.keys.office);
    const stream = (
      stack.grpcClient as unknown as {
        watchProcedure(r: object, m: grpc.Metadata): grpc.ClientReadableStream<{ procedure: Procedure }>;
      }
    ).watchProcedure({ procedureId: accepted }, metadata);
    const ended = new Promise<grpc.ServiceError>((resolve) => stream.on('error', resolve));
    const first = await new Promise<{ procedure: Procedure }>((resolve) => stream.once('data', resolve));
    expect(first.procedure.state).toBe(ProcedureState.PROCEDURE_STATE_ACCEPTED);
    stream.cancel();
    expect(grpc.status[(await ended).code]).toBe('CANCELLED');
  });

  it('refuses RetryProcedure for a procedure whose job waits, and ResolveProcedure for one not in review', async () => {
    const retry = await failure(stack.call('retryProcedure', { procedureId: accepted }, stack.keys.admin));
    expect(retry).toEqual({
      code: 'FAILED_PRECONDITION',
      details: `procedure ${accepted} is ACCEPTED and its step has a job (waiting, retrying or running); retry it only once it is in NEEDS_REVIEW or stuck without a job`,
    });
    const resolve = await failure(
      stack.call('resolveProcedure', { procedureId: accepted, note: 'x' }, stack.keys.admin),
    );
    expect(resolve.code).toBe('FAILED_PRECONDITION');
    expect(
      (await failure(stack.call('resolveProcedure', { procedureId: accepted, note: ' ' }, stack.keys.admin)))
        .code,
    ).toBe('INVALID_ARGUMENT');
  });
});
