import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { isSystemSubject } from './system-subjects';

x509.cryptoProvider.set(webcrypto as never);

/** ECDSA P-256 with SHA-256: small keys, fast handshakes, accepted by every TLS stack we meet. */
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

/** Who a certificate names: X-Road style, a member (organisation) and one of its subsystems. */
export interface CertificateSubject {
  /** The member, e.g. `VSS`, `NPD`, or a hospital's `BV-01001`. */
  member: string;
  /** The member's system that calls or serves, e.g. `gateway`, `his`. */
  subsystem: string;
  /** A readable name; the subsystem when not given. */
  commonName?: string;
}

/** What a certificate may be used for: the extended key usages it carries. */
export type CertificatePurpose = 'server' | 'client' | 'server-and-client';

export interface IssueRequest {
  subject: CertificateSubject;
  purpose: CertificatePurpose;
  /** Host names and IP addresses a server certificate answers for. */
  hosts?: string[];
  validityDays: number;
  /** For tests of refusals: a certificate whose validity is already over. */
  notBefore?: Date;
}

/** A certificate signed for a key the CA never saw (a certificate request's). */
export type SignedCertificate = Omit<IssuedCertificate, 'privateKeyPem'>;

export interface IssuedCertificate {
  certificatePem: string;
  privateKeyPem: string;
  /** Hex, as `openssl x509 -serial` prints it. */
  serialNumber: string;
  /** `AA:BB:…`, as TLS reports a peer's certificate. */
  fingerprint256: string;
  /** `C=VN, O=…, OU=…, CN=…` */
  subject: string;
  notBefore: Date;
  notAfter: Date;
}

/** The distinguished name of a subject; commas and the like in names are escaped by the library. */
export function distinguishedName(subject: CertificateSubject): string {
  return new x509.Name([
    { C: ['VN'] },
    { O: [subject.member] },
    { OU: [subject.subsystem] },
    { CN: [subject.commonName ?? subject.subsystem] },
  ]).toString();
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f; // positive
  return bytes.toString('hex');
}

/**
 * A certificate authority: the gateway's own, which issues the servers' certificates and the
 * calling systems' client certificates. The private key never leaves the operator's machine
 * where `certs` commands run; the gateways hold only the CA certificate.
 */
export class CertificateAuthority {
  private constructor(
    readonly certificatePem: string,
    readonly privateKeyPem: string,
    private readonly certificate: x509.X509Certificate,
    private readonly key: webcrypto.CryptoKey,
  ) {}

  static async create(name: string, validityDays = 3650): Promise<CertificateAuthority> {
    const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
    const now = Date.now();
    const certificate = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(),
      name: new x509.Name([{ C: ['VN'] }, { O: ['VSS'] }, { CN: [name] }]).toString(),
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + validityDays * DAY_MS),
      keys,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    return new CertificateAuthority(
      certificate.toString('pem'),
      await privateKeyPem(keys.privateKey),
      certificate,
      keys.privateKey,
    );
  }

  static async load(certificatePem: string, privateKeyPem: string): Promise<CertificateAuthority> {
    const certificate = new x509.X509Certificate(certificatePem);
    const key = await webcrypto.subtle.importKey(
      'pkcs8',
      x509.PemConverter.decodeFirst(privateKeyPem),
      ALGORITHM,
      false,
      ['sign'],
    );
    return new CertificateAuthority(certificatePem, privateKeyPem, certificate, key);
  }

  async issue(request: IssueRequest): Promise<IssuedCertificate> {
    const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
    const signed = await this.sign(keys.publicKey, request);
    return { ...signed, privateKeyPem: await privateKeyPem(keys.privateKey) };
  }

  /**
   * A client certificate for the key of a PKCS #10 request (the caller made its key and keeps
   * it): the request's own signature must verify — it proves the key is theirs —, and its key
   * must be ECDSA P-256 or RSA of 2048 bits or more. The subject is the one given here, not the
   * request's: the CA says who the holder is.
   */
  async issueFromRequest(
    csrPem: string,
    request: Omit<IssueRequest, 'hosts' | 'purpose'>,
  ): Promise<SignedCertificate> {
    if (isSystemSubject(request.subject)) {
      throw new CertificateRequestError(
        `${request.subject.member}/${request.subject.subsystem} is a system's own subject, never a caller's`,
      );
    }
    const csr = parseCertificateRequest(csrPem);
    if (!(await csr.verify())) throw new CertificateRequestError('its signature does not verify');
    const publicKey = await csr.publicKey.export();
    checkKey(publicKey);
    return this.sign(publicKey, { ...request, purpose: 'client' });
  }

  private async sign(publicKey: webcrypto.CryptoKey, request: IssueRequest): Promise<SignedCertificate> {
    const notBefore = request.notBefore ?? new Date(Date.now() - 60_000);
    const notAfter = new Date(notBefore.getTime() + 60_000 + request.validityDays * DAY_MS);
    const usages = {
      server: [x509.ExtendedKeyUsage.serverAuth],
      client: [x509.ExtendedKeyUsage.clientAuth],
      'server-and-client': [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
    }[request.purpose];
    const extensions: x509.Extension[] = [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(usages, false),
      await x509.AuthorityKeyIdentifierExtension.create(this.certificate, false),
    ];
    if (request.hosts?.length) {
      extensions.push(
        new x509.SubjectAlternativeNameExtension(
          request.hosts.map((host) =>
            isIP(host) ? { type: 'ip', value: host } : { type: 'dns', value: host },
          ),
        ),
      );
    }
    const subject = distinguishedName(request.subject);
    const certificate = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject,
      issuer: this.certificate.subject,
      notBefore,
      notAfter,
      signingKey: this.key,
      publicKey,
      signingAlgorithm: ALGORITHM,
      extensions,
    });
    const pem = certificate.toString('pem');
    const parsed = new X509Certificate(pem);
    return {
      certificatePem: pem,
      serialNumber: parsed.serialNumber.toLowerCase(),
      fingerprint256: parsed.fingerprint256,
      subject,
      notBefore,
      notAfter,
    };
  }
}

/** A certificate signing request that cannot be signed, and why. */
export class CertificateRequestError extends Error {}

/** Parses a PEM certificate signing request (PKCS #10), or says what is wrong with it. */
export function parseCertificateRequest(csrPem: string): x509.Pkcs10CertificateRequest {
  const text = csrPem.trim();
  if (
    !/^-----BEGIN (NEW )?CERTIFICATE REQUEST-----[\s\S]+-----END (NEW )?CERTIFICATE REQUEST-----$/.test(text)
  ) {
    throw new CertificateRequestError(
      'it is not a PEM certificate request (-----BEGIN CERTIFICATE REQUEST-----)',
    );
  }
  try {
    return new x509.Pkcs10CertificateRequest(text.replace(/NEW CERTIFICATE REQUEST/g, 'CERTIFICATE REQUEST'));
  } catch {
    throw new CertificateRequestError('it could not be read as a PKCS #10 request');
  }
}

function checkKey(key: webcrypto.CryptoKey): void {
  const algorithm = key.algorithm as { name: string; namedCurve?: string; modulusLength?: number };
  if (algorithm.name === 'ECDSA' && algorithm.namedCurve === 'P-256') return;
  if (algorithm.name.startsWith('RSA') && (algorithm.modulusLength ?? 0) >= 2048) return;
  throw new CertificateRequestError(
    `its key is ${algorithm.name}${algorithm.namedCurve ? ` ${algorithm.namedCurve}` : ''}${algorithm.modulusLength ? ` of ${algorithm.modulusLength} bits` : ''}; ECDSA P-256 or RSA of 2048 bits or more`,
  );
}
