import { ProcedureState, StepState } from '@vss/contracts';
import { makeCitizenId } from '@vss/domain';
import { birthRequest, claimantOf, deathRequest, insertCitizens, type Stack, startStack } from './support';
import { waitFor } from '../support/polling';

let stack: Stack;

const deceased = (serial: number) =>
  makeCitizenId({ provinceCode: '001', gender: 'MALE', birthYear: 1948, serial });
const child = (serial: number) => ({
  citizenId: makeCitizenId({ provinceCode: '001', gender: 'FEMALE', birthYear: 2024, serial }),
  fullName: 'Võ Ngọc Hân',
  dateOfBirth: '2024-12-01',
  gender: 'F' as const,
});

beforeAll(async () => {
  stack = await startStack('outage', {
    workerConfig: { PROCEDURE_RETRY_BASE_MS: 100, PROCEDURE_RETRY_MAX_MS: 400, REGISTRY_DEADLINE_MS: 1000 },
  });
  await insertCitizens(stack.pool, [
    ...[1, 2, 3, 4].map((serial) => claimantOf(deceased(serial))),
    ...[1, 2, 3, 4].map((serial) => ({
      citizenId: deceased(serial),
      fullName: `Võ Văn Lộc`,
      dateOfBirth: '1948-09-09',
      gender: 'M' as const,
    })),
  ]);
});

afterAll(() => stack?.stop());

describe('when the population registry is down', () => {
  // A test that fails midway must not leave the registry failing the tests after it.
  afterEach(() => stack.registry.faults.update({ refuseAll: false, unavailableRate: 0, latencyMs: 0 }));

  it('keeps procedures waiting, visibly, and finishes them once the registry is back', async () => {
    stack.registry.faults.update({ refuseAll: true });
    const ids = [
      ...(await Promise.all([1, 2, 3].map((s) => stack.submitBirth(birthRequest(child(s)))))),
      ...(await Promise.all(
        [1, 2].map((s) =>
          stack.submitDeath(deathRequest(deceased(s), '2024-12-01', claimantOf(deceased(s)))),
        ),
      )),
    ].map((r) => r.procedureId);

    // Every procedure is seen waiting after at least two attempts of its first step.
    for (const id of ids) {
      const waiting = await waitFor(
        'a second failed attempt',
        async () => {
          const p = await stack.getProcedure(id);
          return p.state === ProcedureState.PROCEDURE_STATE_WAITING_RETRY && p.steps[0].attempts >= 2
            ? p
            : undefined;
        },
        { timeoutMs: 30_000 },
      );
      expect(waiting.steps[0]).toMatchObject({ state: StepState.STEP_STATE_PENDING });
      expect(waiting.steps[0].lastError).toMatch(
        /^the population registry is unavailable: UNAVAILABLE: .*refusing all calls.*; attempt \d+, next in/,
      );
    }

    stack.registry.faults.update({ refuseAll: false });
    for (const id of ids) {
      const done = await stack.settled(id);
      expect(done.state).toBe(ProcedureState.PROCEDURE_STATE_COMPLETED);
    }
    const cards = await stack.pool.query(
      `SELECT p.citizen_id, count(*)::int AS n FROM vss.participants p JOIN vss.hi_cards c USING (social_insurance_code)
       WHERE p.citizen_id = ANY($1) GROUP BY p.citizen_id`,
      [[1, 2, 3].map((s) => child(s).citizenId)],
    );
    expect(cards.rows.map((r) => r.n)).toEqual([1, 1, 1]);
  });

  it('completes every procedure exactly once through a registry failing half of its calls', async () => {
    stack.registry.faults.update({ unavailableRate: 0.5 });
    try {
      const births = await Promise.all(
        [11, 12, 13, 14, 15, 16].map((s) => stack.submitBirth(birthRequest(child(s)))),
      );
      const deaths = await Promise.all(
        [3, 4].map((s) =>
          stack.submitDeath(deathRequest(deceased(s), '2024-12-01', claimantOf(deceased(s)))),
        ),
      );
      for (const { procedureId } of [...births, ...deaths]) {
        expect((await stack.settled(procedureId)).state).toBe(ProcedureState.PROCEDURE_STATE_COMPLETED);
      }
      const registry = await stack.pool.query(
        `SELECT count(*)::int AS n FROM npd.citizens WHERE citizen_id = ANY($1) AND residence_status = 'REGISTERED'`,
        [[11, 12, 13, 14, 15, 16].map((s) => child(s).citizenId)],
      );
      expect(registry.rows[0].n).toBe(6);
    } finally {
      stack.registry.faults.update({ unavailableRate: 0 });
    }
  });

  it('treats a registry slower than the deadline as down, and finishes once it answers in time', async () => {
    stack.registry.faults.update({ latencyMs: 1500 });
    const { procedureId } = await stack.submitBirth(birthRequest(child(21)));
    try {
      const waiting = await waitFor(
        'a timed-out attempt',
        async () => {
          const p = await stack.getProcedure(procedureId);
          return p.state === ProcedureState.PROCEDURE_STATE_WAITING_RETRY ? p : undefined;
        },
        { timeoutMs: 30_000 },
      );
      expect(waiting.steps[0].lastError).toMatch(
        /^the population registry is unavailable: DEADLINE_EXCEEDED/,
      );
    } finally {
      stack.registry.faults.update({ latencyMs: 0 });
    }
    expect((await stack.settled(procedureId)).state).toBe(ProcedureState.PROCEDURE_STATE_COMPLETED);
  });
});
