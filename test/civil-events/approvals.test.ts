import * as grpc from '@grpc/grpc-js';
import { type Approval, ApprovalState, type Procedure, ProcedureState } from '@vss/contracts';
import { serviceClient, unary } from '@vss/registry-client';
import { testCredentials } from '../support/tls';
import { issueAdminKey } from '../support/system';
import {
  deathRequest,
  failure,
  hanoian,
  insertCitizens,
  OTHER_OFFICE,
  type Stack,
  startStack,
} from './support';

/**
 * Maker–checker on linked procedures, through real gRPC: what a civil registry office files
 * outside its jurisdiction, late, or with a payout out of the ordinary waits for an operator
 * with the approver role, changes nothing meanwhile, and runs on or ends by their decision.
 */
let stack: Stack;
let approvals: grpc.Client;

const person = hanoian;
const claimantFor = (p: { citizenId: string }) =>
  person(500 + Number(p.citizenId.slice(-3)), 1982, 'Lê Thị Mai', 'F');

const ELSEWHERE = person(31, 1950, 'Nguyễn Văn Xa');
const REFUSED = person(32, 1951, 'Trần Văn Khước');
const LATE = person(33, 1952, 'Lê Văn Muộn');
const RACED = person(34, 1953, 'Phạm Văn Đua');
const FIRST_OF_TWO = person(35, 1948, 'Hồ Văn Một');
const SECOND_OF_TWO = person(36, 1949, 'Hồ Văn Hai');
const PEOPLE = [ELSEWHERE, REFUSED, LATE, RACED, FIRST_OF_TWO, SECOND_OF_TWO];

async function insure(
  p: { citizenId: string; fullName: string; dateOfBirth: string; gender: string },
  code: string,
) {
  await stack.pool.query(
    `INSERT INTO vss.participants (social_insurance_code, citizen_id, full_name, date_of_birth, gender, province_code,
       compulsory_contribution_months) VALUES ($1, $2, $3, $4, $5, '001', 240)`,
    [code, p.citizenId, p.fullName, p.dateOfBirth, p.gender],
  );
  await stack.pool.query(
    `INSERT INTO vss.hi_cards (social_insurance_code, object_group, benefit_level_percent, valid_from, valid_to,
       primary_care_facility_code) VALUES ($1, 'HT', 95, '2020-01-01', '2030-12-31', '01002')`,
    [code],
  );
}

beforeAll(async () => {
  stack = await startStack('approvals');
  await insertCitizens(stack.pool, [...PEOPLE, ...PEOPLE.map(claimantFor)]);
  for (const [i, p] of PEOPLE.entries()) await insure(p, `01000003${String(i).padStart(2, '0')}`);
  const Client = serviceClient(['vss/gateway/v1/approval.proto'], 'vss.gateway.v1.ApprovalService');
  approvals = new Client(stack.gateway.grpcAddress, testCredentials());
});

afterAll(async () => {
  approvals?.close();
  await stack?.stop();
});

function call<Res>(method: string, request: object, apiKey: string): Promise<Res> {
  const metadata = new grpc.Metadata();
  metadata.set('x-api-key', apiKey);
  return unary<object, Res>(approvals, method, request, { deadlineMs: 10_000, metadata });
}

const approve = (
  approvalId: string,
  apiKey = stack.keys.approver,
  note = 'checked with the office by phone',
) => call<{ approval: Approval }>('approve', { approvalId, note }, apiKey).then((r) => r.approval);

async function cardEnded(citizenId: string): Promise<boolean> {
  const { rows } = await stack.pool.query(
    `SELECT bool_or(c.ended_on IS NOT NULL) AS ended FROM vss.participants p JOIN vss.hi_cards c USING (social_insurance_code)
     WHERE p.citizen_id = $1`,
    [citizenId],
  );
  return rows[0].ended;
}

async function vitalStatus(citizenId: string): Promise<string> {
  const { rows } = await stack.pool.query('SELECT vital_status FROM npd.citizens WHERE citizen_id = $1', [
    citizenId,
  ]);
  return rows[0].vital_status;
}

async function payoutCount(citizenId: string): Promise<number> {
  const { rows } = await stack.pool.query(
    'SELECT count(*)::int AS n FROM vss.funeral_payouts WHERE deceased_citizen_id = $1',
    [citizenId],
  );
  return rows[0].n;
}

/** Files a death of `p` from `office` (the Hà Nội office unless told) and waits until it settles. */
async function fileDeath(
  p: { citizenId: string },
  dateOfDeath: string,
  options: { office?: 'office' | 'otherOffice'; receivedOn?: string } = {},
): Promise<Procedure> {
  const request = deathRequest(p.citizenId, dateOfDeath, claimantFor(p) as never, {
    officeCode: options.office === 'otherOffice' ? OTHER_OFFICE : undefined,
  });
  if (options.receivedOn) request.header!.registrationDate = options.receivedOn;
  const key = stack.keys[options.office ?? 'office'];
  return stack.settled((await stack.submitDeath(request, key)).procedureId);
}

describe('a death filed outside the office’s jurisdiction', () => {
  let held: Procedure;

  beforeAll(async () => {
    // The office of Hồ Chí Minh City files the death of a resident of Hà Nội.
    held = await fileDeath(ELSEWHERE, '2024-08-01', { office: 'otherOffice' });
  });

  it('waits for an approver, and nothing has changed', async () => {
    expect(held.state).toBe(ProcedureState.PROCEDURE_STATE_AWAITING_APPROVAL);
    expect(held.reviewReason).toBe(
      `awaiting approval: office ${OTHER_OFFICE} registered this death outside its jurisdiction: the deceased's last ` +
        'permanent residence, as the population registry knows it, is not in its area (Law on Civil Status, art. 32); ' +
        'an approver confirms the registration before anything changes',
    );
    expect(await cardEnded(ELSEWHERE.citizenId)).toBe(false);
    expect(await vitalStatus(ELSEWHERE.citizenId)).toBe('ALIVE');
    expect(await payoutCount(ELSEWHERE.citizenId)).toBe(0);
  });

  it('is listed for approvers with its reason, and readable by auditors', async () => {
    const listed = await call<{ approvals: Approval[] }>('listApprovals', {}, stack.keys.approver);
    const mine = listed.approvals.find((a) => a.approvalId === held.approvalId);
    expect(mine).toMatchObject({
      subjectId: held.procedureId,
      hold: 'OUTSIDE_JURISDICTION',
      officeCode: OTHER_OFFICE,
      state: ApprovalState.APPROVAL_STATE_PENDING,
    });
  });

  it('cannot be approved by an operator without the approver role, nor by an office', async () => {
    const refused = await failure(approve(held.approvalId, stack.keys.admin));
    expect(refused.code).toBe('PERMISSION_DENIED');
    expect(refused.details).toMatch(/does not hold the approver role/);
    expect((await failure(approve(held.approvalId, stack.keys.office))).code).toBe('PERMISSION_DENIED');
  });

  it('runs to completion once an approver releases it, and the trail names the approver', async () => {
    const decided = await approve(held.approvalId);
    expect(decided.state).toBe(ApprovalState.APPROVAL_STATE_APPROVED);
    expect(decided.decidedBy).toMatch(/^Operator op\.[0-9a-f]+ \[op\.[0-9a-f]+\]$/);
    const done = await stack.settled(held.procedureId);
    expect(done.state).toBe(ProcedureState.PROCEDURE_STATE_COMPLETED);
    expect(done.approvalId).toBe(held.approvalId);
    expect(await cardEnded(ELSEWHERE.citizenId)).toBe(true);
    expect(await vitalStatus(ELSEWHERE.citizenId)).toBe('DECEASED');
    const { rows } = await stack.pool.query(
      `SELECT action, caller, outcome FROM vss.audit_events WHERE detail->>'approvalId' = $1 ORDER BY seq`,
      [held.approvalId],
    );
    expect(rows.map((r) => [r.action, r.outcome])).toEqual([
      ['approval.request', 'OUTSIDE_JURISDICTION'],
      ['approval.approve', 'APPROVED'],
    ]);
    expect(rows[1].caller).toContain(decided.decidedBy);
  });

  it('answers a second decision FAILED_PRECONDITION naming who decided and when', async () => {
    const refused = await failure(approve(held.approvalId));
    expect(refused.code).toBe('FAILED_PRECONDITION');
    expect(refused.details).toMatch(
      new RegExp(
        `^approval ${held.approvalId} was already approved by op\\.[0-9a-f]+ at \\d{4}-\\d\\d-\\d\\dT`,
      ),
    );
  });
});

describe('an approver’s refusal', () => {
  it('ends the procedure REJECTED with the reason, and nothing changes', async () => {
    const held = await fileDeath(REFUSED, '2024-08-02', { office: 'otherOffice' });
    const missingNote = await failure(call('reject', { approvalId: held.approvalId }, stack.keys.approver));
    expect(missingNote).toEqual({
      code: 'INVALID_ARGUMENT',
      details: 'note: is required: say why it is refused',
    });
    const decided = await call<{ approval: Approval }>(
      'reject',
      { approvalId: held.approvalId, note: 'the person is alive: the office confirmed a mistaken ID' },
      stack.keys.approver,
    );
    expect(decided.approval.state).toBe(ApprovalState.APPROVAL_STATE_REJECTED);
    const ended = await stack.getProcedure(held.procedureId);
    expect(ended.state).toBe(ProcedureState.PROCEDURE_STATE_REJECTED);
    expect(ended.resolutionNote).toMatch(/^rejected by an approver on \d{4}-\d\d-\d\d: the person is alive/);
    expect(await cardEnded(REFUSED.citizenId)).toBe(false);
    expect(await vitalStatus(REFUSED.citizenId)).toBe('ALIVE');
  });
});

describe('a late death registration', () => {
  it('waits for an approver when received more than 15 days after the death (art. 33)', async () => {
    const held = await fileDeath(LATE, '2024-08-01', { receivedOn: '2024-08-17' });
    expect(held.state).toBe(ProcedureState.PROCEDURE_STATE_AWAITING_APPROVAL);
    expect(held.reviewReason).toMatch(
      /^awaiting approval: the death was received 16 days after it happened, beyond the 15 days of Law on Civil Status 58\/2014\/QH13, art\. 33\(1\)/,
    );
    expect(await cardEnded(LATE.citizenId)).toBe(false);
  });
});

describe('two approvers at once', () => {
  it('lets exactly one decide', async () => {
    const held = await fileDeath(RACED, '2024-08-03', { office: 'otherOffice' });
    const second = await issueAdminKey(stack.pool, ['approver']);
    const outcomes = await Promise.allSettled([approve(held.approvalId), approve(held.approvalId, second)]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const lost = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(grpc.status[(lost.reason as grpc.ServiceError).code]).toBe('FAILED_PRECONDITION');
    expect((await stack.settled(held.procedureId)).state).toBe(ProcedureState.PROCEDURE_STATE_COMPLETED);
  });
});

describe('a payout into an account already paid for another death', () => {
  it('waits for an approver before anything is paid, then pays once released', async () => {
    const first = await fileDeath(FIRST_OF_TWO, '2024-08-05');
    expect(first.state).toBe(ProcedureState.PROCEDURE_STATE_COMPLETED);
    // The second death names the first one's claimant and account.
    const request = deathRequest(SECOND_OF_TWO.citizenId, '2024-08-06', claimantFor(FIRST_OF_TWO) as never);
    const held = await stack.settled((await stack.submitDeath(request)).procedureId);
    expect(held.state).toBe(ProcedureState.PROCEDURE_STATE_AWAITING_APPROVAL);
    expect(held.reviewReason).toBe(
      'awaiting approval: the payout account received a funeral payout for another death within 12 months; the ' +
        'claimant received a funeral payout for another death within 12 months: an approver checks the claim before ' +
        'anything is paid',
    );
    expect(held.steps.find((s) => s.name === 'create_payout')?.outcome).toMatch(/^awaiting approval/);
    expect(await payoutCount(SECOND_OF_TWO.citizenId)).toBe(0);
    await approve(held.approvalId);
    expect((await stack.settled(held.procedureId)).state).toBe(ProcedureState.PROCEDURE_STATE_COMPLETED);
    expect(await payoutCount(SECOND_OF_TWO.citizenId)).toBe(1);
  });
});
