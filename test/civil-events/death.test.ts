import { ProcedureState, StepState } from '@vss/contracts';
import { makeCitizenId } from '@vss/domain';
import {
  deathRequest,
  failure,
  hanoian,
  insertCitizens,
  OTHER_OFFICE,
  type Stack,
  startStack,
} from './support';

let stack: Stack;

const person = hanoian;

const CLAIMANT = person(1, 1980, 'Đỗ Thị Lan', 'F');
/** The relative who claims for `p`: one of their own for each death (a claimant paid twice within a year waits for an approver). */
const claimantFor = (p: { citizenId: string }) =>
  person(100 + Number(p.citizenId.slice(-3)), 1980, 'Đỗ Thị Lan', 'F');
const PENSIONER_JUNE = person(11, 1950, 'Nguyễn Văn Hùng');
const PENSIONER_AUGUST = person(12, 1951, 'Trần Văn Nam');
const ASSISTED = person(13, 1940, 'Lý Thị Tám', 'F');
const UNINSURED = person(14, 1960, 'Hoàng Văn Ba');
const TWICE = person(15, 1955, 'Vũ Văn Tư');
const ALREADY_DEAD = person(16, 1945, 'Đinh Văn Năm');
const MISMATCHED = person(17, 1952, 'Bùi Văn Sáu');
const WORKER = person(18, 1985, 'Phan Văn Bảy');
const WRONG_CLAIMANT = person(19, 1958, 'Mai Văn Chín');
const PAID_ELSEWHERE = person(20, 1957, 'Lâm Văn Mười');
const BANK_STYLE = person(21, 1956, 'Tạ Văn Một');

/** A VSS participant linked to the citizen, with an optional pension paid monthly. */
async function insure(
  p: ReturnType<typeof person>,
  code: string,
  options: { pension?: boolean; months?: number; assisted?: boolean; recordedName?: string } = {},
) {
  await stack.pool.query(
    `INSERT INTO vss.participants (social_insurance_code, citizen_id, full_name, date_of_birth, gender, province_code,
       compulsory_contribution_months, social_assistance_beneficiary)
     VALUES ($1, $2, $3, $4, $5, '001', $6, $7)`,
    [
      code,
      p.citizenId,
      options.recordedName ?? p.fullName,
      p.dateOfBirth,
      p.gender,
      options.months ?? 0,
      !!options.assisted,
    ],
  );
  await stack.pool.query(
    `INSERT INTO vss.hi_cards (social_insurance_code, object_group, benefit_level_percent, valid_from, valid_to,
       primary_care_facility_code) VALUES ($1, 'HT', 95, '2020-01-01', '2030-12-31', '01002')`,
    [code],
  );
  if (options.pension) {
    await stack.pool.query(
      `INSERT INTO vss.benefits (social_insurance_code, kind, monthly_amount_vnd, started_on)
       VALUES ($1, 'PENSION', 5000000, '2015-01-01')`,
      [code],
    );
    await stack.pool.query(
      `INSERT INTO vss.benefit_payments (social_insurance_code, kind, period, amount_vnd, paid_on)
       SELECT $1, 'PENSION', to_char(m, 'YYYY-MM'), 5000000, m::date
       FROM generate_series('2024-05-01'::date, '2024-10-01'::date, interval '1 month') AS m`,
      [code],
    );
  }
}

beforeAll(async () => {
  stack = await startStack('death');
  await insertCitizens(stack.pool, [
    CLAIMANT,
    PENSIONER_JUNE,
    PENSIONER_AUGUST,
    ASSISTED,
    UNINSURED,
    TWICE,
    { ...ALREADY_DEAD, deceasedOn: '2023-12-01' },
    MISMATCHED,
    WORKER,
    WRONG_CLAIMANT,
    PAID_ELSEWHERE,
    BANK_STYLE,
    ...[PENSIONER_JUNE, PENSIONER_AUGUST, ASSISTED, UNINSURED, TWICE, ALREADY_DEAD, MISMATCHED, WORKER]
      .concat([PAID_ELSEWHERE, BANK_STYLE])
      .map(claimantFor),
  ]);
  await insure(PENSIONER_JUNE, '0100000011', { pension: true, months: 300 });
  await insure(PENSIONER_AUGUST, '0100000012', { pension: true, months: 300 });
  await insure(ASSISTED, '0100000013', { assisted: true });
  await insure(TWICE, '0100000015', { months: 24 });
  await insure(MISMATCHED, '0100000017', { recordedName: 'Bùi Văn Bảy' });
  await insure(WORKER, '0100000018', { months: 3 });
  await insure(PAID_ELSEWHERE, '0100000020', { months: 24 });
  await insure(BANK_STYLE, '0100000021', { months: 24 });
});

afterAll(() => stack?.stop());

const submit = async (...args: Parameters<typeof deathRequest>) =>
  stack.settled((await stack.submitDeath(deathRequest(...args))).procedureId);

/** When a VSS card stopped (null: still running). */
async function cardEndedOn(socialInsuranceCode: string) {
  const result = await stack.pool.query(
    `SELECT ended_on FROM vss.hi_cards WHERE social_insurance_code = $1`,
    [socialInsuranceCode],
  );
  return result.rows[0].ended_on;
}

async function payouts(citizenId: string) {
  const result = await stack.pool.query(
    `SELECT total_vnd::text, funeral_allowance_vnd::text, funeral_cost_support_vnd::text, claimant_name
     FROM vss.funeral_payouts WHERE deceased_citizen_id = $1`,
    [citizenId],
  );
  return result.rows;
}

describe('a death registration', () => {
  it('ends coverage, stops the pension from the next month, flags later payments and pays 10 × 1,800,000 for June 2024', async () => {
    const procedure = await submit(PENSIONER_JUNE.citizenId, '2024-06-20', claimantFor(PENSIONER_JUNE));
    expect(procedure.reviewReason).toBe('');
    expect(procedure.state).toBe(ProcedureState.PROCEDURE_STATE_COMPLETED);
    expect(procedure.steps.every((s) => s.state === StepState.STEP_STATE_DONE)).toBe(true);
    expect(procedure.funeralBenefits).toMatchObject({
      funeralAllowanceVnd: '18000000',
      funeralCostSupportVnd: '0',
    });
    expect(procedure.funeralBenefits?.funeralAllowanceBasis).toMatch(/10 × base salary.*1,800,000 VND/);

    const card = await stack.pool.query(
      `SELECT ended_on::text FROM vss.hi_cards WHERE social_insurance_code = '0100000011'`,
    );
    expect(card.rows[0].ended_on).toBe('2024-06-20');
    const benefit = await stack.pool.query(
      `SELECT stopped_from::text FROM vss.benefits WHERE social_insurance_code = '0100000011'`,
    );
    expect(benefit.rows[0].stopped_from).toBe('2024-07-01');
    const flagged = await stack.pool.query(
      `SELECT period FROM vss.benefit_payments WHERE social_insurance_code = '0100000011'
       AND recovery_flagged_at IS NOT NULL ORDER BY period`,
    );
    expect(flagged.rows.map((r) => r.period)).toEqual(['2024-07', '2024-08', '2024-09', '2024-10']);
    expect(await payouts(PENSIONER_JUNE.citizenId)).toEqual([
      {
        total_vnd: '18000000',
        funeral_allowance_vnd: '18000000',
        funeral_cost_support_vnd: '0',
        claimant_name: CLAIMANT.fullName,
      },
    ]);
    const registry = await stack.pool.query(
      `SELECT vital_status, date_of_death::text, residence_status FROM npd.citizens WHERE citizen_id = $1`,
      [PENSIONER_JUNE.citizenId],
    );
    expect(registry.rows[0]).toEqual({
      vital_status: 'DECEASED',
      date_of_death: '2024-06-20',
      residence_status: 'CANCELLED',
    });
  });

  it('pays 10 × 2,340,000 for a death in August 2024, under the base salary of 1 July 2024', async () => {
    const procedure = await submit(PENSIONER_AUGUST.citizenId, '2024-08-03', claimantFor(PENSIONER_AUGUST));
    expect(procedure.funeralBenefits?.funeralAllowanceVnd).toBe('23400000');
    expect(procedure.funeralBenefits?.payoutId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('pays funeral cost support of 20 × the assistance standard in force (500,000 VND from July 2024)', async () => {
    const procedure = await submit(ASSISTED.citizenId, '2024-08-10', claimantFor(ASSISTED));
    expect(procedure.funeralBenefits).toMatchObject({
      funeralAllowanceVnd: '0',
      funeralCostSupportVnd: '10000000',
    });
    expect(procedure.funeralBenefits?.funeralCostSupportBasis).toMatch(
      /Decree 76\/2024\/NĐ-CP, Article 1\(2\)/,
    );
    expect((await payouts(ASSISTED.citizenId))[0]?.total_vnd).toBe('10000000');
  });

  it('pays the allowance for a work-related death even with few contribution months', async () => {
    const procedure = await submit(WORKER.citizenId, '2024-09-01', claimantFor(WORKER), {
      workRelated: true,
    });
    expect(procedure.funeralBenefits?.funeralAllowanceVnd).toBe('23400000');
    expect(procedure.funeralBenefits?.funeralAllowanceBasis).toMatch(/work accident/);
  });

  it('completes without a payout for a citizen with no VSS record', async () => {
    const procedure = await submit(UNINSURED.citizenId, '2024-08-15', claimantFor(UNINSURED));
    expect(procedure.state).toBe(ProcedureState.PROCEDURE_STATE_COMPLETED);
    const states = Object.fromEntries(procedure.steps.map((s) => [s.name, s.state]));
    expect(states).toMatchObject({
      end_coverage: StepState.STEP_STATE_SKIPPED,
      assess_benefits: StepState.STEP_STATE_SKIPPED,
      create_payout: StepState.STEP_STATE_SKIPPED,
    });
    expect(await payouts(UNINSURED.citizenId)).toEqual([]);
  });
});

describe('a death that needs review', () => {
  it('stops a second death event for the same person from another office, with one payout in all', async () => {
    const first = await submit(TWICE.citizenId, '2024-08-20', claimantFor(TWICE));
    expect(first.state).toBe(ProcedureState.PROCEDURE_STATE_COMPLETED);
    const request = deathRequest(TWICE.citizenId, '2024-08-20', claimantFor(TWICE), {
      officeCode: OTHER_OFFICE,
    });
    const second = await stack.settled(
      (await stack.submitDeath(request, stack.keys.otherOffice)).procedureId,
    );
    expect(second.state).toBe(ProcedureState.PROCEDURE_STATE_NEEDS_REVIEW);
    // The other office reads that it was registered, not by whom: no office code, event or procedure.
    expect(second.reviewReason).toMatch(
      /already registered by another office \(VSS has the details\); this second event must not end coverage or pay again/,
    );
    expect(second.reviewReason).not.toMatch(/UBND-001|[0-9a-f]{8}-[0-9a-f]{4}/);
    expect(await payouts(TWICE.citizenId)).toHaveLength(1);
  });

  it("refuses a date of death before the registry's date of birth, naming the field and not the registry's date", async () => {
    // Born 17 May 1960 in the registry; the citizen ID encodes 1960, so only the registry can tell.
    const request = deathRequest(UNINSURED.citizenId, '1960-03-01', claimantFor(UNINSURED));
    request.header!.registrationDate = '2024-08-01';
    stack.clock.set('2024-08-01');
    const refused = await failure(stack.submitDeath(request, undefined, { onClock: true }));
    expect(refused).toEqual({
      code: 'INVALID_ARGUMENT',
      details:
        "death.date_of_death: 1960-03-01 is before the deceased's date of birth in the population registry; check the date or the citizen ID",
    });
  });

  it('stops when the registry does not know the deceased', async () => {
    const unknown = makeCitizenId({ provinceCode: '001', gender: 'MALE', birthYear: 1950, serial: 4242 });
    const procedure = await submit(unknown, '2024-08-01', CLAIMANT);
    expect(procedure.reviewReason).toBe(
      `the population registry does not know citizen ${unknown}; check the deceased's citizen ID`,
    );
  });

  it('stops when the registry already records the person as dead', async () => {
    const procedure = await submit(ALREADY_DEAD.citizenId, '2024-08-01', claimantFor(ALREADY_DEAD));
    expect(procedure.reviewReason).toMatch(/already records citizen .* as deceased;/);
    expect(procedure.reviewReason).not.toContain('2023-12-01');
    expect(procedure.steps[0].state).toBe(StepState.STEP_STATE_FAILED);
  });

  it('stops when the claimant named does not match the registry', async () => {
    const procedure = await submit(WRONG_CLAIMANT.citizenId, '2024-08-01', {
      ...CLAIMANT,
      fullName: 'Đỗ Thị Hồng',
    });
    expect(procedure.reviewReason).toMatch(
      `the claimant's name "Đỗ Thị Hồng" does not match the population registry's record of citizen ID ${CLAIMANT.citizenId}`,
    );
    expect(procedure.reviewReason).not.toContain('Đỗ Thị Lan');
  });

  it('stops when the VSS record and the registry disagree about the person', async () => {
    const procedure = await submit(MISMATCHED.citizenId, '2024-08-01', claimantFor(MISMATCHED));
    expect(procedure.reviewReason).toMatch(
      /a VSS record linked to citizen .* disagrees with the population registry on full_name;/,
    );
    // Neither name, nor the record's social insurance code, reaches the office.
    expect(procedure.reviewReason).not.toMatch(/Bùi Văn (Bảy|Sáu)|0100000017/);
    expect(await cardEndedOn('0100000017')).toBeNull();
  });

  it('stops when the payout account is held by someone other than the claimant, before any change', async () => {
    const request = deathRequest(PAID_ELSEWHERE.citizenId, '2024-08-01', claimantFor(PAID_ELSEWHERE));
    request.death!.claimant!.account!.accountHolder = 'Nguyễn Văn Khác';
    const procedure = await stack.settled((await stack.submitDeath(request)).procedureId);
    expect(procedure.state).toBe(ProcedureState.PROCEDURE_STATE_NEEDS_REVIEW);
    expect(procedure.reviewReason).toMatch(
      /^the payout account's holder does not match the claimant's name: funeral benefits are paid into the claimant's own account/,
    );
    expect(await payouts(PAID_ELSEWHERE.citizenId)).toEqual([]);
    expect(await cardEndedOn('0100000020')).toBeNull();
  });

  it("pays into an account whose holder is the claimant written the bank's way (capitals, no tones)", async () => {
    const request = deathRequest(BANK_STYLE.citizenId, '2024-08-01', claimantFor(BANK_STYLE));
    request.death!.claimant!.account!.accountHolder = 'DO THI LAN';
    const procedure = await stack.settled((await stack.submitDeath(request)).procedureId);
    expect(procedure.state).toBe(ProcedureState.PROCEDURE_STATE_COMPLETED);
    expect(await payouts(BANK_STYLE.citizenId)).toHaveLength(1);
  });
});
