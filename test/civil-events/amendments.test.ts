import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import {
  type CorrectRegistrationRequest,
  CoverageStatus,
  Gender,
  NotCoveredReason,
  type Procedure,
  ProcedureKind,
  ProcedureState,
  type RevokeRegistrationRequest,
  StepState,
} from '@vss/contracts';
import { makeCitizenId, vietnamDate } from '@vss/domain';
import { serviceClient, unary } from '@vss/registry-client';
import { ApprovalsClient } from '../support/approvals';
import { waitFor } from '../support/polling';
import { newOperator } from '../../libs/authority/test/factories';
import { pkiFile, testCredentials } from '../support/tls';
import {
  birthRequest,
  claimantOf,
  deathRequest,
  failure,
  insertCitizens,
  insurePensioner,
  nextEventId,
  OFFICE,
  type Stack,
  startStack,
} from './support';

/**
 * Revoked and corrected registrations through real gRPC, the real registry stub and a worker:
 * what each compensation changes in the registry and in VSS's records, exactly, and what it
 * refuses to change on its own.
 */
let stack: Stack;
let approvals: ApprovalsClient;
let coverage: grpc.Client;

const CLI = join(__dirname, '..', '..', 'dist', 'tools', 'cli.js');

const citizen = (serial: number, birthYear = 1950, gender: 'M' | 'F' = 'M') => ({
  citizenId: makeCitizenId({
    provinceCode: '001',
    gender: gender === 'M' ? 'MALE' : 'FEMALE',
    birthYear,
    serial: 7000 + serial,
  }),
  fullName: gender === 'M' ? 'Nguyễn Văn Hùng' : 'Trần Thị Mai',
  dateOfBirth: `${birthYear}-03-15`,
  gender,
});

const ALIVE = citizen(1);
const ALIVE_PAID = citizen(2);
const LATER = citizen(3);
const EARLIER = citizen(4);
const TWICE = citizen(5);
const ELSEWHERE = citizen(6);
const RECARDED = citizen(7);
const STOPPED = citizen(8);
const BY_CLI = citizen(9);
const PEOPLE = [ALIVE, ALIVE_PAID, LATER, EARLIER, TWICE, ELSEWHERE, RECARDED, STOPPED, BY_CLI];

beforeAll(async () => {
  stack = await startStack('amend', {
    workerConfig: {
      PAYOUT_DAILY_PER_OFFICE: 1000,
      PROCEDURE_RETRY_BASE_MS: 100,
      PROCEDURE_RETRY_MAX_MS: 300,
    },
  });
  approvals = new ApprovalsClient(stack.gateway.grpcAddress);
  const Coverage = serviceClient(['vss/gateway/v1/coverage.proto'], 'vss.gateway.v1.CoverageService');
  coverage = new Coverage(stack.gateway.grpcAddress, testCredentials());
  // STOPPED's claimant is unknown to the registry: its death stops for review before any change.
  await insertCitizens(stack.pool, [
    ...PEOPLE,
    ...PEOPLE.filter((p) => p !== STOPPED).map((p) => claimantOf(p.citizenId)),
  ]);
  for (const [i, p] of PEOPLE.entries())
    await insurePensioner(stack.pool, p, `01000070${String(i + 1).padStart(2, '0')}`);
});

afterAll(async () => {
  approvals?.close();
  coverage?.close();
  await stack?.stop();
});

afterEach(() => stack.registry.faults.update({ refuseAll: false, unavailableRate: 0, latencyMs: 0 }));

/** Files a death on its day and waits for it to complete. */
async function died(
  p: { citizenId: string },
  dateOfDeath: string,
): Promise<{ eventId: string; procedure: Procedure }> {
  const request = deathRequest(p.citizenId, dateOfDeath, claimantOf(p.citizenId));
  const procedure = await stack.settled((await stack.submitDeath(request)).procedureId);
  expect(procedure.state).toBe(ProcedureState.PROCEDURE_STATE_COMPLETED);
  return { eventId: request.header!.eventId, procedure };
}

const header = (today: string, officeCode = OFFICE) => ({
  officeCode,
  eventId: nextEventId('amend'),
  registrationNumber: 'HB-001',
  registrationDate: today,
});

async function revoke(
  eventId: string,
  today: string,
  overrides: Partial<RevokeRegistrationRequest> = {},
  key?: string,
) {
  stack.clock.set(today);
  const request: RevokeRegistrationRequest = {
    header: header(today),
    original: { officeCode: OFFICE, eventId },
    reason: 'the person is alive: the death was registered on a mistaken identity',
    ...overrides,
  };
  return stack.call<{ procedureId: string; state: ProcedureState; duplicate: boolean }>(
    'revokeRegistration',
    request,
    key ?? stack.keys.office,
  );
}

async function correct(eventId: string, today: string, correction: Partial<CorrectRegistrationRequest>) {
  stack.clock.set(today);
  return stack.call<{ procedureId: string; state: ProcedureState; duplicate: boolean }>(
    'correctRegistration',
    {
      header: header(today),
      original: { officeCode: OFFICE, eventId },
      reason: 'the date was mistyped',
      ...correction,
    },
    stack.keys.office,
  );
}

/** Waits for the amendment to ask for an approver, and approves it as a second person. */
async function approve(procedureId: string): Promise<void> {
  const held = await stack.settled(procedureId);
  expect(held.state).toBe(ProcedureState.PROCEDURE_STATE_AWAITING_APPROVAL);
  expect(held.reviewReason).toMatch(/Approving/);
  await approvals.approve(held.approvalId, stack.keys.approver, 'checked with the family and the registry');
}

async function lookup(citizenId: string, visitDate: string) {
  const metadata = new grpc.Metadata();
  metadata.set('x-api-key', stack.keys.clinic);
  return unary<object, { status: CoverageStatus; reason: NotCoveredReason; reasonMessage: string }>(
    coverage,
    'lookupCoverage',
    { citizenId, facilityCode: '01001', visitDate },
    { deadlineMs: 10_000, metadata },
  );
}

const one = async (sql: string, values: unknown[]) => (await stack.pool.query(sql, values)).rows;

describe('a revoked death', () => {
  it('restores coverage, card, pension, residence; owes the months stopped; unflags; cancels the unpaid allowance', async () => {
    const { eventId, procedure: original } = await died(ALIVE, '2024-06-20');
    expect(
      await one(`SELECT status FROM vss.funeral_payouts WHERE deceased_citizen_id = $1`, [ALIVE.citizenId]),
    ).toEqual([{ status: 'INSTRUCTED' }]);

    const filed = await revoke(eventId, '2025-01-15');
    expect(filed).toMatchObject({ state: ProcedureState.PROCEDURE_STATE_ACCEPTED, duplicate: false });
    const held = await stack.settled(filed.procedureId);
    // Nothing changes before the approver: the person is still recorded dead.
    expect((await lookup(ALIVE.citizenId, '2025-01-15')).reason).toBe(
      NotCoveredReason.NOT_COVERED_REASON_DECEASED,
    );

    // Approved, with the registry away: the revocation is under way and the lookup says so.
    stack.registry.faults.update({ refuseAll: true });
    await approvals.approve(held.approvalId, stack.keys.approver, 'checked');
    await waitForStep(filed.procedureId, 'check_amendment', StepState.STEP_STATE_DONE);
    // The gateways' caches hear of the change through the coverage feed, within moments.
    const during = await waitFor('the lookup to say the death is being revoked', async () => {
      const answer = await lookup(ALIVE.citizenId, '2025-01-15');
      return answer.reason === NotCoveredReason.NOT_COVERED_REASON_REINSTATEMENT_PENDING ? answer : undefined;
    });
    expect(during.reasonMessage).toMatch(/reinstating/);
    stack.registry.faults.update({ refuseAll: false });

    const done = await stack.settled(filed.procedureId);
    expect(done.state).toBe(ProcedureState.PROCEDURE_STATE_COMPLETED);
    expect(done.kind).toBe(ProcedureKind.PROCEDURE_KIND_DEATH_REVOCATION);
    expect(done.originalProcedureId).toBe(original.procedureId);
    expect((await stack.getProcedure(original.procedureId)).amendmentProcedureIds).toEqual([
      filed.procedureId,
    ]);

    const covered = await lookup(ALIVE.citizenId, '2025-01-15');
    expect(covered.status).toBe(CoverageStatus.COVERAGE_STATUS_COVERED);
    expect(
      await one(
        `SELECT deceased_on, death_revocation_procedure FROM vss.participants WHERE citizen_id = $1`,
        [ALIVE.citizenId],
      ),
    ).toEqual([{ deceased_on: null, death_revocation_procedure: null }]);
    expect(
      await one(
        `SELECT ended_on, end_reason FROM vss.hi_cards WHERE social_insurance_code = '0100007001'`,
        [],
      ),
    ).toEqual([{ ended_on: null, end_reason: null }]);
    // The pension runs again at the amount in force now: +15 % from July 2024 (Decree 75/2024).
    expect(
      await one(
        `SELECT stopped_from, stop_reason, monthly_amount_vnd::text FROM vss.benefits WHERE social_insurance_code = '0100007001'`,
        [],
      ),
    ).toEqual([{ stopped_from: null, stop_reason: null, monthly_amount_vnd: '5750000' }]);
    // July–October were paid (flagged, now due after all); November–January are owed.
    expect(
      await one(
        `SELECT period FROM vss.benefit_payments WHERE social_insurance_code = '0100007001' AND recovery_flagged_at IS NOT NULL`,
        [],
      ),
    ).toEqual([]);
    expect(
      await one(
        `SELECT period, amount_vnd::text, procedure_id FROM vss.benefit_arrears WHERE social_insurance_code = '0100007001' ORDER BY period`,
        [],
      ),
    ).toEqual(
      ['2024-11', '2024-12', '2025-01'].map((period) => ({
        period,
        amount_vnd: '5750000',
        procedure_id: filed.procedureId,
      })),
    );
    expect(
      await one(
        `SELECT vital_status, date_of_death, residence_status FROM npd.citizens WHERE citizen_id = $1`,
        [ALIVE.citizenId],
      ),
    ).toEqual([{ vital_status: 'ALIVE', date_of_death: null, residence_status: 'REGISTERED' }]);
    expect(
      await one(`SELECT status, cancel_reason FROM vss.funeral_payouts WHERE deceased_citizen_id = $1`, [
        ALIVE.citizenId,
      ]),
    ).toEqual([{ status: 'CANCELLED', cancel_reason: expect.stringContaining(filed.procedureId) }]);
    // Each effect audited once, in the worker's name, and the approver's decision with it.
    const actions = await one(
      `SELECT action, count(*)::int AS n FROM (
         SELECT action, subject_citizen_id FROM vss.audit_events UNION ALL
         SELECT action, subject_citizen_id FROM vss.audit_pending) a
        WHERE subject_citizen_id = $1 AND action LIKE 'insurance.%' GROUP BY action ORDER BY action`,
      [ALIVE.citizenId],
    );
    expect(actions).toEqual([
      { action: 'insurance.death.record', n: 1 },
      { action: 'insurance.death.revoke', n: 1 },
      { action: 'insurance.payout.cancel', n: 1 },
      { action: 'insurance.payout.order', n: 1 },
    ]);

    // The same filing again is the same revocation; another filing is refused.
    const again = await stack.call<{ procedureId: string; duplicate: boolean }>(
      'revokeRegistration',
      {
        header: (await stack.getProcedure(filed.procedureId)).header,
        original: { officeCode: OFFICE, eventId },
        reason: 'the person is alive: the death was registered on a mistaken identity',
      },
      stack.keys.office,
    );
    expect(again).toMatchObject({ procedureId: filed.procedureId, duplicate: true });
    const second = await failure(revoke(eventId, '2025-01-16'));
    expect(second.code).toBe('FAILED_PRECONDITION');
    expect(second.details).toMatch(/already revoked by this office/);
  });

  it('with the allowance already paid: a case for review with the facts, nothing recovered', async () => {
    const { eventId, procedure } = await died(ALIVE_PAID, '2024-08-03');
    const payoutId = procedure.funeralBenefits!.payoutId;
    const operator = await newOperator(stack.pool, { roles: ['operator'] });
    await promisify(execFile)(
      process.execPath,
      [
        CLI,
        'payouts',
        'paid',
        payoutId,
        '--on',
        '2024-08-20',
        '--reference',
        'VCB-2024-0820-77',
        '--operator',
        operator.login,
      ],
      { env: { PATH: process.env.PATH ?? '', DATABASE_URL: stack.db.urlFor('owner') } },
    );
    const filed = await revoke(eventId, '2024-10-10');
    await approve(filed.procedureId);
    const reviewed = await stack.settled(filed.procedureId);
    expect(reviewed.state).toBe(ProcedureState.PROCEDURE_STATE_NEEDS_REVIEW);
    expect(reviewed.reviewReason).toMatch(
      new RegExp(`payout ${payoutId} of 23,400,000 VND was paid on 2024-08-20`),
    );
    expect(reviewed.reviewReason).toMatch(/never recovered automatically/);
    expect(reviewed.reviewReason).not.toContain(claimantOf(ALIVE_PAID.citizenId).fullName);
    const states = Object.fromEntries(reviewed.steps.map((s) => [s.name, s.state]));
    expect(states).toMatchObject({
      reinstate_coverage: StepState.STEP_STATE_DONE,
      settle_funeral: StepState.STEP_STATE_FAILED,
    });
    expect(
      await one(`SELECT status, paid_on::text FROM vss.funeral_payouts WHERE payout_id = $1`, [payoutId]),
    ).toEqual([{ status: 'PAID', paid_on: '2024-08-20' }]);
    // Coverage is back regardless: the person is alive.
    expect((await lookup(ALIVE_PAID.citizenId, '2024-10-10')).status).toBe(
      CoverageStatus.COVERAGE_STATUS_COVERED,
    );
  });

  it('meeting a card issued since the death: to review, the records untouched', async () => {
    const { eventId } = await died(RECARDED, '2024-06-10');
    await stack.pool.query(
      `INSERT INTO vss.participants (social_insurance_code, citizen_id, full_name, date_of_birth, gender, province_code)
       VALUES ('0100007099', $1, $2, $3, 'M', '001')`,
      [RECARDED.citizenId, RECARDED.fullName, RECARDED.dateOfBirth],
    );
    await stack.pool.query(
      `INSERT INTO vss.hi_cards (social_insurance_code, object_group, benefit_level_percent, valid_from, valid_to,
         primary_care_facility_code) VALUES ('0100007099', 'GD', 80, '2024-09-01', '2025-08-31', '01001')`,
    );
    const filed = await revoke(eventId, '2024-10-01');
    await approve(filed.procedureId);
    const reviewed = await stack.settled(filed.procedureId);
    expect(reviewed.state).toBe(ProcedureState.PROCEDURE_STATE_NEEDS_REVIEW);
    expect(reviewed.reviewReason).toMatch(
      /a card was issued since the death \(social insurance code 0100007099/,
    );
    expect(
      await one(`SELECT ended_on::text FROM vss.hi_cards WHERE social_insurance_code = '0100007007'`, []),
    ).toEqual([{ ended_on: '2024-06-10' }]);
    // While a person decides, the lookup says the death is being undone; closed, it no longer does.
    const reason = async (expected: NotCoveredReason) =>
      waitFor(`the lookup to answer ${expected}`, async () =>
        (await lookup(RECARDED.citizenId, '2024-10-01')).reason === expected ? true : undefined,
      );
    await reason(NotCoveredReason.NOT_COVERED_REASON_REINSTATEMENT_PENDING);
    await stack.call(
      'resolveProcedure',
      {
        procedureId: filed.procedureId,
        note: 'the new card stands; the death registration is reviewed with the office',
      },
      stack.keys.admin,
    );
    await reason(NotCoveredReason.NOT_COVERED_REASON_DECEASED);
  });

  it('of a registration stopped in review: the original is closed, and the revocation finds nothing to undo', async () => {
    const request = deathRequest(STOPPED.citizenId, '2024-06-12', claimantOf(STOPPED.citizenId));
    const original = await stack.settled((await stack.submitDeath(request)).procedureId);
    expect(original.state).toBe(ProcedureState.PROCEDURE_STATE_NEEDS_REVIEW);
    const filed = await revoke(request.header!.eventId, '2024-07-01');
    const closed = await stack.getProcedure(original.procedureId);
    expect(closed.state).toBe(ProcedureState.PROCEDURE_STATE_RESOLVED);
    expect(closed.resolutionNote).toMatch(/^closed: the registration was revoked by office UBND-001-00001/);
    await approve(filed.procedureId);
    const done = await stack.settled(filed.procedureId);
    expect(done.state).toBe(ProcedureState.PROCEDURE_STATE_COMPLETED);
    const states = Object.fromEntries(done.steps.map((s) => [s.name, s.state]));
    expect(states).toMatchObject({
      restore_residence: StepState.STEP_STATE_SKIPPED,
      settle_funeral: StepState.STEP_STATE_SKIPPED,
    });
    expect(
      await one(`SELECT ended_on FROM vss.hi_cards WHERE social_insurance_code = '0100007008'`, []),
    ).toEqual([{ ended_on: null }]);
    // Closed by its revocation, the original cannot be retried into effect.
    expect(
      (await failure(stack.call('retryProcedure', { procedureId: original.procedureId }, stack.keys.admin)))
        .code,
    ).toBe('FAILED_PRECONDITION');
  });

  it('filed by an office without authority over the person: refused, nothing written', async () => {
    const { eventId } = await died(ELSEWHERE, '2024-07-01');
    const before = await one(`SELECT count(*)::int AS n FROM vss.civil_events`, []);
    stack.clock.set('2024-09-01');
    const refused = await failure(
      stack.call(
        'revokeRegistration',
        {
          header: header('2024-09-01', 'UBND-079-00002'),
          original: { officeCode: OFFICE, eventId },
          reason: 'not ours to revoke',
        },
        stack.keys.otherOffice,
      ),
    );
    expect(refused.code).toBe('PERMISSION_DENIED');
    expect(refused.details).toMatch(/did not register .* and is not the office of jurisdiction/);
    expect(await one(`SELECT count(*)::int AS n FROM vss.civil_events`, [])).toEqual(before);
  });
});

describe('a corrected date of death', () => {
  it('later, across the base salary of 1 July 2024: stop and card move, July unflagged, 5,400,000 owed to the claimant', async () => {
    const { eventId, procedure } = await died(LATER, '2024-06-20');
    expect(procedure.funeralBenefits?.funeralAllowanceVnd).toBe('18000000');
    const filed = await correct(eventId, '2024-11-05', { death: { dateOfDeath: '2024-07-02' } });
    await approve(filed.procedureId);
    const done = await stack.settled(filed.procedureId);
    expect(done.state).toBe(ProcedureState.PROCEDURE_STATE_COMPLETED);
    expect(done.funeralBenefits?.funeralAllowanceVnd).toBe('23400000');
    expect(
      await one(`SELECT deceased_on::text FROM vss.participants WHERE citizen_id = $1`, [LATER.citizenId]),
    ).toEqual([{ deceased_on: '2024-07-02' }]);
    expect(
      await one(`SELECT ended_on::text FROM vss.hi_cards WHERE social_insurance_code = '0100007003'`, []),
    ).toEqual([{ ended_on: '2024-07-02' }]);
    expect(
      await one(`SELECT stopped_from::text FROM vss.benefits WHERE social_insurance_code = '0100007003'`, []),
    ).toEqual([{ stopped_from: '2024-08-01' }]);
    expect(
      await one(
        `SELECT period, recovery_death_on::text FROM vss.benefit_payments WHERE social_insurance_code = '0100007003'
          AND recovery_flagged_at IS NOT NULL ORDER BY period`,
        [],
      ),
    ).toEqual(
      ['2024-08', '2024-09', '2024-10'].map((period) => ({ period, recovery_death_on: '2024-07-02' })),
    );
    expect(
      await one(
        `SELECT count(*)::int AS n FROM vss.benefit_arrears WHERE social_insurance_code = '0100007003'`,
        [],
      ),
    ).toEqual([{ n: 0 }]);
    expect(
      await one(
        `SELECT decided_vnd::text, due_vnd::text, difference_vnd::text, direction FROM vss.funeral_adjustments WHERE procedure_id = $1`,
        [filed.procedureId],
      ),
    ).toEqual([
      {
        decided_vnd: '18000000',
        due_vnd: '23400000',
        difference_vnd: '5400000',
        direction: 'OWED_TO_CLAIMANT',
      },
    ]);
    expect(
      await one(`SELECT date_of_death::text FROM npd.citizens WHERE citizen_id = $1`, [LATER.citizenId]),
    ).toEqual([{ date_of_death: '2024-07-02' }]);
  });

  it('earlier, back across 1 July 2024: July flagged too, and 5,400,000 to recover goes to a person', async () => {
    const { eventId } = await died(EARLIER, '2024-07-10');
    const filed = await correct(eventId, '2024-11-05', { death: { dateOfDeath: '2024-06-28' } });
    await approve(filed.procedureId);
    const reviewed = await stack.settled(filed.procedureId);
    expect(reviewed.state).toBe(ProcedureState.PROCEDURE_STATE_NEEDS_REVIEW);
    expect(reviewed.reviewReason).toMatch(/18,000,000 VND is due and 23,400,000 VND was decided/);
    expect(reviewed.reviewReason).toMatch(/5,400,000 VND would be recovered .* never done automatically/);
    expect(
      await one(`SELECT stopped_from::text FROM vss.benefits WHERE social_insurance_code = '0100007004'`, []),
    ).toEqual([{ stopped_from: '2024-07-01' }]);
    expect(
      await one(
        `SELECT period FROM vss.benefit_payments WHERE social_insurance_code = '0100007004' AND recovery_flagged_at IS NOT NULL ORDER BY period`,
        [],
      ),
    ).toEqual(['2024-07', '2024-08', '2024-09', '2024-10'].map((period) => ({ period })));
    expect(
      await one(
        `SELECT direction, difference_vnd::text FROM vss.funeral_adjustments WHERE procedure_id = $1`,
        [filed.procedureId],
      ),
    ).toEqual([{ direction: 'TO_RECOVER', difference_vnd: '-5400000' }]);
    expect(
      await one(`SELECT status, total_vnd::text FROM vss.funeral_payouts WHERE deceased_citizen_id = $1`, [
        EARLIER.citizenId,
      ]),
    ).toEqual([{ status: 'INSTRUCTED', total_vnd: '23400000' }]);
  });

  it('refuses a second amendment while one is under way, and a correction that changes nothing', async () => {
    const { eventId } = await died(TWICE, '2024-06-05');
    const same = await failure(correct(eventId, '2024-11-05', { death: { dateOfDeath: '2024-06-05' } }));
    expect(same).toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: expect.stringMatching(/^death.date_of_death: .* already registered/),
    });
    const first = await correct(eventId, '2024-11-05', { death: { dateOfDeath: '2024-06-06' } });
    const meanwhile = await failure(revoke(eventId, '2024-11-05'));
    expect(meanwhile.code).toBe('FAILED_PRECONDITION');
    expect(meanwhile.details).toMatch(/is being amended by this office .* file again once that has settled/);
    await approve(first.procedureId);
    expect((await stack.settled(first.procedureId)).state).toBe(ProcedureState.PROCEDURE_STATE_COMPLETED);
    // The revocation after it undoes the corrected death, not the one first filed.
    const revoked = await revoke(eventId, '2024-11-06');
    await approve(revoked.procedureId);
    const done = await stack.settled(revoked.procedureId);
    expect(done.state).toBe(ProcedureState.PROCEDURE_STATE_COMPLETED);
    expect(
      await one(`SELECT deceased_on FROM vss.participants WHERE citizen_id = $1`, [TWICE.citizenId]),
    ).toEqual([{ deceased_on: null }]);
  });
});

describe('a corrected and a revoked birth', () => {
  const child = {
    citizenId: makeCitizenId({ provinceCode: '001', gender: 'FEMALE', birthYear: 2025, serial: 7101 }),
    fullName: 'Lê Ngọc Hân',
    dateOfBirth: '2025-10-01',
    gender: 'F' as const,
  };
  let eventId: string;

  it('a date of birth moved before 1 October: the card ends on 30 September instead of the sixth birthday', async () => {
    const request = birthRequest(child);
    eventId = request.header!.eventId;
    const born = await stack.settled((await stack.submitBirth(request)).procedureId);
    expect(born.state).toBe(ProcedureState.PROCEDURE_STATE_COMPLETED);
    const code = born.issuedSocialInsuranceCode;
    expect(
      await one(`SELECT valid_to::text FROM vss.hi_cards WHERE social_insurance_code = $1`, [code]),
    ).toEqual([{ valid_to: '2031-10-01' }]);
    const wrongYear = await failure(
      correct(eventId, '2025-10-20', {
        birth: { childDateOfBirth: '2024-12-30', childFullName: '', childGender: Gender.GENDER_UNSPECIFIED },
      }),
    );
    expect(wrongYear).toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: expect.stringMatching(/revoke the birth and register it anew/),
    });
    const filed = await correct(eventId, '2025-10-20', {
      birth: {
        childDateOfBirth: '2025-09-28',
        childFullName: 'Lê Ngọc Hằng',
        childGender: Gender.GENDER_UNSPECIFIED,
      },
    });
    const done = await stack.settled(filed.procedureId);
    expect(done.reviewReason).toBe('');
    expect(done.state).toBe(ProcedureState.PROCEDURE_STATE_COMPLETED);
    expect(
      await one(
        `SELECT c.valid_from::text, c.valid_to::text, c.reissued_at IS NOT NULL AS reissued, p.full_name, p.date_of_birth
           FROM vss.hi_cards c JOIN vss.participants p USING (social_insurance_code) WHERE c.social_insurance_code = $1`,
        [code],
      ),
    ).toEqual([
      {
        valid_from: '2025-09-28',
        valid_to: '2031-09-30',
        reissued: true,
        full_name: 'Lê Ngọc Hằng',
        date_of_birth: '2025-09-28',
      },
    ]);
    expect(
      await one(`SELECT full_name, date_of_birth::text FROM npd.citizens WHERE citizen_id = $1`, [
        child.citizenId,
      ]),
    ).toEqual([{ full_name: 'Lê Ngọc Hằng', date_of_birth: '2025-09-28' }]);
  });

  it('revoked: the card cancelled and the residence it added removed', async () => {
    const filed = await revoke(eventId, '2025-11-02', {
      reason: 'registered twice: the child was registered at another office',
    });
    const done = await stack.settled(filed.procedureId);
    expect(done.state).toBe(ProcedureState.PROCEDURE_STATE_COMPLETED);
    expect(done.kind).toBe(ProcedureKind.PROCEDURE_KIND_BIRTH_REVOCATION);
    expect(
      await one(
        `SELECT c.ended_on::text, c.end_reason FROM vss.hi_cards c JOIN vss.participants p USING (social_insurance_code)
          WHERE p.citizen_id = $1`,
        [child.citizenId],
      ),
    ).toEqual([{ ended_on: '2025-11-02', end_reason: 'REGISTRATION_REVOKED' }]);
    expect(
      await one(`SELECT residence_status FROM npd.citizens WHERE citizen_id = $1`, [child.citizenId]),
    ).toEqual([{ residence_status: 'CANCELLED' }]);
  });
});

describe('from the command line, as an office without software of its own', () => {
  /** `npm run cli -- civil …` with the office's key, against this stack's gateway. */
  async function civil(...args: string[]): Promise<string> {
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'civil', ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        VSS_API_KEY: stack.keys.office,
        VSS_GATEWAY_ADDRESS: stack.gateway.grpcAddress,
        VSS_CA_FILE: pkiFile('ca.crt'),
        VSS_DATA_DIR: join(__dirname, 'no-runtime-here'),
      },
    });
    return stdout;
  }
  const procedureOf = (out: string) => /procedure ([0-9a-f-]{36})/.exec(out)![1];

  it('files a death, revokes it, and shows each procedure', async () => {
    const today = vietnamDate(Date.now());
    stack.clock.set(today);
    const claimant = claimantOf(BY_CLI.citizenId);
    const filed = await civil(
      'death',
      BY_CLI.citizenId,
      '--office',
      OFFICE,
      '--event',
      'cli-death-1',
      '--date',
      today,
      '--claimant',
      claimant.citizenId,
      '--claimant-name',
      claimant.fullName,
      '--relationship',
      'son',
      '--bank',
      'VCB',
      '--account',
      '0011001234567',
    );
    expect(filed).toMatch(
      /^death accepted: event UBND-001-00001\/cli-death-1, procedure [0-9a-f-]{36} \(ACCEPTED\)/,
    );
    const death = await stack.settled(procedureOf(filed));
    expect(death.state).toBe(ProcedureState.PROCEDURE_STATE_COMPLETED);
    const revoked = await civil(
      'revoke',
      'cli-death-1',
      '--office',
      OFFICE,
      '--reason',
      'filed under the wrong citizen ID',
    );
    expect(revoked).toMatch(/^revocation accepted: event UBND-001-00001\/cli-\d+, procedure/);
    await approve(procedureOf(revoked));
    expect((await stack.settled(procedureOf(revoked))).state).toBe(ProcedureState.PROCEDURE_STATE_COMPLETED);
    const shown = await civil('procedure', procedureOf(revoked));
    expect(shown).toContain(`DEATH_REVOCATION  COMPLETED`);
    expect(shown).toContain(`amends    ${death.procedureId}`);
    expect(shown).toMatch(/done {6}settle_funeral: funeral payout .* cancelled before payment/);
    const refused = await civil('revoke', 'no-such-event', '--office', OFFICE, '--reason', 'x').catch(
      (e: { stderr: string }) => e.stderr,
    );
    expect(refused).toMatch(
      /NOT_FOUND: original: no registration with event ID no-such-event of office UBND-001-00001; check both \(field original\)/,
    );
  });
});

async function waitForStep(procedureId: string, step: string, state: StepState): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const procedure = await stack.getProcedure(procedureId);
    if (procedure.steps.find((s) => s.name === step)?.state === state) return;
    if (Date.now() > deadline)
      throw new Error(`step ${step} never reached ${state}: ${JSON.stringify(procedure)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
