import { X509Certificate } from 'node:crypto';
import type { Pool } from 'pg';

/** What a peer may call: `read` GetCitizen, BatchGetCitizens, ResolveLegacyId; `search` SearchCitizens; `file` civil-status changes; `export` ExportCitizens. */
export type PeerRight = 'read' | 'search' | 'file' | 'export';
export const PEER_RIGHTS: readonly PeerRight[] = ['read', 'search', 'file', 'export'];

/** The rights each of our systems needs, and no more: the gateway reads and searches; the worker files, reconciles (exports) and reads. */
export const SYSTEM_PEER_RIGHTS: Record<'gateway' | 'worker', PeerRight[]> = {
  gateway: ['read', 'search'],
  worker: ['read', 'search', 'file', 'export'],
};

export interface RegistryPeer {
  fingerprint256: string;
  subject: string;
  holder: string;
  rights: PeerRight[];
  notAfter: Date;
  registeredAt: Date;
  revokedAt: Date | null;
}

interface Row {
  fingerprint256: string;
  subject: string;
  holder: string;
  rights: PeerRight[];
  not_after: Date;
  registered_at: Date;
  revoked_at: Date | null;
}

const toPeer = (r: Row): RegistryPeer => ({
  fingerprint256: r.fingerprint256,
  subject: r.subject,
  holder: r.holder,
  rights: r.rights,
  notAfter: r.not_after,
  registeredAt: r.registered_at,
  revokedAt: r.revoked_at,
});

/** `O/OU` of a certificate's subject, as the registry names its peers. */
export function peerSubject(certificate: X509Certificate): string {
  const field = (name: string) =>
    certificate.subject
      .split('\n')
      .find((line) => line.startsWith(`${name}=`))
      ?.slice(name.length + 1) ?? '';
  return `${field('O')}/${field('OU')}`;
}

/** The one writer of `npd.registry_peers`: the registry reads them, its operator (the owner) registers and revokes. */
export class RegistryPeersRepository {
  constructor(private readonly pool: Pool) {}

  async all(): Promise<RegistryPeer[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT fingerprint256, subject, holder, rights, not_after, registered_at, revoked_at
         FROM npd.registry_peers ORDER BY registered_at`,
    );
    return rows.map(toPeer);
  }

  /** Registers a certificate (PEM) with its rights; registering it again sets its rights and holder. */
  async register(
    certificatePem: string,
    holder: string,
    rights: readonly PeerRight[],
  ): Promise<RegistryPeer> {
    const certificate = new X509Certificate(certificatePem);
    const { rows } = await this.pool.query<Row>(
      `INSERT INTO npd.registry_peers (fingerprint256, subject, holder, rights, not_after)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (fingerprint256) DO UPDATE SET holder = excluded.holder, rights = excluded.rights
       RETURNING fingerprint256, subject, holder, rights, not_after, registered_at, revoked_at`,
      [
        certificate.fingerprint256,
        peerSubject(certificate),
        holder,
        [...rights],
        new Date(certificate.validTo),
      ],
    );
    return toPeer(rows[0]);
  }

  /** Revokes a peer at once (every open connection's next call is refused); false when none was active. */
  async revoke(fingerprint256: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE npd.registry_peers SET revoked_at = now() WHERE fingerprint256 = $1 AND revoked_at IS NULL`,
      [fingerprint256],
    );
    return rowCount === 1;
  }
}

/**
 * Registers our own systems' certificates from a PKI folder (`gateway.crt`, `worker.crt`) with
 * the rights each needs: what `npm start` and the tests' set-up do; a deployment registers the
 * certificates it issued with `registry peers register`.
 */
export async function registerSystemPeers(
  pool: Pool,
  readCertificate: (name: 'gateway' | 'worker') => string,
) {
  const repository = new RegistryPeersRepository(pool);
  for (const name of ['gateway', 'worker'] as const) {
    await repository.register(readCertificate(name), `VSS ${name}`, SYSTEM_PEER_RIGHTS[name]);
  }
}
