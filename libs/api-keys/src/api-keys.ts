import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Pool } from 'pg';
import { ChangeFeed } from '@vss/platform';
import {
  type ApiKeyAuthenticator,
  type Caller,
  type Role,
  SecurityErrorCode,
  securityError,
} from '@vss/security';

export interface IssueKeyRequest {
  role: Role;
  label: string;
  facilityCode?: string;
  officeCode?: string;
}

export interface IssuedKey {
  keyId: string;
  /** Shown once; only its hash is stored. */
  apiKey: string;
}

interface KeyRow {
  key_id: string;
  secret_sha256: Buffer;
  role: Role;
  facility_code: string | null;
  office_code: string | null;
  label: string;
  revoked_at: Date | null;
}

/**
 * How long a verified key is trusted without asking the database again while the change feed
 * is down: a revocation then takes effect within this time in every gateway process.
 */
const CACHE_MS = 5000;
/**
 * The same while the change feed is live: a revocation arrives as a NOTIFY within milliseconds
 * and drops the entry, so the expiry is only a backstop.
 */
const LIVE_CACHE_MS = 60_000;
const MAX_CACHED = 100_000;
export const API_KEYS_CHANNEL = 'vss_api_keys_changed';
const KEY_PATTERN = /^vss_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

/**
 * Per-caller API keys: `vss_<key id>_<secret>`. The secret has 256 bits of entropy, so a
 * single SHA-256 is a sufficient hash (slow password hashes exist for guessable secrets)
 * and keeps verification off the hot path's budget.
 */
export class ApiKeys implements ApiKeyAuthenticator {
  private readonly cache = new Map<string, { caller: Caller | undefined; revoked: boolean; until: number }>();
  private feed: ChangeFeed | undefined;
  /** Bumped by every change heard, so that a verification racing a revocation is not cached. */
  private generation = 0;
  private readonly revoked = new Set<(callerId: string) => void>();

  constructor(private readonly pool: Pool) {}

  /**
   * Listens for revocations (LISTEN vss_api_keys_changed) so that they take effect at once in
   * this process. Without it keys are re-checked every 5 s. Started by NestJS at boot.
   */
  async watchRevocations(applicationName = 'api-keys:listen'): Promise<void> {
    this.feed ??= new ChangeFeed(
      this.pool,
      { channels: [API_KEYS_CHANNEL], applicationName },
      {
        onChange: (_channel, keyId) => {
          this.forget(keyId);
          void this.announceIfRevoked(keyId);
        },
        onReset: () => {
          this.generation++;
          this.cache.clear();
        },
      },
    );
    await this.feed.start();
  }

  /** Stops listening. */
  async close(): Promise<void> {
    await this.feed?.close();
    this.feed = undefined;
  }

  onApplicationBootstrap(): Promise<void> {
    return this.watchRevocations();
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  /**
   * Tells `listener` the caller ID of every key revoked from now on, in this process or any
   * other (NOTIFY): the gateway ends that caller's open streams.
   */
  onRevoked(listener: (callerId: string) => void): () => void {
    this.revoked.add(listener);
    return () => this.revoked.delete(listener);
  }

  private async announceIfRevoked(keyId: string): Promise<void> {
    if (this.revoked.size === 0) return;
    const { rows } = await this.pool
      .query<{ revoked: boolean }>(
        'SELECT revoked_at IS NOT NULL AS revoked FROM vss.api_keys WHERE key_id = $1',
        [keyId],
      )
      .catch(() => ({ rows: [] as { revoked: boolean }[] }));
    if (rows[0]?.revoked) for (const listener of this.revoked) listener(keyId);
  }

  private forget(keyId: string): void {
    this.generation++;
    for (const cached of this.cache.keys()) if (cached.startsWith(`${keyId}:`)) this.cache.delete(cached);
  }

  async issue(request: IssueKeyRequest): Promise<IssuedKey> {
    if (request.role === 'clinic' && !/^[0-9]{5}$/.test(request.facilityCode ?? '')) {
      throw securityError(
        SecurityErrorCode.InvalidKeyRequest,
        'a clinic key needs a 5-digit facility code',
        'facility',
      );
    }
    if (request.role === 'civil-registry' && !request.officeCode) {
      throw securityError(
        SecurityErrorCode.InvalidKeyRequest,
        'a civil registry key needs an office code',
        'office',
      );
    }
    if (request.facilityCode) {
      const known = await this.pool.query('SELECT 1 FROM vss.facilities WHERE facility_code = $1', [
        request.facilityCode,
      ]);
      if (known.rowCount === 0) {
        throw securityError(
          SecurityErrorCode.InvalidKeyRequest,
          `facility ${request.facilityCode} is not a known facility code`,
          'facility',
        );
      }
    }
    const keyId = randomBytes(9)
      .toString('base64url')
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '0')
      .slice(0, 12);
    const secret = randomBytes(32).toString('base64url');
    await this.pool.query(
      `INSERT INTO vss.api_keys (key_id, secret_sha256, role, facility_code, office_code, label)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        keyId,
        sha256(secret),
        request.role,
        request.facilityCode ?? null,
        request.officeCode ?? null,
        request.label,
      ],
    );
    return { keyId, apiKey: `vss_${keyId}_${secret}` };
  }

  async revoke(keyId: string): Promise<boolean> {
    const result = await this.pool.query(
      'UPDATE vss.api_keys SET revoked_at = now() WHERE key_id = $1 AND revoked_at IS NULL',
      [keyId],
    );
    this.forget(keyId);
    if ((result.rowCount ?? 0) > 0) for (const listener of this.revoked) listener(keyId);
    return (result.rowCount ?? 0) > 0;
  }

  async list(): Promise<Array<Omit<KeyRow, 'secret_sha256'> & { created_at: Date }>> {
    const result = await this.pool.query(
      `SELECT key_id, role, facility_code, office_code, label, created_at, revoked_at
       FROM vss.api_keys ORDER BY created_at`,
    );
    return result.rows;
  }

  cached(presented: string | undefined): boolean {
    const match = presented ? KEY_PATTERN.exec(presented) : null;
    if (!match) return false;
    const entry = this.cache.get(`${match[1]}:${match[2]}`);
    return entry !== undefined && entry.caller !== undefined && !entry.revoked && entry.until >= Date.now();
  }

  /** The caller a presented key stands for; UNAUTHENTICATED for a missing, unknown or revoked key. */
  async authenticate(presented: string | undefined): Promise<Caller> {
    if (!presented) {
      throw securityError(
        SecurityErrorCode.MissingCredentials,
        'no API key: send it in the x-api-key metadata',
      );
    }
    const match = KEY_PATTERN.exec(presented);
    if (!match)
      throw securityError(SecurityErrorCode.UnknownKey, 'the API key is not a key this gateway issued');
    const [, keyId, secret] = match;
    const now = Date.now();
    const cacheKey = `${keyId}:${secret}`;
    let entry = this.cache.get(cacheKey);
    if (!entry || entry.until < now) {
      const generation = this.generation;
      entry = await this.verify(keyId, secret, now + (this.feed?.live ? LIVE_CACHE_MS : CACHE_MS));
      // A change heard while the row was read may be newer than what was read: use, don't keep.
      // Unknown keys are not kept: made-up keys must not push good ones out (their senders
      // are throttled per address instead).
      if (generation === this.generation && entry.caller) {
        if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
        this.cache.set(cacheKey, entry);
      }
    }
    if (entry.revoked) throw securityError(SecurityErrorCode.RevokedKey, `API key ${keyId} has been revoked`);
    if (!entry.caller)
      throw securityError(SecurityErrorCode.UnknownKey, 'the API key is not a key this gateway issued');
    return entry.caller;
  }

  private async verify(keyId: string, secret: string, until: number) {
    const result = await this.pool.query<KeyRow>({
      name: 'vss-api-key-by-id',
      text: `SELECT key_id, secret_sha256, role, facility_code, office_code, label, revoked_at
             FROM vss.api_keys WHERE key_id = $1`,
      values: [keyId],
    });
    const row = result.rows[0];
    if (!row || !timingSafeEqual(row.secret_sha256, sha256(secret)))
      return { caller: undefined, revoked: false, until };
    const caller: Caller = {
      id: row.key_id,
      label: row.label,
      role: row.role,
      facilityCode: row.facility_code ?? undefined,
      officeCode: row.office_code ?? undefined,
      via: 'api-key',
    };
    return { caller, revoked: row.revoked_at !== null, until };
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
