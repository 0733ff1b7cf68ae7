import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { PROCEDURE_STEP_QUEUE } from '../src/procedure.queue';
import type { ProcedureReadsRepository } from '../src/procedure-reads.repository';
import type { AcceptOutcome, ProceduresRepository } from '../src/procedures.repository';
import { newEvent, type ProceduresWorld, startProcedures } from './factories';

/**
 * Accepting an event on a real database: the event, its procedure, its steps and its first
 * job together, with the audit callback in the same transaction; the same event again is a
 * duplicate that writes nothing, another event under a used ID a conflict; and a failure of the
 * audit leaves nothing behind, not even the job.
 */
let world: ProceduresWorld;
let pool: Pool;
let procedures: ProceduresRepository;
let reads: ProcedureReadsRepository;

beforeAll(async () => {
  world = await startProcedures('accept');
  ({ pool, procedures, reads } = world);
});

afterAll(() => world?.close());

const death = (eventId: string, dateOfDeath?: string) => newEvent({ eventId, dateOfDeath });

async function jobsOf(procedureId: string): Promise<number> {
  const { rows } = await pool.query(
    `SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND data->>'procedureId' = $2`,
    [PROCEDURE_STEP_QUEUE, procedureId],
  );
  return rows[0].n;
}

describe('ProceduresRepository.accept', () => {
  it('writes the procedure with every step pending and its first job, and audits in the same transaction', async () => {
    const audited: AcceptOutcome[] = [];
    const outcome = await procedures.accept(death(randomUUID()), 30, async (_client, o) => {
      audited.push(o);
    });
    expect(outcome.status).toBe('accepted');
    expect(audited).toEqual([outcome]);
    const row = await reads.find(outcome.procedureId);
    expect(row).toMatchObject({ state: 'ACCEPTED', kind: 'DEATH', current_step: 'verify_deceased' });
    expect(row?.steps?.map((s) => s.state)).toEqual([
      'PENDING',
      'PENDING',
      'PENDING',
      'PENDING',
      'PENDING',
      'PENDING',
    ]);
    expect(await jobsOf(outcome.procedureId)).toBe(1);
  });

  it('answers the same event again as a duplicate, and another under a used ID as a conflict, writing nothing', async () => {
    const eventId = randomUUID();
    const first = await procedures.accept(death(eventId), 30, async () => undefined);
    const again = await procedures.accept(death(eventId), 30, async () => undefined);
    expect(again).toEqual({ status: 'duplicate', procedureId: first.procedureId, state: 'ACCEPTED' });
    const other = await procedures.accept(death(eventId, '2025-05-11'), 30, async () => undefined);
    expect(other).toMatchObject({ status: 'conflict', procedureId: first.procedureId });
    expect(await jobsOf(first.procedureId)).toBe(1);
  });

  it('leaves nothing behind when the audit entry cannot be written', async () => {
    const eventId = randomUUID();
    const allJobs = async () =>
      (await pool.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1`, [PROCEDURE_STEP_QUEUE]))
        .rows[0].n;
    const jobsBefore = await allJobs();
    await expect(
      procedures.accept(death(eventId), 30, async () => {
        throw new Error('the audit trail is away');
      }),
    ).rejects.toThrow(/audit trail is away/);
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM vss.civil_events WHERE event_id = $1`, [
      eventId,
    ]);
    expect(rows[0].n).toBe(0);
    expect(await allJobs()).toBe(jobsBefore); // the first step's job went with the rest
  });
});
