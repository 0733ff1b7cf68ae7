import { ProcedureState } from '@vss/contracts';
import { makeCitizenId } from '@vss/domain';
import { PROCEDURE_STEP_QUEUE, type ProcedureStepJob } from '@vss/domain/linked-procedures';
import { type PgBoss, startJobQueue } from '@vss/platform';
import { birthRequest, claimantOf, deathRequest, insertCitizens, type Stack, startStack } from './support';

/**
 * The worker's guarantees against the queue's: a job may be delivered more than once (a worker
 * died holding it, or its expiry passed while it ran) and several workers take jobs at once.
 * Whatever the deliveries, each step's effect happens once.
 */
let stack: Stack;
let boss: PgBoss;

const deceased = (serial: number) =>
  makeCitizenId({ provinceCode: '001', gender: 'FEMALE', birthYear: 1947, serial });
const child = (serial: number) => ({
  citizenId: makeCitizenId({ provinceCode: '001', gender: 'MALE', birthYear: 2024, serial }),
  fullName: 'Hà Gia Bảo',
  dateOfBirth: '2024-01-31',
  gender: 'M' as const,
});
const BIRTHS = Array.from({ length: 12 }, (_, i) => child(100 + i));
const DEATHS = Array.from({ length: 6 }, (_, i) => deceased(200 + i));

beforeAll(async () => {
  stack = await startStack('procjobs', { worker: false });
  boss = await startJobQueue({ url: stack.db.url, expireInSeconds: 5, maintenanceIntervalSeconds: 60 });
  await insertCitizens(stack.pool, [
    ...DEATHS.map((d) => claimantOf(d)),
    ...DEATHS.map((citizenId) => ({
      citizenId,
      fullName: 'Lương Thị Hạnh',
      dateOfBirth: '1947-02-02',
      gender: 'F' as const,
    })),
  ]);
  for (const [i, citizenId] of DEATHS.entries()) {
    const code = `01${String(5_000_000 + i).padStart(8, '0')}`;
    await stack.pool.query(
      `INSERT INTO vss.participants (social_insurance_code, citizen_id, full_name, date_of_birth, gender, province_code,
         compulsory_contribution_months) VALUES ($1, $2, 'Lương Thị Hạnh', '1947-02-02', 'F', '001', 240)`,
      [code, citizenId],
    );
  }
});

afterAll(async () => {
  await boss?.stop({ graceful: false, wait: true }).catch(() => undefined);
  await stack?.stop();
});

describe('step jobs delivered more than once', () => {
  it('issue one card per child and one payout per deceased with two workers and every job sent three times', async () => {
    const accepted = [
      ...(await Promise.all(BIRTHS.map((c) => stack.submitBirth(birthRequest(c))))),
      ...(await Promise.all(
        DEATHS.map((d) => stack.submitDeath(deathRequest(d, '2024-08-30', claimantOf(d)))),
      )),
    ];
    // Two more copies of every first job, as if deliveries had been repeated.
    for (const { procedureId } of accepted) {
      for (let copy = 0; copy < 2; copy += 1) {
        await boss.send(PROCEDURE_STEP_QUEUE, { procedureId, jobSeq: 1 } satisfies ProcedureStepJob);
      }
    }
    await Promise.all([stack.startWorker(), stack.startWorker()]);
    for (const { procedureId } of accepted) {
      const procedure = await stack.settled(procedureId);
      expect([procedure.procedureId, procedure.reviewReason, procedure.state]).toEqual([
        procedureId,
        '',
        ProcedureState.PROCEDURE_STATE_COMPLETED,
      ]);
    }
    const cards = await stack.pool.query(
      `SELECT p.citizen_id, count(*)::int AS n FROM vss.participants p JOIN vss.hi_cards c USING (social_insurance_code)
       WHERE p.citizen_id = ANY($1) GROUP BY p.citizen_id`,
      [BIRTHS.map((c) => c.citizenId)],
    );
    expect(cards.rows).toHaveLength(BIRTHS.length);
    expect(cards.rows.every((r) => r.n === 1)).toBe(true);
    const payouts = await stack.pool.query(
      `SELECT count(*)::int AS n, count(DISTINCT deceased_citizen_id)::int AS people FROM vss.funeral_payouts`,
    );
    expect(payouts.rows[0]).toEqual({ n: DEATHS.length, people: DEATHS.length });
  });

  it('ignores a job of a past generation once the procedure has moved on', async () => {
    const procedureId = (await stack.submitBirth(birthRequest(child(300)))).procedureId;
    const done = await stack.settled(procedureId);
    const before = await stack.pool.query(
      'SELECT version, updated_at FROM vss.procedures WHERE procedure_id = $1',
      [procedureId],
    );
    await boss.send(PROCEDURE_STEP_QUEUE, { procedureId, jobSeq: 2 } satisfies ProcedureStepJob);
    await boss.send(PROCEDURE_STEP_QUEUE, { procedureId, jobSeq: 1 } satisfies ProcedureStepJob);
    // The marker job is sent last: when it is done, the stale ones before it have been handled.
    const marker = (await stack.submitBirth(birthRequest(child(301)))).procedureId;
    await stack.settled(marker);
    const after = await stack.pool.query(
      'SELECT version, updated_at FROM vss.procedures WHERE procedure_id = $1',
      [procedureId],
    );
    expect(after.rows).toEqual(before.rows);
    expect((await stack.getProcedure(procedureId)).steps).toEqual(done.steps);
  });
});
