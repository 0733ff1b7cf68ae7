import { type ListProceduresResponse, type Procedure, ProcedureKind, ProcedureState } from '@vss/contracts';
import { makeCitizenId } from '@vss/domain';
import { birthRequest, deathRequest, failure, insertCitizens, type Stack, startStack } from './support';

/** The administrators' side of CivilEventService: listing procedures, retrying and resolving them. */
let stack: Stack;

const MOTHER = makeCitizenId({ provinceCode: '001', gender: 'FEMALE', birthYear: 1992, serial: 7 });
const DECEASED = makeCitizenId({ provinceCode: '001', gender: 'MALE', birthYear: 1950, serial: 8 });
const CLAIMANT = { citizenId: MOTHER, fullName: 'Trần Thị Hoa' };
const baby = (serial: number) => ({
  citizenId: makeCitizenId({ provinceCode: '001', gender: 'FEMALE', birthYear: 2024, serial }),
  fullName: 'Nguyễn Thị Ngọc Anh',
  dateOfBirth: '2024-02-29',
  gender: 'F' as const,
});

beforeAll(async () => {
  // No worker at first: the listed procedures stay ACCEPTED.
  stack = await startStack('civiladmin', { worker: false });
  await insertCitizens(stack.pool, [
    { citizenId: MOTHER, fullName: 'Trần Thị Hoa', dateOfBirth: '1992-01-01', gender: 'F' },
    { citizenId: DECEASED, fullName: 'Nguyễn Văn Tâm', dateOfBirth: '1950-01-01', gender: 'M' },
  ]);
});

afterAll(() => stack?.stop());

describe('ListProcedures', () => {
  const list = (request: object, key = stack.keys.admin) =>
    stack.call<ListProceduresResponse>('listProcedures', request, key);

  beforeAll(async () => {
    for (let i = 10; i < 16; i += 1) await stack.submitBirth(birthRequest(baby(i)));
    await stack.submitDeath(deathRequest(DECEASED, '2024-08-01', CLAIMANT));
  });

  it('pages through the procedures newest first with a token', async () => {
    const first = await list({ kind: ProcedureKind.PROCEDURE_KIND_BIRTH, pageSize: 4 });
    expect(first.procedures).toHaveLength(4);
    const second = await list({
      kind: ProcedureKind.PROCEDURE_KIND_BIRTH,
      pageSize: 4,
      pageToken: first.nextPageToken,
    });
    const all = [...first.procedures, ...second.procedures];
    expect(second.nextPageToken).toBe('');
    expect(all).toHaveLength(6);
    expect(new Set(all.map((p) => p.procedureId)).size).toBe(6);
    expect(all.every((p) => p.kind === ProcedureKind.PROCEDURE_KIND_BIRTH)).toBe(true);
  });

  it('filters by kind, state, office and acceptance date', async () => {
    const deaths = await list({ kind: ProcedureKind.PROCEDURE_KIND_DEATH });
    expect(deaths.procedures.map((p) => p.subjectCitizenId)).toEqual([DECEASED]);
    expect((await list({ state: ProcedureState.PROCEDURE_STATE_COMPLETED })).procedures).toEqual([]);
    expect((await list({ officeCode: 'UBND-079-00002' })).procedures).toEqual([]);
    expect((await list({ acceptedTo: '2000-01-01' })).procedures).toEqual([]);
    expect((await list({ acceptedFrom: '2000-01-01' })).procedures.length).toBe(7);
  });

  it('refuses bad paging and date input, and callers who are not administrators', async () => {
    expect((await failure(list({ pageSize: 501 }))).details).toMatch(/^page_size/);
    expect((await failure(list({ pageToken: 'garbage' }))).details).toMatch(/^page_token/);
    const token = (await list({ pageSize: 1 })).nextPageToken;
    expect(
      (await failure(list({ pageSize: 1, pageToken: token, kind: ProcedureKind.PROCEDURE_KIND_DEATH })))
        .details,
    ).toMatch(/other filters/);
    expect((await failure(list({ acceptedFrom: '2024-13-01' }))).details).toMatch(/^accepted_from/);
    expect((await failure(list({}, stack.keys.office))).code).toBe('PERMISSION_DENIED');
  });
});

describe('administrators act on procedures in review', () => {
  const UNKNOWN_MOTHER = makeCitizenId({
    provinceCode: '001',
    gender: 'FEMALE',
    birthYear: 1990,
    serial: 77,
  });
  let stuck: Procedure;
  let other: Procedure;

  beforeAll(async () => {
    await stack.startWorker();
    stuck = await stack.settled(
      (await stack.submitBirth(birthRequest(baby(20), { motherCitizenId: UNKNOWN_MOTHER }))).procedureId,
    );
    other = await stack.settled(
      (await stack.submitBirth(birthRequest(baby(21), { motherCitizenId: UNKNOWN_MOTHER }))).procedureId,
    );
  });

  it('retries a procedure from its stopped step once the data are fixed, and it completes', async () => {
    expect(stuck.state).toBe(ProcedureState.PROCEDURE_STATE_NEEDS_REVIEW);
    await insertCitizens(stack.pool, [
      { citizenId: UNKNOWN_MOTHER, fullName: 'Lê Thị Thu', dateOfBirth: '1990-03-03', gender: 'F' },
    ]);
    const retried = await stack.call<{ procedure: Procedure }>(
      'retryProcedure',
      { procedureId: stuck.procedureId },
      stack.keys.admin,
    );
    // The worker may take the job up at once; what matters is that the review is over.
    expect(retried.procedure.state).not.toBe(ProcedureState.PROCEDURE_STATE_NEEDS_REVIEW);
    expect(retried.procedure.reviewReason).toBe('');
    const done = await stack.settled(stuck.procedureId);
    expect(done.state).toBe(ProcedureState.PROCEDURE_STATE_COMPLETED);
    expect(done.steps.find((s) => s.name === 'verify_child')?.attempts).toBe(2);
  });

  it("resolves a procedure with the administrator's note, audited", async () => {
    const resolved = await stack.call<{ procedure: Procedure }>(
      'resolveProcedure',
      { procedureId: other.procedureId, note: 'Duplicate of a paper registration; closed.' },
      stack.keys.admin,
    );
    expect(resolved.procedure).toMatchObject({
      state: ProcedureState.PROCEDURE_STATE_RESOLVED,
      resolutionNote: 'Duplicate of a paper registration; closed.',
    });
    const audit = await stack.pool.query(
      `SELECT outcome FROM vss.audit_events WHERE action = 'civil-event.procedure.resolve' AND detail->>'procedureId' = $1`,
      [other.procedureId],
    );
    expect(audit.rows).toEqual([{ outcome: 'DONE' }]);
  });
});
