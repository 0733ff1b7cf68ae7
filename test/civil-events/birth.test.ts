import * as grpc from '@grpc/grpc-js';
import { type Procedure, ProcedureState, StepState, type WatchProcedureResponse } from '@vss/contracts';
import { ApiKeys } from '@vss/api-keys';
import { OfficesRepository } from '@vss/authority';
import { makeCitizenId } from '@vss/domain';
import {
  birthRequest,
  failure,
  insertCitizens,
  NEIGHBOUR_OFFICE,
  OTHER_OFFICE,
  type Stack,
  startStack,
} from './support';

let stack: Stack;

const MOTHER = makeCitizenId({ provinceCode: '001', gender: 'FEMALE', birthYear: 1994, serial: 101 });
const child = (serial: number, dateOfBirth: string, fullName = 'Nguyễn Minh An') => ({
  citizenId: makeCitizenId({
    provinceCode: '001',
    gender: 'MALE',
    birthYear: Number(dateOfBirth.slice(0, 4)),
    serial,
  }),
  fullName,
  dateOfBirth,
  gender: 'M' as const,
});

beforeAll(async () => {
  stack = await startStack('birth');
  await insertCitizens(stack.pool, [
    { citizenId: MOTHER, fullName: 'Trần Thị Hoa', dateOfBirth: '1994-02-10', gender: 'F' },
  ]);
});

afterAll(() => stack?.stop());

async function registryRow(citizenId: string) {
  const { rows } = await stack.pool.query(
    `SELECT full_name, residence_address, residence_province_code FROM npd.citizens WHERE citizen_id = $1`,
    [citizenId],
  );
  return rows[0];
}

async function card(citizenId: string) {
  const result = await stack.pool.query(
    `SELECT c.social_insurance_code, c.object_group, c.benefit_level_percent, c.valid_from::text,
            c.valid_to::text, c.primary_care_facility_code, c.issued_by_procedure
     FROM vss.participants p JOIN vss.hi_cards c USING (social_insurance_code) WHERE p.citizen_id = $1`,
    [citizenId],
  );
  return result.rows;
}

describe('a birth registration', () => {
  it('registers the child, the residence and issues a TE card valid to 30 September after the sixth birthday', async () => {
    const baby = child(501, '2024-03-15');
    const accepted = await stack.submitBirth(birthRequest(baby, { motherCitizenId: MOTHER }));
    expect(accepted).toMatchObject({ state: ProcedureState.PROCEDURE_STATE_ACCEPTED, duplicate: false });

    const procedure = await stack.settled(accepted.procedureId);
    expect(procedure.reviewReason).toBe('');
    expect(procedure.state).toBe(ProcedureState.PROCEDURE_STATE_COMPLETED);
    expect(procedure.steps.map((s) => [s.name, s.state])).toEqual([
      ['register_birth', StepState.STEP_STATE_DONE],
      ['verify_child', StepState.STEP_STATE_DONE],
      ['register_residence', StepState.STEP_STATE_DONE],
      ['issue_card', StepState.STEP_STATE_DONE],
    ]);
    // Each step's finish as the database wrote it, in order, none after the procedure's last change.
    const finished = procedure.steps.map((s) => Date.parse(s.finishedAt));
    expect(finished.every((t, i) => Number.isFinite(t) && (i === 0 || t >= finished[i - 1]))).toBe(true);
    expect(finished[finished.length - 1]).toBeLessThanOrEqual(Date.parse(procedure.updatedAt));
    const cards = await card(baby.citizenId);
    expect(cards).toEqual([
      {
        social_insurance_code: procedure.issuedSocialInsuranceCode,
        object_group: 'TE',
        benefit_level_percent: 100,
        valid_from: '2024-03-15',
        // Turns 72 months on 2030-03-15, before the school year: covered until 30 September.
        valid_to: '2030-09-30',
        primary_care_facility_code: expect.stringMatching(/^0100[23]$/),
        issued_by_procedure: accepted.procedureId,
      },
    ]);
    expect(procedure.issuedSocialInsuranceCode).toMatch(/^01[0-9]{8}$/);

    const registered = await stack.pool.query(
      `SELECT full_name, residence_status, residence_province_code FROM npd.citizens WHERE citizen_id = $1`,
      [baby.citizenId],
    );
    expect(registered.rows[0]).toEqual({
      full_name: baby.fullName,
      residence_status: 'REGISTERED',
      residence_province_code: '001',
    });
  });

  it('ends the card on the sixth birthday when that falls after 30 September, at the chosen facility', async () => {
    const baby = child(502, '2024-11-20', 'Lê Minh Khang');
    const accepted = await stack.submitBirth(birthRequest(baby, { facilityCode: '01001' }));
    const procedure = await stack.settled(accepted.procedureId);
    expect(procedure.state).toBe(ProcedureState.PROCEDURE_STATE_COMPLETED);
    const [issued] = await card(baby.citizenId);
    expect(issued).toMatchObject({ valid_to: '2030-11-20', primary_care_facility_code: '01001' });
  });

  it('answers a repeated event with the same procedure and issues one card', async () => {
    const baby = child(503, '2024-05-02');
    const request = birthRequest(baby);
    const first = await stack.submitBirth(request);
    const again = await stack.submitBirth(request);
    expect(again.procedureId).toBe(first.procedureId);
    expect(again.duplicate).toBe(true);
    await stack.settled(first.procedureId);
    const repeatAfterwards = await stack.submitBirth(request);
    expect(repeatAfterwards).toMatchObject({
      procedureId: first.procedureId,
      duplicate: true,
      state: ProcedureState.PROCEDURE_STATE_COMPLETED,
    });
    expect(await card(baby.citizenId)).toHaveLength(1);
  });

  it('streams each change of the procedure to a watcher and ends when it completes', async () => {
    const baby = child(504, '2024-06-06');
    const accepted = await stack.submitBirth(birthRequest(baby));
    const metadata = new grpc.Metadata();
    metadata.set('x-api-key', stack.keys.office);
    const stream = (
      stack.grpcClient as unknown as {
        watchProcedure(r: object, m: grpc.Metadata): grpc.ClientReadableStream<WatchProcedureResponse>;
      }
    ).watchProcedure({ procedureId: accepted.procedureId }, metadata);
    const seen: Procedure[] = [];
    for await (const message of stream) seen.push((message as WatchProcedureResponse).procedure!);
    expect(seen.length).toBeGreaterThan(1);
    expect(seen[seen.length - 1].state).toBe(ProcedureState.PROCEDURE_STATE_COMPLETED);
    const doneCounts = seen.map((p) => p.steps.filter((s) => s.state === StepState.STEP_STATE_DONE).length);
    expect([...doneCounts].sort((a, b) => a - b)).toEqual(doneCounts);
  });
});

describe('a birth that needs review', () => {
  it('stops at the first step when the registry already holds the child ID: never taken, that record untouched', async () => {
    const baby = child(601, '2024-07-07', 'Phạm Văn Bình');
    await insertCitizens(stack.pool, [
      { citizenId: baby.citizenId, fullName: 'Phạm Văn Bảo', dateOfBirth: '2024-07-07', gender: 'M' },
    ]);
    const before = await registryRow(baby.citizenId);
    const request = birthRequest(baby, { provinceCode: '079', motherCitizenId: MOTHER });
    request.birth!.permanentResidence!.address = 'Số 7 Lê Lợi, Quận 1';
    const procedure = await stack.settled((await stack.submitBirth(request)).procedureId);
    expect(procedure.state).toBe(ProcedureState.PROCEDURE_STATE_NEEDS_REVIEW);
    expect(procedure.reviewReason).toMatch(
      new RegExp(`^citizen ID ${baby.citizenId} already belongs to a person in the population registry`),
    );
    // The registry's value is not disclosed to the office.
    expect(procedure.reviewReason).not.toContain('Phạm Văn Bảo');
    expect(procedure.steps.find((s) => s.name === 'register_birth')?.state).toBe(StepState.STEP_STATE_FAILED);
    expect(await registryRow(baby.citizenId)).toEqual(before); // residence not overwritten
    expect(await card(baby.citizenId)).toHaveLength(0);
  });

  it('stops when the registry does not know the mother', async () => {
    const unknownMother = makeCitizenId({
      provinceCode: '001',
      gender: 'FEMALE',
      birthYear: 1990,
      serial: 999,
    });
    const baby = child(602, '2024-08-08');
    const procedure = await stack.settled(
      (await stack.submitBirth(birthRequest(baby, { motherCitizenId: unknownMother }))).procedureId,
    );
    expect(procedure.reviewReason).toMatch(`does not know the mother's citizen ID ${unknownMother}`);
  });

  it('stops a second birth event for the same child from another office, and issues no second card', async () => {
    const baby = child(603, '2024-09-09');
    const first = await stack.settled((await stack.submitBirth(birthRequest(baby))).procedureId);
    expect(first.state).toBe(ProcedureState.PROCEDURE_STATE_COMPLETED);
    const request = birthRequest(baby);
    request.header!.officeCode = NEIGHBOUR_OFFICE;
    const second = await stack.settled(
      (await stack.submitBirth(request, stack.keys.neighbourOffice)).procedureId,
    );
    expect(second.state).toBe(ProcedureState.PROCEDURE_STATE_NEEDS_REVIEW);
    // The second office learns that the child was registered, not by whom.
    expect(second.reviewReason).toMatch(/already registered by another office \(VSS has the details\)/);
    expect(second.reviewReason).not.toMatch(/UBND-001-00001|[0-9a-f]{8}-[0-9a-f]{4}/);
    expect(await card(baby.citizenId)).toHaveLength(1);
  });

  it('stops when the child already has an HI card from elsewhere', async () => {
    const baby = child(604, '2024-10-10');
    await stack.pool.query(
      `INSERT INTO vss.participants (social_insurance_code, citizen_id, full_name, date_of_birth, gender, province_code)
       VALUES ('0112345678', $1, $2, '2024-10-10', 'M', '001')`,
      [baby.citizenId, baby.fullName],
    );
    await stack.pool.query(
      `INSERT INTO vss.hi_cards (social_insurance_code, object_group, benefit_level_percent, valid_from, valid_to,
         primary_care_facility_code) VALUES ('0112345678', 'TE', 100, '2024-10-10', '2030-10-10', '01002')`,
    );
    const procedure = await stack.settled((await stack.submitBirth(birthRequest(baby))).procedureId);
    expect(procedure.reviewReason).toMatch(`citizen ${baby.citizenId} already has an HI card`);
    expect(procedure.reviewReason).not.toContain('0112345678');
  });

  it('stops when no facility is known in the province of residence', async () => {
    const baby = child(605, '2024-04-04');
    const procedure = await stack.settled(
      (await stack.submitBirth(birthRequest(baby, { provinceCode: '096', motherCitizenId: MOTHER })))
        .procedureId,
    );
    expect(procedure.reviewReason).toMatch(/no primary-care facility is known in province 096/);
    expect(procedure.steps.find((s) => s.name === 'register_residence')?.state).toBe(
      StepState.STEP_STATE_DONE,
    );
  });
});

describe('a birth registered long after the birth', () => {
  it('holds a birth received long after it for an approver, before the registry is changed', async () => {
    const late = child(621, '2024-01-10');
    const request = birthRequest(late, { motherCitizenId: MOTHER });
    request.header!.registrationDate = '2024-07-28'; // received that day: 200 days later
    const procedure = await stack.settled((await stack.submitBirth(request)).procedureId);
    expect(procedure.state).toBe(ProcedureState.PROCEDURE_STATE_AWAITING_APPROVAL);
    expect(procedure.reviewReason).toMatch(
      /^awaiting approval: the birth was received 200 days after it happened, beyond the 60 days of Law on Civil Status 58\/2014\/QH13, art\. 15\(1\)/,
    );
    expect(procedure.approvalId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await registryRow(late.citizenId)).toBeUndefined();
  });

  it('takes a registration received on the last day of the period', async () => {
    const onTime = child(622, '2024-01-10');
    const request = birthRequest(onTime, { motherCitizenId: MOTHER });
    request.header!.registrationDate = '2024-03-10'; // 60 days later
    const procedure = await stack.settled((await stack.submitBirth(request)).procedureId);
    expect(procedure.state).toBe(ProcedureState.PROCEDURE_STATE_COMPLETED);
  });

  it('refuses a backdated birth: a child of 1985 "registered" in 1985 and filed today', async () => {
    const adult = child(623, '1985-04-04');
    const request = birthRequest(adult, { motherCitizenId: '' });
    request.header!.registrationDate = '1985-04-04';
    stack.clock.set('2026-12-06');
    const refused = await failure(stack.submitBirth(request, undefined, { onClock: true }));
    expect(refused.code).toBe('INVALID_ARGUMENT');
    expect(refused.details).toMatch(
      /^header\.registration_date: 1985-04-04 is more than 3 days from today \(2026-12-06\), the day the gateway receives the filing/,
    );
    // Filed honestly, with the day it is filed: received 41 years late, held before any change.
    request.header!.registrationDate = '2026-12-06';
    const procedure = await stack.settled(
      (await stack.submitBirth(request, undefined, { onClock: true })).procedureId,
    );
    expect(procedure.state).toBe(ProcedureState.PROCEDURE_STATE_AWAITING_APPROVAL);
    expect(procedure.reviewReason).toMatch(/received 15221 days after it happened/);
    expect(await registryRow(adult.citizenId)).toBeUndefined();
  });
});

describe("a birth outside the office's jurisdiction", () => {
  it('holds a birth filed by an office where neither parent lives, before the registry is changed', async () => {
    const baby = child(631, '2024-05-05');
    const request = birthRequest(baby, { motherCitizenId: MOTHER, provinceCode: '079' });
    request.header!.officeCode = OTHER_OFFICE; // Hồ Chí Minh City; the mother lives in Hà Nội
    const procedure = await stack.settled(
      (await stack.submitBirth(request, stack.keys.otherOffice)).procedureId,
    );
    expect(procedure.state).toBe(ProcedureState.PROCEDURE_STATE_AWAITING_APPROVAL);
    expect(procedure.reviewReason).toBe(
      `awaiting approval: office ${OTHER_OFFICE} registered this birth outside its jurisdiction: neither parent's ` +
        'permanent residence, as the population registry knows it, is in its area (art. 13); an approver confirms ' +
        'the registration before anything changes',
    );
    expect(await registryRow(baby.citizenId)).toBeUndefined();
  });

  it('refuses a filing by an office that is no longer active, naming the field', async () => {
    const office = 'UBND-096-00001';
    const key = (
      await new ApiKeys(stack.pool).issue({
        role: 'civil-registry',
        officeCode: office,
        label: 'soon closed',
      })
    ).apiKey;
    await new OfficesRepository(stack.pool).deactivate(office);
    const request = birthRequest(child(632, '2024-05-06'), { motherCitizenId: MOTHER });
    request.header!.officeCode = office;
    const refused = await failure(stack.submitBirth(request, key));
    expect(refused).toEqual({
      code: 'PERMISSION_DENIED',
      details: `header.office_code: ${office} is not a registered, active civil registry office`,
    });
  });
});
