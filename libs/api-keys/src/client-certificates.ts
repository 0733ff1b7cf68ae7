import { operatorIdentityOf, personLabel } from './operator-identity';
import type { Pool } from 'pg';
import { ChangeFeed } from '@vss/platform';
import {
  type Caller,
  type ClientCertificates,
  type OperatorRole,
  type PeerCertificate,
  type Role,
  SecurityErrorCode,
  securityError,
} from '@vss/security';

export const CLIENT_CERTIFICATES_CHANNEL = 'vss_client_certificates_changed';
/** As for API keys: a revocation is heard at once while the feed is live, within 5 s otherwise. */
const CACHE_MS = 5000;
const LIVE_CACHE_MS = 60_000;
const MAX_CACHED = 100_000;

/** A certificate the CA issued, registered with the rights of its holder. */
export interface RegisterCertificateRequest {
  fingerprint256: string;
  serialNumber: string;
  subject: string;
  member: string;
  subsystem: string;
  role: Exclude<Role, 'registry-peer'>;
  facilityCode?: string;
  officeCode?: string;
  label: string;
  notAfter: Date;
  /** The operator (login) an admin certificate is issued to: required for admin certificates. */
  operatorLogin?: string;
}

export interface CertificateRow {
  fingerprint256: string;
  serial_number: string;
  subject: string;
  member: string;
  subsystem: string;
  role: Role;
  facility_code: string | null;
  office_code: string | null;
  label: string;
  not_after: Date;
  issued_at: Date;
  revoked_at: Date | null;
  operator_id?: string | null;
  operator_login?: string | null;
  operator_name?: string | null;
  operator_roles?: OperatorRole[] | null;
  operator_active?: boolean | null;
}

interface Cached {
  row: CertificateRow | undefined;
  until: number;
}

/**
 * Callers known by client certificate (mTLS): TLS has verified the certificate against the
 * gateway's CA; this registry says whose it is (member and subsystem, mapped to the same
 * role, facility or office an API key carries) and whether it was revoked. Revocations are
 * announced by NOTIFY and take effect at once on every gateway (within 5 s if the feed is down).
 */
export class CertificateRegistry implements ClientCertificates {
  private readonly cache = new Map<string, Cached>();
  private feed: ChangeFeed | undefined;
  private generation = 0;
  private readonly revoked = new Set<(callerId: string) => void>();

  constructor(private readonly pool: Pool) {}

  /** Tells `listener` the caller ID (`cert:<serial>`) of every certificate revoked from now on. */
  onRevoked(listener: (callerId: string) => void): () => void {
    this.revoked.add(listener);
    return () => this.revoked.delete(listener);
  }

  private async announceIfRevoked(fingerprint: string): Promise<void> {
    if (this.revoked.size === 0) return;
    const { rows } = await this.pool
      .query<{ serial_number: string }>(
        'SELECT serial_number FROM vss.client_certificates WHERE fingerprint256 = $1 AND revoked_at IS NOT NULL',
        [fingerprint],
      )
      .catch(() => ({ rows: [] as { serial_number: string }[] }));
    for (const row of rows) for (const listener of this.revoked) listener(`cert:${row.serial_number}`);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.feed ??= new ChangeFeed(
      this.pool,
      { channels: [CLIENT_CERTIFICATES_CHANNEL], applicationName: 'client-certificates:listen' },
      {
        onChange: (_channel, fingerprint) => {
          this.generation++;
          this.cache.delete(fingerprint);
          void this.announceIfRevoked(fingerprint);
        },
        onReset: () => {
          this.generation++;
          this.cache.clear();
        },
      },
    );
    await this.feed.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.feed?.close();
    this.feed = undefined;
  }

  async authenticate(certificate: PeerCertificate): Promise<Caller> {
    const now = Date.now();
    let entry = this.cache.get(certificate.fingerprint256);
    if (!entry || entry.until < now) {
      const generation = this.generation;
      const { rows } = await this.pool.query<CertificateRow>({
        name: 'vss-client-certificate',
        text: `SELECT c.fingerprint256, c.serial_number, c.subject, c.member, c.subsystem, c.role, c.facility_code,
                      c.office_code, c.label, c.not_after, c.issued_at, c.revoked_at, c.operator_id,
                      o.login AS operator_login, o.display_name AS operator_name, o.roles AS operator_roles,
                      o.active AS operator_active
                 FROM vss.client_certificates c LEFT JOIN vss.operators o USING (operator_id)
                 WHERE c.fingerprint256 = $1`,
        values: [certificate.fingerprint256],
      });
      entry = { row: rows[0], until: now + (this.feed?.live ? LIVE_CACHE_MS : CACHE_MS) };
      if (generation === this.generation) {
        if (this.cache.size >= MAX_CACHED) this.cache.clear();
        this.cache.set(certificate.fingerprint256, entry);
      }
    }
    const row = entry.row;
    if (!row) {
      throw securityError(
        SecurityErrorCode.UnknownCertificate,
        'the client certificate is not registered with this gateway; an operator issues certificates with `certs issue`',
      );
    }
    if (row.revoked_at) {
      throw securityError(
        SecurityErrorCode.RevokedCertificate,
        `client certificate ${row.serial_number} (${row.member}/${row.subsystem}) has been revoked`,
      );
    }
    if (row.operator_active === false) {
      throw securityError(
        SecurityErrorCode.OperatorDisabled,
        `client certificate ${row.serial_number} was issued to operator ${row.operator_login}, who is disabled`,
      );
    }
    // TLS checked the dates when the connection opened; a connection lives on past them.
    if (row.not_after.getTime() <= now) {
      throw securityError(
        SecurityErrorCode.ExpiredCertificate,
        `client certificate ${row.serial_number} (${row.member}/${row.subsystem}) expired on ${row.not_after.toISOString()}; ask for a new one and connect again`,
      );
    }
    const operator = operatorIdentityOf(row);
    return {
      id: `cert:${row.serial_number}`,
      label: operator
        ? `${personLabel(operator)} via ${row.member}/${row.subsystem}`
        : `${row.label} [${row.member}/${row.subsystem}]`,
      role: row.role,
      facilityCode: row.facility_code ?? undefined,
      officeCode: row.office_code ?? undefined,
      via: 'mtls',
      ...(operator ? { operator } : {}),
    };
  }

  async register(request: RegisterCertificateRequest): Promise<void> {
    if ((request.role === 'admin') !== (request.operatorLogin !== undefined)) {
      throw securityError(
        SecurityErrorCode.InvalidKeyRequest,
        request.role === 'admin'
          ? 'an admin certificate is issued to a named operator: give --operator <login>'
          : 'only admin certificates are issued to an operator',
        'operator',
      );
    }
    if (request.operatorLogin) {
      const { rows } = await this.pool.query('SELECT 1 FROM vss.operators WHERE login = $1 AND active', [
        request.operatorLogin,
      ]);
      if (rows.length === 0) {
        throw securityError(
          SecurityErrorCode.InvalidKeyRequest,
          `no active operator has the login ${request.operatorLogin} (see \`operators list\`)`,
          'operator',
        );
      }
    }
    await this.pool.query(
      `INSERT INTO vss.client_certificates (fingerprint256, serial_number, subject, member, subsystem, role,
         facility_code, office_code, label, not_after, operator_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
         (SELECT operator_id FROM vss.operators WHERE login = $11 AND active))`,
      [
        request.fingerprint256,
        request.serialNumber,
        request.subject,
        request.member,
        request.subsystem,
        request.role,
        request.facilityCode ?? null,
        request.officeCode ?? null,
        request.label,
        request.notAfter,
        request.operatorLogin ?? null,
      ],
    );
  }

  /** Revokes by serial number or fingerprint; false when no such unrevoked certificate exists. */
  async revoke(serialOrFingerprint: string): Promise<CertificateRow | undefined> {
    const { rows } = await this.pool.query<CertificateRow>(
      `UPDATE vss.client_certificates SET revoked_at = now()
        WHERE (serial_number = lower($1) OR fingerprint256 = upper($1)) AND revoked_at IS NULL
        RETURNING *`,
      [serialOrFingerprint],
    );
    for (const row of rows) this.cache.delete(row.fingerprint256);
    return rows[0];
  }

  async list(): Promise<CertificateRow[]> {
    const { rows } = await this.pool.query<CertificateRow>(
      `SELECT * FROM vss.client_certificates ORDER BY issued_at, serial_number`,
    );
    return rows;
  }
}
