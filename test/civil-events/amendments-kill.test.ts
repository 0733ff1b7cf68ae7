import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ProcedureState } from '@vss/contracts';
import { makeCitizenId, monthOf, monthsFrom, vietnamDate } from '@vss/domain';
import { ApprovalsClient } from '../support/approvals';
import { waitFor } from '../support/polling';
import type { AppProcess } from '../support/processes';
import {
  claimantOf,
  deathRequest,
  insertCitizens,
  insurePensioner,
  nextEventId,
  OFFICE,
  type Stack,
  startStack,
  workerProcess,
} from './support';

/**
 * A worker SIGKILLed while it compensates revoked deaths: a new worker finishes every
 * revocation, and each compensation has the effect of running once — one reinstatement, one
 * cancelled payout, each month owed once, the pension raised once.
 */
const PEOPLE = 24;
const ROOT = join(__dirname, '..', '..');

let stack: Stack;
let approvals: ApprovalsClient;
const processes: AppProcess[] = [];

const person = (i: number) => ({
  citizenId: makeCitizenId({ provinceCode: '001', gender: 'MALE', birthYear: 1949, serial: 8000 + i }),
  fullName: 'Phạm Văn Đức',
  dateOfBirth: '1949-02-02',
  gender: 'M' as const,
});
const code = (i: number) => `01000080${String(i).padStart(2, '0')}`;

beforeAll(async () => {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'pipe' });
  stack = await startStack('amendkill', { worker: false });
  approvals = new ApprovalsClient(stack.gateway.grpcAddress);
  const people = Array.from({ length: PEOPLE }, (_, i) => person(i + 1));
  await insertCitizens(stack.pool, [...people, ...people.map((p) => claimantOf(p.citizenId))]);
  for (const [i, p] of people.entries()) await insurePensioner(stack.pool, p, code(i + 1));
}, 120_000);

afterAll(async () => {
  for (const p of processes) await p.kill('SIGKILL');
  approvals?.close();
  await stack?.stop();
});

function worker(): AppProcess {
  const started = workerProcess(stack, { WORKER_CONCURRENCY: 6, PAYOUT_DAILY_PER_OFFICE: 1000 });
  processes.push(started);
  return started;
}

async function states(kind: string) {
  const { rows } = await stack.pool.query<{ state: string; n: number }>(
    'SELECT state, count(*)::int AS n FROM vss.procedures WHERE kind = $1 GROUP BY state',
    [kind],
  );
  return Object.fromEntries(rows.map((r) => [r.state, r.n])) as Record<string, number>;
}

it('completes every revocation once after the worker is killed mid-compensation', async () => {
  const first = worker();
  await first.waitFor(/worker running/);
  const deaths = [];
  for (let i = 1; i <= PEOPLE; i += 1) {
    const request = deathRequest(person(i).citizenId, '2024-06-20', claimantOf(person(i).citizenId));
    await stack.submitDeath(request);
    deaths.push(request.header!.eventId);
  }
  await waitFor('every death to complete', async () => (await states('DEATH')).COMPLETED === PEOPLE, {
    timeoutMs: 60_000,
    detail: () => states('DEATH'),
  });

  stack.clock.set('2025-01-15');
  const revocations = [];
  for (const eventId of deaths) {
    const filed = await stack.call<{ procedureId: string }>(
      'revokeRegistration',
      {
        header: {
          officeCode: OFFICE,
          eventId: nextEventId('kill-rev'),
          registrationNumber: 'HB-9',
          registrationDate: '2025-01-15',
        },
        original: { officeCode: OFFICE, eventId },
        reason: 'the death was registered against the wrong citizen ID',
      },
      stack.keys.office,
    );
    revocations.push(filed.procedureId);
  }
  await waitFor(
    'every revocation to wait for its approver',
    async () => (await states('DEATH_REVOCATION')).AWAITING_APPROVAL === PEOPLE,
    {
      timeoutMs: 30_000,
      detail: () => states('DEATH_REVOCATION'),
    },
  );
  // Each registry call now takes a while: the kill finds compensations in every step.
  stack.registry.faults.update({ latencyMs: 150 });
  for (const id of revocations) {
    const p = await stack.getProcedure(id);
    await approvals.approve(p.approvalId, stack.keys.approver, 'checked');
  }
  await waitFor(
    'a few revocations to complete',
    async () => ((await states('DEATH_REVOCATION')).COMPLETED ?? 0) >= 3,
    {
      timeoutMs: 60_000,
      detail: () => states('DEATH_REVOCATION'),
    },
  );
  await first.kill('SIGKILL');
  expect((await states('DEATH_REVOCATION')).COMPLETED ?? 0).toBeLessThan(PEOPLE);
  // The kill cut steps short: attempts that never ended.
  const cut = await stack.pool.query(
    `SELECT count(*)::int AS n FROM vss.procedure_step_attempts a JOIN vss.procedures p USING (procedure_id)
      WHERE p.kind = 'DEATH_REVOCATION' AND a.ended_at IS NULL`,
  );
  expect(cut.rows[0].n).toBeGreaterThan(0);
  stack.registry.faults.update({ latencyMs: 0 });

  const second = worker();
  await second.waitFor(/worker running/);
  await waitFor(
    'every revocation to complete',
    async () => (await states('DEATH_REVOCATION')).COMPLETED === PEOPLE,
    {
      timeoutMs: 90_000,
      detail: () => states('DEATH_REVOCATION'),
    },
  );

  const codes = Array.from({ length: PEOPLE }, (_, i) => code(i + 1));
  const ids = Array.from({ length: PEOPLE }, (_, i) => person(i + 1).citizenId);
  // The worker's own clock decides the month through which arrears are owed; May–October were paid.
  const owed = monthsFrom('2024-07', monthOf(vietnamDate(Date.now()))).length - 4;
  const arrears = await stack.pool.query(
    `SELECT social_insurance_code, count(*)::int AS n, sum(amount_vnd)::text AS total FROM vss.benefit_arrears
      WHERE social_insurance_code = ANY($1) GROUP BY social_insurance_code`,
    [codes],
  );
  expect(arrears.rows).toHaveLength(PEOPLE);
  for (const row of arrears.rows) expect(row).toMatchObject({ n: owed, total: String(owed * 5_750_000) });
  const benefits = await stack.pool.query(
    `SELECT DISTINCT monthly_amount_vnd::text AS amount, stopped_from FROM vss.benefits WHERE social_insurance_code = ANY($1)`,
    [codes],
  );
  expect(benefits.rows).toEqual([{ amount: '5750000', stopped_from: null }]);
  const payouts = await stack.pool.query(
    `SELECT status, count(*)::int AS n FROM vss.funeral_payouts WHERE deceased_citizen_id = ANY($1) GROUP BY status`,
    [ids],
  );
  expect(payouts.rows).toEqual([{ status: 'CANCELLED', n: PEOPLE }]);
  const audited = await stack.pool.query(
    `SELECT action, count(*)::int AS n FROM (
       SELECT action, subject_citizen_id FROM vss.audit_events UNION ALL
       SELECT action, subject_citizen_id FROM vss.audit_pending) a
      WHERE subject_citizen_id = ANY($1) AND action IN ('insurance.death.revoke', 'insurance.payout.cancel')
      GROUP BY action ORDER BY action`,
    [ids],
  );
  expect(audited.rows).toEqual([
    { action: 'insurance.death.revoke', n: PEOPLE },
    { action: 'insurance.payout.cancel', n: PEOPLE },
  ]);
  const registry = await stack.pool.query(
    `SELECT vital_status, residence_status, count(*)::int AS n FROM npd.citizens WHERE citizen_id = ANY($1)
      GROUP BY vital_status, residence_status`,
    [ids],
  );
  expect(registry.rows).toEqual([{ vital_status: 'ALIVE', residence_status: 'REGISTERED', n: PEOPLE }]);
  const settled = await stack.getProcedure(revocations[0]);
  expect(settled.state).toBe(ProcedureState.PROCEDURE_STATE_COMPLETED);
  await second.kill('SIGTERM');
}, 240_000);
