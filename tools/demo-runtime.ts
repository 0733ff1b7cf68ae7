import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { ApiKeys, CertificateRegistry, type RegisterCertificateRequest } from '@vss/api-keys';
import { newTotpSecret, OperatorCredentialsRepository, OperatorsRepository } from '@vss/authority';
import type { OperatorRole } from '@vss/domain';
import { CertificateAuthority, PKI_FILES, writePrivateFile } from '@vss/pki';
import { DEMO_PEOPLE } from '@vss/synthetic';
import { dataDir, readRuntime, type RuntimeInfo } from './runtime';

/*
 * The demo's runtime file of `npm start`: its keys, named operators with console sign-in, and
 * client certificates, made once and reused while the database is the same.
 */

/** Demo API keys are issued once and kept in .data/runtime.json for the CLI and examples. */
export async function demoRuntime(
  url: string,
  ports: { registry: number; grpc: number; http: number; operator: number },
  seeded: boolean,
): Promise<RuntimeInfo> {
  const previous = readRuntime();
  const endpoints = {
    databaseUrl: url,
    gatewayGrpc: `127.0.0.1:${ports.grpc}`,
    gatewayHttp: `https://127.0.0.1:${ports.http}`,
    registryGrpc: `127.0.0.1:${ports.registry}`,
    operatorHttp: `https://127.0.0.1:${ports.operator}`,
    caCertificate: join(dataDir(), 'pki', PKI_FILES.caCertificate),
  };
  if (
    previous &&
    !seeded &&
    previous.clinicCertificate !== undefined &&
    previous.operatorCertificate !== undefined &&
    existsSync(previous.operatorCertificate.cert) &&
    previous.keys.approver !== undefined &&
    previous.console !== undefined &&
    existsSync(previous.clinicCertificate.cert) &&
    previous.databaseUrl.split('@')[1]?.split('/')[1] === url.split('@')[1]?.split('/')[1]
  ) {
    return {
      ...previous,
      ...endpoints,
      console: { ...previous.console, url: `${endpoints.gatewayHttp}/console/` },
    };
  }
  const pool = new Pool({ connectionString: url, max: 2 });
  try {
    const keys = new ApiKeys(pool);
    const covered = DEMO_PEOPLE.find((p) => p.key === 'COVERED_ADULT')!;
    const { rows } = await pool.query(
      'SELECT primary_care_facility_code AS code FROM vss.hi_cards WHERE social_insurance_code = $1',
      [covered.socialInsuranceCode],
    );
    const facility =
      rows[0]?.code ??
      (await pool.query('SELECT facility_code AS code FROM vss.facilities LIMIT 1')).rows[0].code;
    const office = 'UBND-001-00001';
    const clinic = await keys.issue({
      role: 'clinic',
      facilityCode: facility,
      label: `demo clinic ${facility}`,
    });
    const civil = await keys.issue({
      role: 'civil-registry',
      officeCode: office,
      label: `demo civil registry ${office}`,
    });
    // Two people, so that what one asks another can approve (maker–checker).
    const operators = new OperatorsRepository(pool);
    for (const person of DEMO_OPERATORS) {
      const found = await operators.find(person.login);
      if (!found) await operators.add({ ...person, by: 'npm start' });
      else if (found.roles.join() !== person.roles.join())
        await operators.setRoles(person.login, person.roles);
    }
    const admin = await keys.issue({
      role: 'admin',
      label: 'demo administrator',
      operatorLogin: 'demo.admin',
    });
    const approver = await keys.issue({
      role: 'admin',
      label: 'demo approver',
      operatorLogin: 'demo.approver',
    });
    // Each demo operator signs in to the console with a password and a TOTP key made here, once.
    const credentials = new OperatorCredentialsRepository(pool);
    const consoleOperators = [];
    for (const person of DEMO_OPERATORS) {
      const password = `demo-${randomBytes(9).toString('base64url')}`;
      const totpSecret = newTotpSecret();
      await credentials.provision(person.login, { password, totpSecret });
      consoleOperators.push({ login: person.login, roles: person.roles, password, totpSecret });
    }
    const clinicCertificate = await demoClinicCertificate(pool, facility);
    const operatorCertificate = await demoCertificate(pool, 'demo-operator', {
      member: 'VSS',
      subsystem: 'monitoring',
      role: 'admin',
      operatorLogin: 'demo.admin',
      label: 'metrics reader of demo.admin',
    });
    return {
      ...endpoints,
      clinicCertificate,
      operatorCertificate,
      keys: {
        clinic: clinic.apiKey,
        clinicFacility: facility,
        civilRegistry: civil.apiKey,
        civilRegistryOffice: office,
        admin: admin.apiKey,
        approver: approver.apiKey,
      },
      console: { url: `${endpoints.gatewayHttp}/console/`, operators: consoleOperators },
    };
  } finally {
    await pool.end();
  }
}

/**
 * The demo's named operators: an administrator, an approver (also the second security
 * administrator), and a security administrator — so that what one asks another can decide.
 */
const DEMO_OPERATORS = [
  {
    login: 'demo.admin',
    displayName: 'Quản trị viên demo',
    roles: ['operator', 'reviewer'] as OperatorRole[],
  },
  {
    login: 'demo.approver',
    displayName: 'Người phê duyệt demo',
    roles: ['approver', 'auditor', 'security-admin'] as OperatorRole[],
  },
  {
    login: 'demo.security',
    displayName: 'Quản trị an ninh demo',
    roles: ['security-admin', 'auditor'] as OperatorRole[],
  },
];

/**
 * A client certificate for the demo clinic, issued by the development CA and registered like
 * an API key: the other way a hospital information system authenticates (mTLS).
 */
function demoClinicCertificate(pool: Pool, facility: string): Promise<{ cert: string; key: string }> {
  return demoCertificate(pool, 'demo-clinic', {
    member: `BV-${facility}`,
    subsystem: 'his',
    role: 'clinic',
    facilityCode: facility,
    label: `demo clinic ${facility} (certificate)`,
  });
}

/**
 * A demo client certificate issued by the development CA into `<data>/pki/<name>.crt|.key` and
 * registered as `certs issue` registers one (its key made here: the laptop's convenience path).
 */
async function demoCertificate(
  pool: Pool,
  name: string,
  spec: Pick<
    RegisterCertificateRequest,
    'member' | 'subsystem' | 'role' | 'facilityCode' | 'operatorLogin' | 'label'
  >,
): Promise<{ cert: string; key: string }> {
  const pki = join(dataDir(), 'pki');
  const authority = await CertificateAuthority.load(
    readFileSync(join(pki, PKI_FILES.caCertificate), 'utf8'),
    readFileSync(join(pki, PKI_FILES.caKey), 'utf8'),
  );
  const issued = await authority.issue({
    subject: { member: spec.member, subsystem: spec.subsystem, commonName: spec.label },
    purpose: 'client',
    validityDays: 397,
  });
  const files = { cert: join(pki, `${name}.crt`), key: join(pki, `${name}.key`) };
  writePrivateFile(files.key, issued.privateKeyPem);
  writeFileSync(files.cert, issued.certificatePem);
  await new CertificateRegistry(pool).register({
    ...spec,
    fingerprint256: issued.fingerprint256,
    serialNumber: issued.serialNumber,
    subject: issued.subject,
    notAfter: issued.notAfter,
  });
  return files;
}
