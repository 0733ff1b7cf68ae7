import type { ListAccessHistoryResponse } from '@vss/contracts';
import { makeCitizenId } from '@vss/domain';
import { serviceClient, unary } from '@vss/registry-client';
import * as grpc from '@grpc/grpc-js';
import { birthRequest, insertCitizens, type Stack, startStack } from '../civil-events/support';
import { testCredentials } from '../support/tls';

/**
 * "Who looked me up": every kind of access to one person's data — the civil event filed, the
 * procedure read, the worker's card, the clinic's lookup — in one history, and reading that
 * history is an access too.
 */

let stack: Stack;
let coverage: grpc.Client;
const MOTHER = makeCitizenId({ provinceCode: '001', gender: 'FEMALE', birthYear: 1994, serial: 301 });
const BABY = {
  citizenId: makeCitizenId({ provinceCode: '001', gender: 'MALE', birthYear: 2024, serial: 302 }),
  fullName: 'Lê Minh Khang',
  dateOfBirth: '2024-04-02',
  gender: 'M' as const,
};

beforeAll(async () => {
  stack = await startStack('history');
  await insertCitizens(stack.pool, [
    { citizenId: MOTHER, fullName: 'Lê Thị Hạnh', dateOfBirth: '1994-05-01', gender: 'F' },
  ]);
  const Coverage = serviceClient(['vss/gateway/v1/coverage.proto'], 'vss.gateway.v1.CoverageService');
  coverage = new Coverage(stack.gateway.grpcAddress, testCredentials());
});

afterAll(async () => {
  coverage?.close();
  await stack?.stop();
});

const metadata = (key: string) => {
  const m = new grpc.Metadata();
  m.set('x-api-key', key);
  return m;
};

const history = (citizenId: string, key = stack.keys.admin) =>
  unary<object, ListAccessHistoryResponse>(
    coverage,
    'listAccessHistory',
    { citizenId, pageSize: 100 },
    { deadlineMs: 10_000, metadata: metadata(key) },
  );

it('shows the event, the procedure read, the worker card, the lookup, and its own reading', async () => {
  const accepted = await stack.submitBirth(birthRequest(BABY, { motherCitizenId: MOTHER }));
  const done = await stack.settled(accepted.procedureId);
  expect(done.state).toBe('PROCEDURE_STATE_COMPLETED');
  const answer = await unary<object, { status: string }>(
    coverage,
    'lookupCoverage',
    { citizenId: BABY.citizenId, facilityCode: '01001' },
    { deadlineMs: 10_000, metadata: metadata(stack.keys.clinic) },
  );
  expect(answer.status).toBe('COVERAGE_STATUS_COVERED');

  const first = await history(BABY.citizenId);
  const actions = new Set(first.accesses.map((a) => a.action));
  expect(actions).toEqual(
    new Set([
      'civil-event.birth.submit',
      'civil-event.procedure.read',
      'insurance.card.issue',
      'coverage.lookup',
    ]),
  );
  const submit = first.accesses.find((a) => a.action === 'civil-event.birth.submit')!;
  expect(submit).toMatchObject({
    callerRole: 'civil-registry',
    outcome: 'ACCEPTED',
    officeCode: 'UBND-001-00001',
  });
  expect(submit.receipt?.seq).toMatch(/^[1-9][0-9]*$/);
  const card = first.accesses.find((a) => a.action === 'insurance.card.issue')!;
  expect(card).toMatchObject({ callerRole: 'system', purpose: 'linked-procedure' });
  expect(first.accesses[0]).toMatchObject({
    action: 'coverage.lookup',
    callerRole: 'clinic',
    facilityCode: '01001',
  });

  const second = await history(BABY.citizenId);
  expect(second.accesses[0]).toMatchObject({
    action: 'audit.history.read',
    callerRole: 'admin',
    purpose: 'oversight',
  });
  // Newest first by when each access happened, each an entry of its own in the chain. The chain's
  // order is the order of appending: a worker's entry, staged in its step's transaction, is
  // chained by the next append, so it may follow an access that happened after it.
  const times = second.accesses.map((a) => a.accessedAt);
  expect([...times].sort().reverse()).toEqual(times);
  const seqs = second.accesses.map((a) => a.receipt!.seq);
  expect(new Set(seqs).size).toBe(seqs.length);
});

it('is for administrators only', async () => {
  const refused = await history(BABY.citizenId, stack.keys.office).then(
    () => 'answered',
    (e: grpc.ServiceError) => grpc.status[e.code],
  );
  expect(refused).toBe('PERMISSION_DENIED');
});
