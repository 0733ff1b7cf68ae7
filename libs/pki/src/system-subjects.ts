import type { CertificatePurpose, CertificateSubject } from './authority';

/** The systems of a deployment and the certificate each one holds. */
export const SYSTEM_CERTIFICATES: Record<
  string,
  { subject: CertificateSubject; purpose: CertificatePurpose }
> = {
  /** Serves callers; calls the registry with the same certificate. */
  gateway: { subject: { member: 'VSS', subsystem: 'gateway' }, purpose: 'server-and-client' },
  worker: { subject: { member: 'VSS', subsystem: 'worker' }, purpose: 'client' },
  /** Serves the gateway and worker; a client only of its own health check. */
  'population-registry': {
    subject: { member: 'NPD', subsystem: 'population-registry' },
    purpose: 'server-and-client',
  },
  /** PostgreSQL's server certificate: the apps connect with `sslmode=verify-full` against the CA. */
  database: { subject: { member: 'VSS', subsystem: 'database' }, purpose: 'server' },
  /** The operator CLI's own client certificate (admin calls over mTLS). */
  cli: { subject: { member: 'VSS', subsystem: 'operator-cli' }, purpose: 'client' },
};

/**
 * Whether a subject is one of the systems' own (`VSS/gateway`, `VSS/worker`, …): never issued to
 * a caller, whose certificate would otherwise pass for the system (the registry serves its peers
 * by these names).
 */
export function isSystemSubject(subject: Pick<CertificateSubject, 'member' | 'subsystem'>): boolean {
  const same = (a: string, b: string) => a.trim().toLowerCase() === b.toLowerCase();
  return Object.values(SYSTEM_CERTIFICATES).some(
    (system) =>
      same(subject.member, system.subject.member) && same(subject.subsystem, system.subject.subsystem),
  );
}
