import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { AuditTrail } from '@vss/audit';
import { DeathSteps } from '@vss/civil-events/engine/death-steps';
import { ProcedureReadsRepository } from '@vss/civil-events/procedure-reads.repository';
import type { StepContext } from '@vss/civil-events/step';
import { makeCitizenId } from '@vss/domain';
import { withTransaction } from '@vss/platform';
import { FindingsRepository } from '@vss/reconciliation/findings.repository';
import { FindingsApplier } from '@vss/reconciliation/engine/findings-applier';
import type { RegistryClient } from '@vss/registry-client';
import { DeathRecorder, FuneralPayoutsRepository, InsuranceRecordsRepository } from '../src';
import { newFindings, newRun } from '../../reconciliation/test/factories';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { newBenefit, newCard, newFacility, newParticipant } from './factories';

/**
 * One death, recorded by either path — the death procedure's end_coverage step and an applied
 * DECEASED_BUT_ACTIVE finding — or by both at once: the same lock, the same effect. Services
 * are built on a real database without booting an app.
 */
const DATE_OF_DEATH = '2025-05-10';
const ADMIN = { id: 'k1', label: 'test admin', role: 'admin', via: 'api-key' } as const;

let db: TestDatabase;
let pool: Pool;
let audit: AuditTrail;
let steps: DeathSteps;
let apply: FindingsApplier;
let runId: string;

beforeAll(async () => {
  db = await createTestDatabase('recorddeath');
  pool = new Pool({ connectionString: db.url, max: 8 });
  audit = new AuditTrail(pool, { flushMs: 1, maxBatch: 100 });
  const records = new InsuranceRecordsRepository();
  const deaths = new DeathRecorder(records);
  steps = new DeathSteps(
    records,
    deaths,
    new ProcedureReadsRepository(pool, pool),
    audit,
    new FuneralPayoutsRepository(),
    {
      PAYOUT_APPROVAL_THRESHOLD_VND: 50_000_000,
      PAYOUT_DAILY_PER_OFFICE: 20,
      PAYOUT_REPEAT_MONTHS: 12,
    },
  );
  apply = new FindingsApplier(pool, new FindingsRepository(pool), records, deaths, audit);
  await newFacility(pool, { facilityCode: '01001', name: 'BV', provinceCode: '001' });
  runId = await newRun(pool, { scope: 'ALL' });
});

afterAll(async () => {
  await audit?.close();
  await pool?.end();
  await db?.drop();
});

/** A pensioner with a card, paid monthly through August: the death in May leaves three payments to recover. */
async function pensioner(serial: number): Promise<{ citizenId: string; sic: string; findingId: string }> {
  const citizenId = makeCitizenId({ provinceCode: '001', gender: 'FEMALE', birthYear: 1945, serial });
  const sic = `01${String(serial).padStart(8, '0')}`;
  await newParticipant(pool, {
    socialInsuranceCode: sic,
    citizenId,
    fullName: 'Nguyễn Thị Lan',
    dateOfBirth: '1945-02-03',
    gender: 'F',
    provinceCode: '001',
  });
  await newCard(pool, { socialInsuranceCode: sic, objectGroup: 'HT', primaryCareFacilityCode: '01001' });
  await newBenefit(pool, {
    socialInsuranceCode: sic,
    kind: 'PENSION',
    monthlyAmountVnd: 5_000_000,
    paidPeriods: ['2025-04', '2025-05', '2025-06', '2025-07', '2025-08'],
  });
  const [findingId] = await newFindings(pool, runId, [
    {
      outcome: 'DECEASED_BUT_ACTIVE',
      socialInsuranceCode: sic,
      citizenId,
      provinceCode: '001',
      dateOfDeath: DATE_OF_DEATH,
      detail: 'deceased',
    },
  ]);
  return { citizenId, sic, findingId };
}

function context(citizenId: string): StepContext {
  return {
    procedureId: randomUUID(),
    seq: '1',
    kind: 'DEATH',
    step: 'end_coverage',
    attempt: 1,
    receivedOn: '2025-05-12',
    released: [],
    payload: {
      kind: 'DEATH',
      header: {
        officeCode: 'UBND-001-00001',
        eventId: randomUUID(),
        registrationNumber: '1',
        registrationDate: '2025-05-12',
      },
      death: {
        deceasedCitizenId: citizenId,
        dateOfDeath: DATE_OF_DEATH,
        workRelated: false,
        claimant: {
          citizenId: makeCitizenId({ provinceCode: '001', gender: 'MALE', birthYear: 1970, serial: 1 }),
          fullName: 'Nguyễn Văn Hùng',
          relationship: 'con',
          bankCode: 'VCB',
          accountNumber: '0011001234567',
          accountHolder: 'Nguyễn Văn Hùng',
        },
      },
    },
    registry: undefined as unknown as RegistryClient, // end_coverage is local: it never calls the registry
    requestId: 'x',
    today: '2025-05-12',
  };
}

/** What the death procedure does at end_coverage, in its own transaction. */
async function byProcedure(citizenId: string): Promise<void> {
  const result = await steps.handlers().end_coverage(context(citizenId));
  if (!('local' in result)) throw new Error('end_coverage has a local effect');
  await withTransaction(pool, (client) => result.local(client));
}

function byFinding(findingId: string) {
  return apply.applyBatch(
    { runId, outcomes: ['DECEASED_BUT_ACTIVE'], provinceCode: null, findingIds: [findingId] },
    '0',
    100,
    ADMIN,
  );
}

/** Everything a death changes on a person's records, without the free-text reasons. */
async function stateOf(sic: string) {
  const { rows } = await pool.query(
    `SELECT p.deceased_on::text, c.ended_on::text AS card_ended_on, b.stopped_from::text, b.stop_reason,
            (SELECT array_agg(period ORDER BY period) FROM vss.benefit_payments bp
              WHERE bp.social_insurance_code = p.social_insurance_code AND bp.recovery_flagged_at IS NOT NULL) AS flagged
       FROM vss.participants p
       JOIN vss.hi_cards c USING (social_insurance_code)
       JOIN vss.benefits b USING (social_insurance_code)
      WHERE p.social_insurance_code = $1`,
    [sic],
  );
  return rows[0];
}

const EXPECTED = {
  deceased_on: DATE_OF_DEATH,
  card_ended_on: DATE_OF_DEATH,
  stopped_from: '2025-06-01',
  stop_reason: 'DECEASED',
  flagged: ['2025-06', '2025-07', '2025-08'],
};

describe('recording a death', () => {
  it('has the same effect from the death procedure and from an applied finding', async () => {
    const a = await pensioner(101);
    const b = await pensioner(102);
    await byProcedure(a.citizenId);
    const applied = await byFinding(b.findingId);
    expect(applied.applied.DECEASED_BUT_ACTIVE).toBe(1);
    expect(await stateOf(a.sic)).toEqual(EXPECTED);
    expect(await stateOf(b.sic)).toEqual(EXPECTED);
  });

  it('changes nothing more when it runs again, by either path', async () => {
    const p = await pensioner(103);
    await byProcedure(p.citizenId);
    const flaggedAt = await pool.query(
      `SELECT payment_id, recovery_flagged_at FROM vss.benefit_payments WHERE social_insurance_code = $1 ORDER BY 1`,
      [p.sic],
    );
    await byProcedure(p.citizenId);
    const again = await byFinding(p.findingId);
    expect(again).toMatchObject({ applied: {}, stale: 1 });
    expect(await stateOf(p.sic)).toEqual(EXPECTED);
    const after = await pool.query(
      `SELECT payment_id, recovery_flagged_at FROM vss.benefit_payments WHERE social_insurance_code = $1 ORDER BY 1`,
      [p.sic],
    );
    expect(after.rows).toEqual(flaggedAt.rows);
  });

  it('ends in one consistent state when both paths race for the same citizen, every time', async () => {
    const people = await Promise.all(Array.from({ length: 25 }, (_, i) => pensioner(200 + i)));
    for (const p of people) {
      const [, applied] = await Promise.all([byProcedure(p.citizenId), byFinding(p.findingId)]);
      // Whichever came second found the death recorded: the finding is applied or stale, never half.
      expect((applied.applied.DECEASED_BUT_ACTIVE ?? 0) + applied.stale).toBe(1);
      expect(await stateOf(p.sic)).toEqual(EXPECTED);
    }
    const audited = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM vss.audit_events WHERE action = 'insurance.death.record'
         AND subject_citizen_id = ANY($1::text[])`,
      [people.map((p) => p.citizenId)],
    );
    expect(audited.rows[0].n).toBe(people.length);
  });
});
