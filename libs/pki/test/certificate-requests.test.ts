import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto, X509Certificate } from 'node:crypto';
import { CertificateAuthority, CertificateRequestError, parseCertificateRequest } from '@vss/pki';

/**
 * Certificates for keys the CA never sees: a caller makes its key and a PKCS #10 request; the
 * CA signs a client certificate for that key, with the subject it decides, and refuses a
 * request whose signature does not verify or whose key is not one we accept.
 */
x509.cryptoProvider.set(webcrypto as never);

let ca: CertificateAuthority;
beforeAll(async () => {
  ca = await CertificateAuthority.create('test CA');
});

type KeyAlgorithm = webcrypto.EcKeyGenParams | webcrypto.RsaHashedKeyGenParams;

async function request(algorithm: KeyAlgorithm, name = 'CN=his'): Promise<string> {
  const signing =
    algorithm.name === 'ECDSA'
      ? { name: 'ECDSA', hash: 'SHA-256' }
      : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name, keys, signingAlgorithm: signing });
  return csr.toString('pem');
}

const subject = { member: 'BV-01001', subsystem: 'his' };

it('signs a client certificate for the request’s key, with the subject the CA gives', async () => {
  const csrPem = await request({ name: 'ECDSA', namedCurve: 'P-256' }, 'CN=anything, O=Not the CA');
  const signed = await ca.issueFromRequest(csrPem, { subject, validityDays: 30 });
  const certificate = new X509Certificate(signed.certificatePem);
  expect(certificate.verify(new X509Certificate(ca.certificatePem).publicKey)).toBe(true);
  expect(certificate.subject).toContain('O=BV-01001');
  expect(certificate.subject).not.toContain('Not the CA');
  const csrKey = parseCertificateRequest(csrPem).publicKey.rawData;
  expect(Buffer.from(certificate.publicKey.export({ type: 'spki', format: 'der' }))).toEqual(
    Buffer.from(csrKey),
  );
  expect(signed.fingerprint256).toBe(certificate.fingerprint256);
});

it('accepts an RSA key of 2048 bits', async () => {
  const csrPem = await request({
    name: 'RSASSA-PKCS1-v1_5',
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: 'SHA-256',
  });
  await expect(ca.issueFromRequest(csrPem, { subject, validityDays: 30 })).resolves.toBeDefined();
});

it.each([
  ['a P-384 key', async () => request({ name: 'ECDSA', namedCurve: 'P-384' }), /ECDSA P-384/],
  [
    'a 1024-bit RSA key',
    async () =>
      request({
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 1024,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      }),
    /1024 bits/,
  ],
  ['text that is not a request', async () => 'hello', /not a PEM certificate request/],
  [
    'a request whose signature was tampered with',
    async () => {
      const pem = await request({ name: 'ECDSA', namedCurve: 'P-256' });
      const der = Buffer.from(x509.PemConverter.decodeFirst(pem));
      der[der.length - 5] ^= 0xff;
      return x509.PemConverter.encode(der, 'CERTIFICATE REQUEST');
    },
    /signature does not verify|could not be read/,
  ],
])('refuses %s, saying why', async (_what, make, reason) => {
  const csrPem = await make();
  const refused = await ca.issueFromRequest(csrPem, { subject, validityDays: 30 }).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(CertificateRequestError);
  expect((refused as Error).message).toMatch(reason);
});

it('never issues a system’s own subject to a caller', async () => {
  const csrPem = await request({ name: 'ECDSA', namedCurve: 'P-256' });
  for (const subject of [
    { member: 'VSS', subsystem: 'gateway' },
    { member: 'vss', subsystem: 'Worker' },
    { member: 'NPD', subsystem: 'population-registry' },
  ]) {
    const refused = await ca.issueFromRequest(csrPem, { subject, validityDays: 30 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CertificateRequestError);
    expect((refused as Error).message).toMatch(/a system's own subject/);
  }
});
