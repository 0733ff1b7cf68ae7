import { readFileSync } from 'node:fs';
import type { Pool } from 'pg';
import { CertificateRegistry } from '@vss/api-keys';
import { CertificateAuthority, PKI_FILES } from '@vss/pki';
import { newOperator } from '../../libs/authority/test/factories';
import { pkiFile } from './tls';

export interface OperatorCertificate {
  cert: string;
  key: string;
  serialNumber: string;
  login: string;
}

/**
 * A client certificate of the test CA registered to a new named operator, as
 * `certs issue --role admin --operator <login>` makes one: what the operator port (/metrics) admits.
 */
export async function operatorCertificate(pool: Pool, login?: string): Promise<OperatorCertificate> {
  const operator = await newOperator(pool, { roles: ['operator'], login });
  const authority = await CertificateAuthority.load(
    readFileSync(pkiFile(PKI_FILES.caCertificate), 'utf8'),
    readFileSync(pkiFile(PKI_FILES.caKey), 'utf8'),
  );
  const subject = { member: 'VSS', subsystem: `ops-${operator.login}`, commonName: operator.login };
  const issued = await authority.issue({ subject, purpose: 'client', validityDays: 30 });
  await new CertificateRegistry(pool).register({
    fingerprint256: issued.fingerprint256,
    serialNumber: issued.serialNumber,
    subject: issued.subject,
    member: subject.member,
    subsystem: subject.subsystem,
    role: 'admin',
    label: `metrics of ${operator.login}`,
    notAfter: issued.notAfter,
    operatorLogin: operator.login,
  });
  return {
    cert: issued.certificatePem,
    key: issued.privateKeyPem,
    serialNumber: issued.serialNumber,
    login: operator.login,
  };
}
