import 'reflect-metadata';
import * as grpc from '@grpc/grpc-js';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Pool } from 'pg';
import { CertificateRegistry } from '@vss/api-keys';
import type { LookupCoverageResponse } from '@vss/contracts';
import { CertificateAuthority, type IssuedCertificate, PKI_FILES } from '@vss/pki';
import { serviceClient } from '@vss/registry-client';
import {
  call,
  type CoverageWorld,
  FACILITY,
  failure,
  PEOPLE,
  startCoverageWorld,
} from '../coverage/coverage.harness';
import { https, pkiFile, testCredentials } from '../support/tls';
import { waitFor } from '../support/polling';

/**
 * Callers known by client certificate (mTLS) beside API keys: a certificate of the gateway's
 * CA, registered by `certs issue`, stands for a role and a facility like a key; every way a
 * certificate can be wrong is refused with UNAUTHENTICATED naming why, over real TLS.
 */

const CLI = join(__dirname, '..', '..', 'dist', 'tools', 'cli.js');
let world: CoverageWorld;
let authority: CertificateAuthority;
let dataDir: string;

beforeAll(async () => {
  world = await startCoverageWorld('certs');
  authority = await CertificateAuthority.load(
    readFileSync(pkiFile(PKI_FILES.caCertificate), 'utf8'),
    readFileSync(pkiFile(PKI_FILES.caKey), 'utf8'),
  );
  dataDir = mkdtempSync(join(tmpdir(), 'vss-certs-cli-'));
});

afterAll(async () => {
  await world?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const pem = (c: IssuedCertificate) => ({ cert: c.certificatePem, key: c.privateKeyPem });

async function register(issued: IssuedCertificate, role: 'clinic' | 'admin' = 'clinic'): Promise<void> {
  await new CertificateRegistry(world.pool).register({
    fingerprint256: issued.fingerprint256,
    serialNumber: issued.serialNumber,
    subject: issued.subject,
    member: 'BV-01001',
    subsystem: 'his',
    role,
    facilityCode: role === 'clinic' ? FACILITY : undefined,
    label: 'Bệnh viện test',
    notAfter: issued.notAfter,
  });
}

function coverageClient(credentials: grpc.ChannelCredentials): grpc.Client {
  const Coverage = serviceClient(['vss/gateway/v1/coverage.proto'], 'vss.gateway.v1.CoverageService');
  return new Coverage(world.gateway.grpcAddress, credentials);
}

const lookup = (client: grpc.Client, apiKey?: string) =>
  call<LookupCoverageResponse>(
    client,
    'lookupCoverage',
    { citizenId: PEOPLE.covered, facilityCode: FACILITY },
    apiKey,
  );

/** The first refusal of a lookup on this connection, waiting at most 5 s for it (a revocation). */
function refusedWithin5s(client: grpc.Client): Promise<grpc.ServiceError> {
  return waitFor(
    'the lookup refused',
    () =>
      lookup(client).then(
        () => undefined,
        (e: grpc.ServiceError) => e,
      ),
    { timeoutMs: 5000 },
  );
}

async function hospital(role: 'clinic' | 'admin' = 'clinic'): Promise<IssuedCertificate> {
  const issued = await authority.issue({
    subject: { member: 'BV-01001', subsystem: 'his' },
    purpose: 'client',
    validityDays: 30,
  });
  await register(issued, role);
  return issued;
}

describe('a registered client certificate', () => {
  it('authenticates a clinic with no API key, and the audit trail names the certificate', async () => {
    const client = coverageClient(testCredentials(pem(await hospital())));
    const answer = await lookup(client);
    expect(answer.status).toBe('COVERAGE_STATUS_COVERED');
    const { rows } = await world.pool.query(
      `SELECT caller, seq::text, encode(hash, 'hex') AS hash FROM vss.audit_events WHERE event_id = $1`,
      [answer.lookupId],
    );
    expect(rows[0].caller).toMatch(/^Bệnh viện test \[BV-01001\/his\] \(cert:[0-9a-f]+\)$/);
    // The receipt is the entry's place and hash in the chain.
    expect(answer.receipt).toEqual({ seq: rows[0].seq, hash: rows[0].hash });
    client.close();
  });

  it('carries its role: a clinic certificate may not call an administrator RPC', async () => {
    const client = coverageClient(testCredentials(pem(await hospital())));
    const refused = await failure(
      call(client, 'listCoverageLookups', { citizenId: PEOPLE.covered }, undefined),
    );
    expect(refused.code).toBe('PERMISSION_DENIED');
    client.close();
  });

  it('works over HTTPS too', async () => {
    const issued = await hospital();
    const res = await https(world.gateway.httpAddress, pem(issued))
      .post('/v1/coverage:lookup')
      .send({ citizen_id: PEOPLE.covered, facility_code: FACILITY })
      .expect(200);
    expect(res.body.status).toBe('COVERAGE_STATUS_COVERED');
    expect(res.body.receipt.seq).toMatch(/^[1-9][0-9]*$/);
  });

  it('is refused within seconds of its revocation on an open connection', async () => {
    const issued = await hospital();
    const client = coverageClient(testCredentials(pem(issued)));
    expect((await lookup(client)).status).toBe('COVERAGE_STATUS_COVERED');
    const other = new Pool({ connectionString: world.db.url, max: 1 });
    await new CertificateRegistry(other).revoke(issued.serialNumber);
    await other.end();
    const refused = await refusedWithin5s(client);
    expect(grpc.status[refused!.code]).toBe('UNAUTHENTICATED');
    expect(refused!.details).toMatch(/client certificate [0-9a-f]+ \(BV-01001\/his\) has been revoked/);
    client.close();
  });
});

describe('a certificate that expires while its connection is open', () => {
  it('is refused at its first call after not_after, on the connection TLS accepted', async () => {
    // Valid for 12 more seconds when the connection opens (a validity of 0 days adds a minute).
    const issued = await authority.issue({
      subject: { member: 'BV-01001', subsystem: 'his' },
      purpose: 'client',
      validityDays: 0,
      notBefore: new Date(Date.now() - 48_000),
    });
    await register(issued);
    const client = coverageClient(testCredentials(pem(issued)));
    expect((await lookup(client)).status).toBe('COVERAGE_STATUS_COVERED');
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, issued.notAfter.getTime() - Date.now() + 500)),
    );
    const refused = await failure(lookup(client));
    expect(refused.code).toBe('UNAUTHENTICATED');
    expect(refused.details).toMatch(
      /client certificate [0-9a-f]+ \(BV-01001\/his\) expired on .*connect again/,
    );
    client.close();
  }, 30_000);
});

describe('a certificate that is wrong', () => {
  it.each([
    [
      'expired',
      async () =>
        authority.issue({
          subject: { member: 'BV-01001', subsystem: 'his' },
          purpose: 'client',
          validityDays: 1,
          notBefore: new Date(Date.now() - 5 * 86_400_000),
        }),
      /client certificate refused: it has expired/,
    ],
    [
      'from another CA',
      async () =>
        (await CertificateAuthority.create('elsewhere')).issue({
          subject: { member: 'BV-01001', subsystem: 'his' },
          purpose: 'client',
          validityDays: 30,
        }),
      /client certificate refused: it was not issued by the gateway's certificate authority/,
    ],
    [
      'for servers only (wrong purpose)',
      async () =>
        authority.issue({
          subject: { member: 'BV-01001', subsystem: 'his' },
          purpose: 'server',
          validityDays: 30,
        }),
      /client certificate refused: it is not a client certificate \(wrong purpose/,
    ],
    [
      'of our CA but never registered',
      async () =>
        authority.issue({
          subject: { member: 'BV-01001', subsystem: 'his' },
          purpose: 'client',
          validityDays: 30,
        }),
      /not registered with this gateway/,
    ],
  ])('is refused with UNAUTHENTICATED when %s, even beside a valid API key', async (_, make, reason) => {
    const client = coverageClient(testCredentials(pem(await make())));
    const refused = await failure(lookup(client, world.keys.clinic));
    expect(refused.code).toBe('UNAUTHENTICATED');
    expect(refused.details).toMatch(reason);
    client.close();
  });

  it('a plaintext client fails the handshake, and the gateway goes on serving everyone else', async () => {
    const plaintext = coverageClient(grpc.credentials.createInsecure());
    const refused = await failure(lookup(plaintext, world.keys.clinic));
    expect(refused.code).toBe('UNAVAILABLE');
    plaintext.close();
    const client = coverageClient(testCredentials());
    expect((await lookup(client, world.keys.clinic)).status).toBe('COVERAGE_STATUS_COVERED');
    client.close();
  });
});

describe('the operator CLI', () => {
  const cli = async (...args: string[]) => {
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'certs', ...args], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: world.db.urlFor('owner'), VSS_DATA_DIR: dataDir },
    });
    return stdout;
  };

  it('issues, lists and revokes a certificate, and the gateway follows', async () => {
    const out = await cli(
      'issue',
      '--member',
      'BV-01001',
      '--subsystem',
      'lis',
      '--facility',
      FACILITY,
      '--out',
      dataDir,
      '--pki',
      join(pkiFile('ca.crt'), '..'),
    );
    const serial = /^serial +([0-9a-f]+)$/m.exec(out)![1];
    expect(out).toMatch(/role +clinic \(facility 01001\)/);
    const files = {
      cert: readFileSync(join(dataDir, 'BV-01001-lis.crt'), 'utf8'),
      key: readFileSync(join(dataDir, 'BV-01001-lis.key'), 'utf8'),
    };
    const client = coverageClient(testCredentials(files));
    expect((await lookup(client)).status).toBe('COVERAGE_STATUS_COVERED');
    expect(await cli('list')).toMatch(new RegExp(`^${serial}  BV-01001/lis  clinic 01001  valid until`, 'm'));
    expect(await cli('revoke', serial)).toMatch(/^revoked /);
    expect(await cli('list')).toMatch(new RegExp(`^${serial}  BV-01001/lis  clinic 01001  revoked`, 'm'));
    const refused = await refusedWithin5s(client);
    expect(grpc.status[refused!.code]).toBe('UNAUTHENTICATED');
    client.close();
  });

  it('certifies the key of a caller’s own request, writing no key, and never a system’s subject', async () => {
    x509.cryptoProvider.set(webcrypto as never);
    const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ])) as webcrypto.CryptoKeyPair;
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({
      name: 'CN=pacs',
      keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    });
    const csrFile = join(dataDir, 'pacs.csr');
    writeFileSync(csrFile, csr.toString('pem'));
    const pki = join(pkiFile('ca.crt'), '..');
    const refused = await cli(
      'issue',
      '--member',
      'VSS',
      '--subsystem',
      'gateway',
      '--facility',
      FACILITY,
      '--csr',
      csrFile,
      '--pki',
      pki,
    ).catch((e: { stderr: string }) => e.stderr);
    expect(refused).toMatch(/a system's own subject/);
    const out = await cli(
      'issue',
      '--member',
      'BV-01001',
      '--subsystem',
      'pacs',
      '--facility',
      FACILITY,
      '--csr',
      csrFile,
      '--out',
      dataDir,
      '--pki',
      pki,
    );
    expect(out).toMatch(/kept by the caller/);
    expect(existsSync(join(dataDir, 'BV-01001-pacs.key'))).toBe(false);
    const key = x509.PemConverter.encode(
      await webcrypto.subtle.exportKey('pkcs8', keys.privateKey),
      'PRIVATE KEY',
    );
    const client = coverageClient(
      testCredentials({ cert: readFileSync(join(dataDir, 'BV-01001-pacs.crt'), 'utf8'), key }),
    );
    expect((await lookup(client)).status).toBe('COVERAGE_STATUS_COVERED');
    client.close();
  });
});
