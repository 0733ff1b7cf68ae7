import { readFileSync } from 'node:fs';
import { Pool } from 'pg';
import { CertificateRegistry } from '@vss/api-keys';
import { CertificateAuthority, PKI_FILES } from '@vss/pki';
import { https, pkiFile, systemCertificate, testCredentials, tlsConfig } from '../support/tls';
import { operatorCertificate } from '../support/operator-certificate';
import { waitFor } from '../support/polling';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProto } from 'grpc-health-check';
import { gatewayConfigSchema, loadConfig, registryConfigSchema } from '@vss/platform';
import { serviceClient, unary } from '@vss/registry-client';
import { startRegistry, type RunningRegistry } from '../../apps/population-registry/src/registry.app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { freePort } from '../support/ports';
import { startGateway, type RunningGateway } from '../../apps/gateway/src/gateway.app';

let db: TestDatabase;
let registry: RunningRegistry;
let gateway: RunningGateway;
let pool: Pool;

/** A clinic's client certificate of the test CA, registered as `certs issue --facility` does. */
async function clinicCertificate(): Promise<{ cert: string; key: string }> {
  const authority = await CertificateAuthority.load(
    readFileSync(pkiFile(PKI_FILES.caCertificate), 'utf8'),
    readFileSync(pkiFile(PKI_FILES.caKey), 'utf8'),
  );
  const issued = await authority.issue({
    subject: { member: 'BV-01001', subsystem: 'his' },
    purpose: 'client',
    validityDays: 30,
  });
  await new CertificateRegistry(pool).register({
    fingerprint256: issued.fingerprint256,
    serialNumber: issued.serialNumber,
    subject: issued.subject,
    member: 'BV-01001',
    subsystem: 'his',
    role: 'clinic',
    facilityCode: '01001',
    label: 'a clinic',
    notAfter: issued.notAfter,
  });
  return { cert: issued.certificatePem, key: issued.privateKeyPem };
}

beforeAll(async () => {
  db = await createTestDatabase('serving');
  pool = new Pool({ connectionString: db.url, max: 2 });
  registry = await startRegistry({
    ...loadConfig(registryConfigSchema, {}),
    DATABASE_URL: db.urlFor('registry'),
    REGISTRY_GRPC_PORT: await freePort(),
    ...tlsConfig('population-registry'),
    LOG_LEVEL: 'silent',
  });
  gateway = await startGateway({
    ...loadConfig(gatewayConfigSchema, {}),
    DATABASE_URL: db.urlFor('gateway'),
    GATEWAY_GRPC_PORT: await freePort(),
    GATEWAY_HTTP_PORT: await freePort(),
    OPERATOR_HTTP_PORT: await freePort(),
    ...tlsConfig('gateway'),
    REGISTRY_ADDRESS: registry.address,
    LOG_LEVEL: 'silent',
  });
});

afterAll(async () => {
  await pool?.end();
  await gateway?.close();
  await registry?.close();
  await db?.drop();
});

type Ctor = grpc.ServiceClientConstructor;

function healthClient(address: string) {
  const definition = protoLoader.loadSync(healthProto, { keepCase: true, enums: String, defaults: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    grpc: { health: { v1: { Health: Ctor } } };
  };
  return new pkg.grpc.health.v1.Health(address, testCredentials());
}

interface ReflectionReply {
  list_services_response?: { service: { name: string }[] };
}

function listServices(address: string, credentials = testCredentials()): Promise<string[]> {
  const file = require.resolve('@grpc/reflection/build/proto/grpc/reflection/v1alpha/reflection.proto');
  const definition = protoLoader.loadSync(file, { keepCase: true, defaults: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    grpc: { reflection: { v1alpha: { ServerReflection: Ctor } } };
  };
  const client = new pkg.grpc.reflection.v1alpha.ServerReflection(address, credentials);
  const open = (
    client as unknown as { ServerReflectionInfo: () => grpc.ClientDuplexStream<object, ReflectionReply> }
  ).ServerReflectionInfo;
  const stream = open.call(client);
  return new Promise<string[]>((resolve, reject) => {
    stream.on('data', (msg: ReflectionReply) => {
      resolve((msg.list_services_response?.service ?? []).map((s) => s.name));
      stream.end();
      client.close();
    });
    stream.on('error', reject);
    stream.write({ list_services: '' });
  });
}

describe('the gateway serves', () => {
  it('answers /healthz and /readyz without a key', async () => {
    await https(gateway.httpAddress).get('/healthz').expect(200, { status: 'ok' });
    await https(gateway.httpAddress).get('/readyz').expect(200, { status: 'ready' });
  });

  it("serves Prometheus metrics on the operator port only, to operators' registered certificates", async () => {
    await https(gateway.httpAddress).get('/metrics').expect(404);
    const operator = await operatorCertificate(pool);
    const res = await https(gateway.operatorAddress, operator).get('/metrics').expect(200);
    expect(res.text).toContain('process_cpu_user_seconds_total');
    // A certificate of the same CA that is not an operator's: a system's never registered, a
    // clinic's registered for lookups.
    const unregistered = await https(gateway.operatorAddress, systemCertificate('cli'))
      .get('/metrics')
      .expect(403);
    expect(unregistered.text).toMatch(
      /operators' registered certificates only: .*not registered with this gateway/,
    );
    const clinic = await https(gateway.operatorAddress, await clinicCertificate())
      .get('/metrics')
      .expect(403);
    expect(clinic.text).toMatch(/registered for a clinic caller, not to an operator/);
    expect(clinic.text).not.toContain('process_cpu');
    // Revoked: refused at the next request.
    await new CertificateRegistry(pool).revoke(operator.serialNumber);
    const revoked = await waitFor('the revoked certificate refused', async () => {
      const r = await https(gateway.operatorAddress, operator).get('/metrics');
      return r.status === 403 ? r : undefined;
    });
    expect(revoked.text).toMatch(/has been revoked/);
    const refused = await https(gateway.operatorAddress)
      .get('/metrics')
      .then(
        () => 'answered',
        (e: { code?: string }) => e.code ?? 'refused',
      );
    expect(refused).not.toBe('answered');
  });

  it('reports the server and its services SERVING on grpc.health.v1', async () => {
    const client = healthClient(gateway.grpcAddress);
    for (const service of ['', 'vss.gateway.v1.CoverageService', 'vss.gateway.v1.ReconciliationService']) {
      const res = await unary<{ service: string }, { status: string }>(
        client,
        'Check',
        { service },
        { deadlineMs: 2000 },
      );
      expect(res.status).toBe('SERVING');
    }
    client.close();
  });

  it('offers server reflection so that grpcurl and Postman can list the services', async () => {
    expect(await listServices(gateway.grpcAddress)).toEqual(
      expect.arrayContaining(['vss.gateway.v1.CoverageService', 'vss.gateway.v1.CivilEventService']),
    );
    expect(await listServices(registry.address, testCredentials(systemCertificate('gateway')))).toEqual(
      expect.arrayContaining(['npd.registry.v1.PopulationRegistry']),
    );
  });

  it('offers no reflection where it is turned off (the default when deployed)', async () => {
    const quiet = await startRegistry({
      ...loadConfig(registryConfigSchema, { GRPC_REFLECTION: 'false' }),
      DATABASE_URL: db.urlFor('registry'),
      REGISTRY_GRPC_PORT: await freePort(),
      ...tlsConfig('population-registry'),
      LOG_LEVEL: 'silent',
    });
    try {
      const refused = (await listServices(quiet.address, testCredentials(systemCertificate('gateway'))).catch(
        (e: unknown) => e,
      )) as grpc.ServiceError;
      expect(grpc.status[refused.code]).toBe('UNIMPLEMENTED');
    } finally {
      await quiet.close();
    }
  });

  it('refuses a call without an API key with UNAUTHENTICATED, not UNKNOWN', async () => {
    const Coverage = serviceClient(['vss/gateway/v1/coverage.proto'], 'vss.gateway.v1.CoverageService');
    const client = new Coverage(gateway.grpcAddress, testCredentials());
    const error = (await unary(
      client,
      'lookupCoverage',
      { citizenId: '001085167670', facilityCode: '01001' },
      { deadlineMs: 3000 },
    ).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(grpc.status[error.code]).toBe('UNAUTHENTICATED');
    expect(error.details).toMatch(/x-api-key/);
    client.close();
  });
});
