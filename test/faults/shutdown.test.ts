import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { ApiKeys } from '@vss/api-keys';
import { makeCitizenId } from '@vss/domain';
import { serviceClient } from '@vss/registry-client';
import { birthRequest, OFFICE, type Stack, startStack } from '../civil-events/support';
import { freePort } from '../support/ports';
import { type AppProcess, startAppProcess } from '../support/processes';
import { testCredentials } from '../support/tls';

/**
 * Open streams do not outlive what they stand on: revoking a key ends its caller's watch
 * streams at once, on a gateway that heard the revocation by NOTIFY, and SIGTERM ends every
 * stream with UNAVAILABLE and stops the gateway process within its drain time (no SIGKILL).
 */
jest.setTimeout(120_000);
const ROOT = join(__dirname, '..', '..');

let stack: Stack;
let procedureId: string;
const processes: AppProcess[] = [];

beforeAll(async () => {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'pipe' });
  stack = await startStack('shutdown', { worker: false });
  const accepted = await stack.submitBirth(
    birthRequest({
      citizenId: makeCitizenId({ provinceCode: '001', gender: 'MALE', birthYear: 2025, serial: 5151 }),
      fullName: 'Trần Văn Bình',
      dateOfBirth: '2025-05-01',
      gender: 'M',
    }),
  );
  procedureId = accepted.procedureId;
});

afterAll(async () => {
  for (const p of processes) await p.kill('SIGKILL');
  await stack?.stop();
});

type Ending = { code: string; details: string; errorCode?: string; at: number };

function watch(client: grpc.Client, apiKey: string) {
  const metadata = new grpc.Metadata();
  metadata.set('x-api-key', apiKey);
  const stream = (
    client as unknown as { watchProcedure(r: object, m: grpc.Metadata): grpc.ClientReadableStream<unknown> }
  ).watchProcedure({ procedureId }, metadata);
  let messages = 0;
  const opened = new Promise<void>((resolve) =>
    stream.on('data', () => {
      messages++;
      if (messages === 1) resolve();
    }),
  );
  const ended = new Promise<Ending>((resolve) => {
    stream.on('error', (e: grpc.ServiceError) =>
      resolve({
        code: grpc.status[e.code],
        details: e.details,
        errorCode: e.metadata?.get('x-error-code')[0] as string | undefined,
        at: performance.now(),
      }),
    );
    stream.on('end', () => resolve({ code: 'OK', details: '', at: performance.now() }));
  });
  return { stream, opened, ended };
}

it("ends a revoked key's open streams within seconds, and no one else's", async () => {
  const issuer = new ApiKeys(stack.pool); // another process's view: the gateway hears it by NOTIFY
  const doomed = await issuer.issue({ role: 'civil-registry', officeCode: OFFICE, label: 'to be revoked' });
  const revokedStream = watch(stack.grpcClient, doomed.apiKey);
  const otherStream = watch(stack.grpcClient, stack.keys.office);
  await Promise.all([revokedStream.opened, otherStream.opened]);
  const revokedAt = performance.now();
  expect(await issuer.revoke(doomed.keyId)).toBe(true);
  const ended = await revokedStream.ended;
  expect(ended).toMatchObject({ code: 'UNAUTHENTICATED', errorCode: 'AUTH_REVOKED_KEY' });
  expect(ended.details).toMatch(/has been revoked; its streams are closed/);
  expect(ended.at - revokedAt).toBeLessThan(5000);
  const stillOpen = await Promise.race([
    otherStream.ended.then(() => false),
    new Promise<boolean>((r) => setTimeout(() => r(true), 500)),
  ]);
  expect(stillOpen).toBe(true);
  otherStream.stream.cancel();
});

it('on SIGTERM ends open streams with UNAVAILABLE and exits within the drain time', async () => {
  const port = await freePort();
  const gateway = startAppProcess('gateway', {
    DATABASE_URL: stack.db.urlFor('gateway'),
    GATEWAY_GRPC_PORT: String(port),
    GATEWAY_HTTP_PORT: String(await freePort()),
    REGISTRY_ADDRESS: stack.registry.address,
    SHUTDOWN_DRAIN_SECONDS: '3',
  });
  processes.push(gateway);
  await gateway.waitFor(/gateway serving/);
  const Events = serviceClient(['vss/gateway/v1/civil_event.proto'], 'vss.gateway.v1.CivilEventService');
  const client = new Events(`127.0.0.1:${port}`, testCredentials());
  try {
    const streams = [watch(client, stack.keys.office), watch(client, stack.keys.admin)];
    await Promise.all(streams.map((s) => s.opened));
    const signalled = performance.now();
    gateway.child.kill('SIGTERM');
    for (const s of streams) {
      const ended = await s.ended;
      expect(ended).toMatchObject({ code: 'UNAVAILABLE', errorCode: 'SHUTTING_DOWN' });
      expect(ended.details).toMatch(/shutting down; open the stream again/);
    }
    const exit = await gateway.exited();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(performance.now() - signalled).toBeLessThan(3000 + 2000);
  } finally {
    client.close();
  }
});
