import { readFileSync } from 'node:fs';
import { CertificateAuthority } from '@vss/pki';
import { pkiFile, systemCertificate, testCredentials, tlsConfig } from '../../../test/support/tls';
import * as grpc from '@grpc/grpc-js';
import { Pool } from 'pg';
import { registry } from '@vss/contracts';
import { loadConfig, registryConfigSchema } from '@vss/platform';
import { citizenSummaryOf, RegistryClient, serviceClient, unary } from '@vss/registry-client';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { freePort } from '../../../test/support/ports';
import { waitFor } from '../../../test/support/polling';
import { RegistryPeersRepository } from '../src/peers/registry-peers.repository';
import { startRegistry, type RunningRegistry } from '../src/registry.app';

let db: TestDatabase;
let server: RunningRegistry;
let client: RegistryClient;

// Citizen IDs consistent with province, century/gender digit and birth year.
const AN = '001090012345'; // Hà Nội, male, 1990
const BICH = '079185000321'; // Hồ Chí Minh, female, 1985
const DECEASED = '031050004567'; // Hải Phòng, male, 1950

beforeAll(async () => {
  db = await createTestDatabase('registry');
  const pool = new Pool({ connectionString: db.url });
  await pool.query(`
    INSERT INTO npd.citizens (citizen_id, legacy_id, full_name, date_of_birth, gender, birth_province_code,
      residence_address, residence_province_code, residence_status, vital_status, date_of_death) VALUES
    ('${AN}', '012345678', 'Nguyễn Văn An', '1990-03-14', 'M', '001', 'Số 1 Tràng Tiền, Hoàn Kiếm', '001', 'REGISTERED', 'ALIVE', NULL),
    ('${BICH}', NULL, 'Trần Thị Bích Ngọc', '1985-11-02', 'F', '079', 'Số 5 Lê Lợi, Quận 1', '079', 'REGISTERED', 'ALIVE', NULL),
    ('${DECEASED}', NULL, 'Phạm Văn Đức', '1950-01-20', 'M', '031', 'Lê Chân', '031', 'REGISTERED', 'DECEASED', '2024-06-10')`);
  await pool.end();
  const port = await freePort();
  server = await startRegistry({
    ...loadConfig(registryConfigSchema, {}),
    DATABASE_URL: db.url,
    REGISTRY_GRPC_PORT: port,
    ...tlsConfig('population-registry'),
    LOG_LEVEL: 'silent',
  });
  // The worker holds every right (it reads, files and exports); the gateway only reads and searches.
  client = clientAs(systemCertificate('worker'));
});

function clientAs(certificate: { cert: string; key: string }): RegistryClient {
  return new RegistryClient({
    address: server.address,
    credentials: testCredentials(certificate),
    deadlineMs: 5000,
    attempts: 1,
  });
}

afterAll(async () => {
  client?.close();
  await server?.close();
  await db?.drop();
});

/** A second certificate named VSS/gateway, from the CA itself: the name alone must serve nothing. */
async function mintGatewayCertificate() {
  const authority = await CertificateAuthority.load(
    readFileSync(pkiFile('ca.crt'), 'utf8'),
    readFileSync(pkiFile('ca.key'), 'utf8'),
  );
  return authority.issue({
    subject: { member: 'VSS', subsystem: 'gateway' },
    purpose: 'client',
    validityDays: 1,
  });
}

async function expectStatus(promise: Promise<unknown>, code: grpc.status, text: RegExp) {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as grpc.ServiceError | undefined;
  expect(error).toBeDefined();
  expect(grpc.status[error!.code]).toBe(grpc.status[code]);
  expect(error!.details).toMatch(text);
}

describe('reads', () => {
  it('returns a citizen by citizen ID with dates exactly as stored', async () => {
    const citizen = await client.getCitizen(AN);
    expect(citizen).toMatchObject({
      citizenId: AN,
      legacyId: '012345678',
      fullName: 'Nguyễn Văn An',
      dateOfBirth: '1990-03-14',
      gender: registry.Gender.GENDER_MALE,
      birthProvinceCode: '001',
      vitalStatus: registry.VitalStatus.VITAL_STATUS_ALIVE,
      permanentResidence: {
        provinceCode: '001',
        status: registry.ResidenceStatus.RESIDENCE_STATUS_REGISTERED,
      },
    });
  });

  it('answers NOT_FOUND for a well-formed ID nobody holds', async () => {
    await expect(client.getCitizen('001090099999')).resolves.toBeUndefined();
    const raw = client['call']('getCitizen', { citizenId: '001090099999' });
    await expectStatus(raw, grpc.status.NOT_FOUND, /no citizen with citizen_id 001090099999/);
  });

  it.each([
    ['00109001234', /must be 12 digits/i],
    ['00109001234A', /digit/i],
    ['999090012345', /province/i],
    ['', /citizen_id/],
  ])('refuses the malformed citizen ID %p with INVALID_ARGUMENT naming the field', async (id, why) => {
    await expectStatus(client['call']('getCitizen', { citizenId: id }), grpc.status.INVALID_ARGUMENT, why);
    await expectStatus(
      client['call']('getCitizen', { citizenId: id }),
      grpc.status.INVALID_ARGUMENT,
      /citizen_id/,
    );
  });

  it('answers a batch in input order and marks the unknown IDs', async () => {
    const results = await client.batchGetCitizens([BICH, '001090099999', AN, BICH]);
    expect(results.map((r) => [r.citizenId, r.found])).toEqual([
      [BICH, true],
      ['001090099999', false],
      [AN, true],
      [BICH, true],
    ]);
    expect(results[2].citizen?.fullName).toBe('Nguyễn Văn An');
  });

  it('refuses a batch over 1,000 IDs and names the bad entry of a batch', async () => {
    const tooMany = Array.from({ length: 1001 }, () => AN);
    await expectStatus(
      client['call']('batchGetCitizens', { citizenIds: tooMany }),
      grpc.status.INVALID_ARGUMENT,
      /1001 IDs; at most 1000/,
    );
    await expectStatus(
      client['call']('batchGetCitizens', { citizenIds: [AN, '12'] }),
      grpc.status.INVALID_ARGUMENT,
      /citizen_ids\[1\]/,
    );
  });

  it('resolves a legacy CMND to the citizen ID', async () => {
    const resolved = await client.resolveLegacyId('012345678');
    expect(resolved?.citizenId).toBe(AN);
    await expect(client.resolveLegacyId('999999999')).resolves.toBeUndefined();
    await expectStatus(
      client['call']('resolveLegacyId', { legacyId: '12345' }),
      grpc.status.INVALID_ARGUMENT,
      /legacy_id/,
    );
  });

  it('exports in citizen-ID order, resumes from a cursor and filters by province', async () => {
    const all: string[] = [];
    for await (const page of client.exportCitizens({ pageSize: 1 }))
      all.push(...page.citizens.map((c) => c.citizenId));
    expect(all).toEqual([AN, DECEASED, BICH]);
    const resumed: string[] = [];
    for await (const page of client.exportCitizens({ afterCitizenId: AN })) {
      resumed.push(...page.citizens.map((c) => c.citizenId));
    }
    expect(resumed).toEqual([DECEASED, BICH]);
    const hcm: string[] = [];
    for await (const page of client.exportCitizens({ provinceCode: '079' }))
      hcm.push(...page.citizens.map((c) => c.citizenId));
    expect(hcm).toEqual([BICH]);
  });

  it('exports the same citizens decoded for matching (exportSummaries), without their addresses', async () => {
    const full: registry.Citizen[] = [];
    for await (const page of client.exportCitizens({ pageSize: 2 })) full.push(...page.citizens);
    const summaries = [];
    for await (const page of client.exportSummaries({ pageSize: 2 })) summaries.push(...page);
    expect(summaries).toEqual(full.map(citizenSummaryOf));
    expect(summaries.find((c) => c.citizenId === DECEASED)).toMatchObject({
      vitalStatus: registry.VitalStatus.VITAL_STATUS_DECEASED,
      dateOfDeath: '2024-06-10',
    });
  });
});

describe('search by name and birth date', () => {
  const search = (over: Partial<registry.SearchCitizensRequest>) =>
    client.searchCitizens({
      nameKey: 'nguyen van an',
      birthDate: '1990-03-14',
      provinceCode: '',
      limitPerRule: 0,
      ...over,
    });
  const ids = (citizens: registry.Citizen[]) => citizens.map((c) => c.citizenId);

  it('finds by the whole name and birth year anywhere, and by the birth date with the same given name', async () => {
    expect(ids(await search({ birthDate: '1990' }))).toEqual([AN]);
    expect(ids(await search({ nameKey: 'tran van an', birthDate: '1990-03-14' }))).toEqual([AN]);
    expect(ids(await search({ nameKey: 'tran van an', birthDate: '1990-03' }))).toEqual([AN]);
    expect(ids(await search({ nameKey: 'tran van binh', birthDate: '1990-03-14' }))).toEqual([]);
  });

  it('finds by surname and birth year in the province of birth or residence only', async () => {
    expect(ids(await search({ nameKey: 'nguyen thi lan', birthDate: '1990', provinceCode: '001' }))).toEqual([
      AN,
    ]);
    expect(ids(await search({ nameKey: 'nguyen thi lan', birthDate: '1990', provinceCode: '079' }))).toEqual(
      [],
    );
  });

  it('matches the name key of names with diacritics, đ and hyphens as the gateway computes it', async () => {
    expect(ids(await search({ nameKey: 'tran thi bich ngoc', birthDate: '1985' }))).toEqual([BICH]);
    expect(ids(await search({ nameKey: 'pham van duc', birthDate: '1950-01-20' }))).toEqual([DECEASED]);
  });

  it('reads a name key literally: pattern characters match nothing and fail nothing', async () => {
    for (const nameKey of ['%', '_n', 'nguyen van %', '\\', 'nguyen \\']) {
      expect(ids(await search({ nameKey, birthDate: '1990-03-14' }))).toEqual([]);
    }
  });

  it.each([
    [{ nameKey: '' }, /name_key/],
    [{ nameKey: 'nguyen  van' }, /name_key/],
    [{ birthDate: '1990-13' }, /birth_date/],
    [{ birthDate: '1990-02-30' }, /birth_date/],
    [{ birthDate: '14/03/1990' }, /birth_date/],
    [{ provinceCode: '999' }, /province_code/],
    [{ limitPerRule: 1001 }, /limit_per_rule/],
  ])('refuses %j with INVALID_ARGUMENT naming the field', async (bad, field) => {
    await expectStatus(search(bad), grpc.status.INVALID_ARGUMENT, field);
  });
});

describe('idempotent changes', () => {
  const NEWBORN = '001325000777'; // Hà Nội, female, 2025

  it('registers a birth once; a repeat of the request returns the first answer', async () => {
    const req = {
      requestId: 'birth-1',
      citizenId: NEWBORN,
      fullName: 'Lê Thị Mai',
      dateOfBirth: '2025-05-01',
      gender: registry.Gender.GENDER_FEMALE,
    };
    const first = await client.registerBirth(req);
    const again = await client.registerBirth(req);
    expect(first.replayed).toBe(false);
    expect(again.replayed).toBe(true);
    expect(again.citizen).toEqual(first.citizen);
    await expectStatus(
      client.registerBirth({ ...req, fullName: 'Lê Thị Lan' }),
      grpc.status.ALREADY_EXISTS,
      /request_id birth-1 was already used/,
    );
    await expectStatus(
      client.registerBirth({ ...req, requestId: 'birth-2' }),
      grpc.status.ALREADY_EXISTS,
      /already registered/,
    );
  });

  it('refuses a birth whose ID century digit disagrees with the date of birth', async () => {
    await expectStatus(
      client.registerBirth({
        requestId: 'birth-3',
        citizenId: '001125000778', // century digit 1 = 20th century female, but born 2025
        fullName: 'Lê Thị Hoa',
        dateOfBirth: '2025-05-01',
        gender: registry.Gender.GENDER_FEMALE,
      }),
      grpc.status.INVALID_ARGUMENT,
      /citizen_id/,
    );
  });

  it('registers and cancels a permanent residence, each once', async () => {
    const reg = { requestId: 'res-1', citizenId: NEWBORN, address: 'Số 9 Hàng Bài', provinceCode: '001' };
    const registered = await client.registerPermanentResidence(reg);
    expect(registered.citizen?.permanentResidence?.status).toBe(
      registry.ResidenceStatus.RESIDENCE_STATUS_REGISTERED,
    );
    expect((await client.registerPermanentResidence(reg)).replayed).toBe(true);
    const cancel = { requestId: 'cancel-1', citizenId: NEWBORN, reason: 'test' };
    const cancelled = await client.cancelPermanentResidence(cancel);
    expect(cancelled.citizen?.permanentResidence?.status).toBe(
      registry.ResidenceStatus.RESIDENCE_STATUS_CANCELLED,
    );
    expect((await client.cancelPermanentResidence(cancel)).replayed).toBe(true);
    await expectStatus(
      client.cancelPermanentResidence({ ...cancel, requestId: 'cancel-2' }),
      grpc.status.FAILED_PRECONDITION,
      /no registered permanent residence/,
    );
  });

  it('records a death once and refuses a second death of the same person', async () => {
    const first = await client.recordDeath({
      requestId: 'death-1',
      citizenId: BICH,
      dateOfDeath: '2024-08-03',
    });
    expect(first.citizen?.vitalStatus).toBe(registry.VitalStatus.VITAL_STATUS_DECEASED);
    expect(
      (await client.recordDeath({ requestId: 'death-1', citizenId: BICH, dateOfDeath: '2024-08-03' }))
        .replayed,
    ).toBe(true);
    await expectStatus(
      client.recordDeath({ requestId: 'death-2', citizenId: BICH, dateOfDeath: '2024-08-03' }),
      grpc.status.FAILED_PRECONDITION,
      /already recorded as deceased on 2024-08-03/,
    );
    await expectStatus(
      client.recordDeath({ requestId: 'death-3', citizenId: AN, dateOfDeath: '2999-01-01' }),
      grpc.status.INVALID_ARGUMENT,
      /date_of_death.*future/,
    );
  });
});

describe('serving', () => {
  it('serves the gateway its reads and searches, and refuses it what it files or exports', async () => {
    const gateway = clientAs(systemCertificate('gateway'));
    try {
      expect((await gateway.getCitizen(AN))?.citizenId).toBe(AN);
      await expectStatus(
        gateway.recordDeath({ requestId: 'gw-death', citizenId: AN, dateOfDeath: '2024-01-01' }),
        grpc.status.PERMISSION_DENIED,
        /VSS gateway \(VSS\/gateway\) may not call recordDeath: it needs the right "file"; this peer holds read, search/,
      );
      const pages = gateway.exportCitizens({ pageSize: 10 });
      await expectStatus(
        pages.next(),
        grpc.status.PERMISSION_DENIED,
        /may not call exportCitizens: it needs the right "export"/,
      );
      const owner = new Pool({ connectionString: db.url, max: 1 });
      const deaths = await owner.query(
        `SELECT count(*)::int AS n FROM npd.requests WHERE request_id = 'gw-death'`,
      );
      await owner.end();
      expect(deaths.rows[0].n).toBe(0);
    } finally {
      gateway.close();
    }
  });

  it("refuses a certificate of our CA that was never registered: the operator CLI's, a second VSS/gateway", async () => {
    const operator = clientAs(systemCertificate('cli'));
    await expectStatus(
      operator['call']('getCitizen', { citizenId: AN }),
      grpc.status.UNAUTHENTICATED,
      /the certificate VSS\/operator-cli \(SHA-256 [0-9A-F:]+…\) is not a registered peer of the registry/,
    );
    operator.close();
    const minted = await mintGatewayCertificate();
    const impostor = clientAs({ cert: minted.certificatePem, key: minted.privateKeyPem });
    await expectStatus(
      impostor.getCitizen(AN),
      grpc.status.UNAUTHENTICATED,
      /VSS\/gateway .* is not a registered peer/,
    );
    impostor.close();
  });

  it('refuses a revoked peer at its next call on the connection it has open', async () => {
    const issued = await mintGatewayCertificate();
    const owner = new Pool({ connectionString: db.urlFor('owner'), max: 1 });
    const peers = new RegistryPeersRepository(owner);
    const peer = await peers.register(issued.certificatePem, 'second gateway', ['read']);
    const second = clientAs({ cert: issued.certificatePem, key: issued.privateKeyPem });
    try {
      await waitFor('the registry hears of it', () => second.getCitizen(AN).catch(() => undefined), {
        until: (c) => c?.citizenId === AN,
      });
      expect(await peers.revoke(peer.fingerprint256)).toBe(true);
      const refused = await waitFor(
        'the revocation heard',
        () =>
          second.getCitizen(AN).then(
            () => undefined,
            (e: grpc.ServiceError) => e,
          ),
        { until: (e) => e !== undefined },
      );
      expect(grpc.status[refused!.code]).toBe('UNAUTHENTICATED');
      expect(refused!.details).toMatch(/was revoked as a peer of the registry/);
      // The registry's own login cannot undo it.
      const registryLogin = new Pool({ connectionString: db.urlFor('registry'), max: 1 });
      await expect(
        registryLogin.query(`UPDATE npd.registry_peers SET revoked_at = NULL`),
      ).rejects.toMatchObject({ code: '42501' });
      await registryLogin.end();
    } finally {
      second.close();
      await owner.end();
    }
  });

  it('fails the handshake of a client with no certificate, one from another CA, or plaintext, and goes on serving', async () => {
    const foreign = await CertificateAuthority.create('someone else');
    const impostor = await foreign.issue({
      subject: { member: 'VSS', subsystem: 'gateway' },
      purpose: 'client',
      validityDays: 1,
    });
    const ca = readFileSync(pkiFile('ca.crt'));
    for (const credentials of [
      grpc.credentials.createSsl(ca),
      grpc.credentials.createSsl(
        ca,
        Buffer.from(impostor.privateKeyPem),
        Buffer.from(impostor.certificatePem),
      ),
      grpc.credentials.createInsecure(),
    ]) {
      const refused = new RegistryClient({
        address: server.address,
        credentials,
        deadlineMs: 2000,
        attempts: 1,
      });
      await expectStatus(refused['call']('getCitizen', { citizenId: AN }), grpc.status.UNAVAILABLE, /./);
      refused.close();
    }
    expect((await client.getCitizen(AN))?.citizenId).toBe(AN);
  });

  it('reports SERVING on grpc.health.v1', async () => {
    const Health = serviceClient(['npd/registry/v1/registry.proto'], 'npd.registry.v1.PopulationRegistry');
    expect(Health).toBeDefined();
    const { protoPath } = await import('grpc-health-check');
    const protoLoader = await import('@grpc/proto-loader');
    const def = protoLoader.loadSync(protoPath, { keepCase: true, enums: String, defaults: true });
    const HealthClient = (grpc.loadPackageDefinition(def) as any).grpc.health.v1.Health; // eslint-disable-line @typescript-eslint/no-explicit-any
    const health = new HealthClient(server.address, testCredentials(systemCertificate('gateway')));
    const res = await unary<{ service: string }, { status: string }>(
      health,
      'Check',
      { service: 'npd.registry.v1.PopulationRegistry' },
      { deadlineMs: 2000 },
    );
    expect(res.status).toBe('SERVING');
    health.close();
  });

  it('injects faults when configured: refuse-all answers UNAVAILABLE, then recovers', async () => {
    server.faults.update({ refuseAll: true });
    await expectStatus(
      client['call']('getCitizen', { citizenId: AN }),
      grpc.status.UNAVAILABLE,
      /refusing all calls/,
    );
    server.faults.update({ refuseAll: false });
    await expect(client.getCitizen(AN)).resolves.toBeDefined();
  });
});
