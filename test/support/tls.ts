import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';

/**
 * The test run's PKI (global-setup creates it with the same code as `npm start`): a CA, every
 * system's certificate and an audit signing key. Tests run TLS like production does.
 */
export function testPki(): string {
  const dir = process.env.VSS_TEST_PKI;
  if (!dir) throw new Error('test PKI not set up: run the tests through jest');
  return dir;
}

export const pkiFile = (name: string) => join(testPki(), name);

/** TLS settings of an app (its own certificate and key, the CA), as configuration. */
export function tlsConfig(app: 'gateway' | 'worker' | 'population-registry') {
  return {
    TLS_CA_FILE: pkiFile('ca.crt'),
    TLS_CERT_FILE: pkiFile(`${app}.crt`),
    TLS_KEY_FILE: pkiFile(`${app}.key`),
    ...(app === 'gateway'
      ? {
          AUDIT_SIGNING_KEY_FILE: pkiFile('audit-signing.key'),
          // In the run's own folder (removed with it); a test that reads one names its own.
          AUDIT_WITNESS_FILE: pkiFile(`audit-witness-${process.pid}.jsonl`),
        }
      : {}),
  };
}

/** The same as environment variables, for apps started as processes. */
export function tlsEnv(app: 'gateway' | 'worker' | 'population-registry'): Record<string, string> {
  return tlsConfig(app);
}

/** A gRPC client's credentials: trusts the test CA; with a certificate name, presents it (mTLS). */
export function testCredentials(certificate?: { cert: string; key: string }): grpc.ChannelCredentials {
  return grpc.credentials.createSsl(
    readFileSync(pkiFile('ca.crt')),
    certificate ? Buffer.from(certificate.key) : null,
    certificate ? Buffer.from(certificate.cert) : null,
  );
}

/**
 * supertest over HTTPS to a running server, trusting the test CA as a clinic's software trusts
 * the gateway's (nothing turns certificate checks off), presenting a client certificate when given.
 */
export function https(url: string, certificate?: { cert: string; key: string }) {
  const agent = request.agent(url).ca(readFileSync(pkiFile('ca.crt')));
  return certificate ? agent.cert(certificate.cert).key(certificate.key) : agent;
}

/** The PEM files of a system certificate of the test PKI. */
export function systemCertificate(name: string): { cert: string; key: string } {
  return {
    cert: readFileSync(pkiFile(`${name}.crt`), 'utf8'),
    key: readFileSync(pkiFile(`${name}.key`), 'utf8'),
  };
}
