import { randomUUID } from 'node:crypto';
import type { CivilEventPayload } from '@vss/domain/linked-procedures';
import type { ProceduresRepository } from '../src/procedures.repository';

/**
 * Civil events and their procedures for medium tests, made the way the gateway makes them
 * (ProceduresRepository.accept): the event, the procedure, its steps and its first job.
 */
export async function newProcedure(
  procedures: ProceduresRepository,
  options: { kind?: 'BIRTH' | 'DEATH'; officeCode?: string; subjectCitizenId?: string } = {},
): Promise<string> {
  const kind = options.kind ?? 'DEATH';
  const header = {
    officeCode: options.officeCode ?? 'HN-BADINH',
    eventId: randomUUID(),
    registrationNumber: '123/2025',
    registrationDate: '2025-05-12',
  };
  const subjectCitizenId = options.subjectCitizenId ?? '001045000001';
  // The facts are stored with the event for the steps to read; these tests do not run steps.
  const payload = {
    kind,
    header,
    [kind === 'BIRTH' ? 'birth' : 'death']: {},
  } as unknown as CivilEventPayload;
  const outcome = await procedures.accept(
    { payload, subjectCitizenId, fingerprint: header.eventId, acceptedOn: '2025-05-12' },
    30,
    async () => undefined,
  );
  return outcome.procedureId;
}
