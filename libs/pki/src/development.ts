import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CertificateAuthority } from './authority';
import { SYSTEM_CERTIFICATES } from './system-subjects';

/** The files of a PKI folder, by the names the apps look for by default. */
export const PKI_FILES = {
  caCertificate: 'ca.crt',
  caKey: 'ca.key',
  auditSigningKey: 'audit-signing.key',
  auditPublicKey: 'audit-signing.pub',
  certificate: (name: string) => `${name}.crt`,
  key: (name: string) => `${name}.key`,
} as const;

const LOCAL_HOSTS = ['localhost', '127.0.0.1', '::1'];
/** A certificate that expires within this many days is issued again by `ensurePki`. */
const RENEW_DAYS = 14;

/** Writes a file only its owner may read (private keys, 0600). */
export function writePrivateFile(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
}

function expiresSoon(path: string): boolean {
  if (!existsSync(path)) return true;
  const certificate = new X509Certificate(readFileSync(path));
  return new Date(certificate.validTo).getTime() - Date.now() < RENEW_DAYS * 86_400_000;
}

export interface PkiReport {
  dir: string;
  /** Files written by this call (an existing, valid file is kept). */
  created: string[];
}

/**
 * What each app is given of a PKI folder, and nothing else: its own certificate and key and the CA
 * certificate (the gateway also its audit signing key); `trust` holds what the operator registers
 * (the CA certificate, the gateway's and worker's certificates, the audit public key). The CA's
 * key is in none of them.
 */
export const APP_FILES: Record<
  'gateway' | 'worker' | 'population-registry' | 'database' | 'trust',
  string[]
> = {
  gateway: [
    PKI_FILES.caCertificate,
    'gateway.crt',
    'gateway.key',
    PKI_FILES.auditSigningKey,
    PKI_FILES.auditPublicKey,
  ],
  worker: [PKI_FILES.caCertificate, 'worker.crt', 'worker.key'],
  'population-registry': [PKI_FILES.caCertificate, 'population-registry.crt', 'population-registry.key'],
  database: ['database.crt', 'database.key'],
  trust: [PKI_FILES.caCertificate, 'gateway.crt', 'worker.crt', PKI_FILES.auditPublicKey],
};

/** The files a PostgreSQL of a PKI folder serves TLS with, and the CA its clients verify it by. */
export function databaseTlsFiles(dir: string): { certificateFile: string; keyFile: string; caFile: string } {
  return {
    certificateFile: join(dir, PKI_FILES.certificate('database')),
    keyFile: join(dir, PKI_FILES.key('database')),
    caFile: join(dir, PKI_FILES.caCertificate),
  };
}

/** Copies each app's files (APP_FILES) into `<out>/<app>/`, private keys 0600. */
export function exportAppFiles(dir: string, out: string): string[] {
  const written: string[] = [];
  for (const [app, files] of Object.entries(APP_FILES)) {
    const target = join(out, app);
    mkdirSync(target, { recursive: true });
    for (const file of files) {
      const content = readFileSync(join(dir, file), 'utf8');
      const path = join(target, file);
      if (file.endsWith('.key')) writePrivateFile(path, content);
      else writeFileSync(path, content);
      written.push(path);
    }
  }
  return written;
}

/**
 * A certificate authority and every system's certificate in one folder, created on first use
 * and renewed when close to expiry: what `npm start` and the tests run with, and what
 * `npm run cli -- certs init` prepares for a deployment (with its own host names). Keeps what
 * exists: a CA is never replaced under certificates it issued.
 */
export async function ensurePki(
  dir: string,
  options: {
    /** Each server's own host names or addresses, beside localhost: `{ gateway: ['gw.vss.gov.vn'] }`. */
    hosts?: Partial<Record<string, string[]>>;
    caName?: string;
  } = {},
): Promise<PkiReport> {
  // Only the PKI folder is private: its parent (the data folder) must stay reachable by the
  // embedded PostgreSQL's own user.
  mkdirSync(dirname(dir), { recursive: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const created: string[] = [];
  const caCert = join(dir, PKI_FILES.caCertificate);
  const caKey = join(dir, PKI_FILES.caKey);
  let authority: CertificateAuthority;
  if (existsSync(caCert) && existsSync(caKey)) {
    authority = await CertificateAuthority.load(readFileSync(caCert, 'utf8'), readFileSync(caKey, 'utf8'));
  } else {
    authority = await CertificateAuthority.create(options.caName ?? 'VSS Interchange Gateway CA');
    writePrivateFile(caKey, authority.privateKeyPem);
    writeFileSync(caCert, authority.certificatePem);
    created.push(caCert, caKey);
  }
  for (const [name, spec] of Object.entries(SYSTEM_CERTIFICATES)) {
    // A server's certificate names that server alone: a stolen one serves no other host.
    const hosts = [...new Set([...LOCAL_HOSTS, ...(options.hosts?.[name] ?? [])])];
    const certPath = join(dir, PKI_FILES.certificate(name));
    if (!expiresSoon(certPath)) continue;
    const issued = await authority.issue({
      ...spec,
      hosts: spec.purpose === 'client' ? undefined : hosts,
      validityDays: 397,
    });
    writePrivateFile(join(dir, PKI_FILES.key(name)), issued.privateKeyPem);
    writeFileSync(certPath, issued.certificatePem);
    created.push(certPath);
  }
  const signing = join(dir, PKI_FILES.auditSigningKey);
  if (!existsSync(signing)) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    writePrivateFile(signing, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    writeFileSync(
      join(dir, PKI_FILES.auditPublicKey),
      publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    );
    created.push(signing);
  }
  return { dir, created };
}
