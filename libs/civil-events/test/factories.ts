import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import type { CivilEventPayload } from '@vss/domain/linked-procedures';
import { type PgBoss, startJobQueue } from '@vss/platform';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { ensureProcedureQueue } from '../src/procedure.queue';
import { ProcedureReadsRepository } from '../src/procedure-reads.repository';
import { ProceduresRepository } from '../src/procedures.repository';

/**
 * Civil events and their procedures for medium tests, made the way the gateway makes them
 * (ProceduresRepository.accept): the event, the procedure, its steps and its first job.
 */

/** A test file's database with the procedure queue and the procedures' repositories on it. */
export interface ProceduresWorld {
  pool: Pool;
  jobs: PgBoss;
  procedures: ProceduresRepository;
  reads: ProcedureReadsRepository;
  close(): Promise<void>;
}

export async function startProcedures(label: string): Promise<ProceduresWorld> {
  const db: TestDatabase = await createTestDatabase(label);
  const pool = new Pool({ connectionString: db.url, max: 4 });
  const jobs = await startJobQueue({
    url: db.url,
    expireInSeconds: 30,
    maintenanceIntervalSeconds: 60,
    poolSize: 1,
  });
  await ensureProcedureQueue(jobs);
  const reads = new ProcedureReadsRepository(pool, pool);
  return {
    pool,
    jobs,
    reads,
    procedures: new ProceduresRepository(pool, jobs, reads),
    async close() {
      await jobs.stop({ graceful: false, wait: true }).catch(() => undefined);
      await pool.end();
      await db.drop();
    },
  };
}

/**
 * An event as ProceduresRepository.accept takes it. The facts are stored with the event for the
 * steps to read; these tests run no steps, so a death carries its date only (it makes the
 * fingerprint: another date under the same event ID is another event).
 */
export function newEvent(
  options: {
    kind?: 'BIRTH' | 'DEATH';
    eventId?: string;
    dateOfDeath?: string;
    subjectCitizenId?: string;
  } = {},
) {
  const kind = options.kind ?? 'DEATH';
  const eventId = options.eventId ?? randomUUID();
  const dateOfDeath = options.dateOfDeath ?? '2025-05-10';
  const header = {
    officeCode: 'HN-BADINH',
    eventId,
    registrationNumber: '12/2025',
    registrationDate: '2025-05-12',
  };
  const facts = kind === 'BIRTH' ? { birth: {} } : { death: { dateOfDeath } };
  return {
    payload: { kind, header, ...facts } as unknown as CivilEventPayload,
    subjectCitizenId: options.subjectCitizenId ?? '001045000001',
    fingerprint: `${eventId}:${kind}:${dateOfDeath}`,
    acceptedOn: '2025-05-12',
  };
}

/** A procedure newly accepted; answers its ID. */
export async function newProcedure(
  procedures: ProceduresRepository,
  options: { kind?: 'BIRTH' | 'DEATH'; subjectCitizenId?: string } = {},
): Promise<string> {
  const outcome = await procedures.accept(newEvent(options), 30, async () => undefined);
  return outcome.procedureId;
}
