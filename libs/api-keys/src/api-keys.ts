import { createHash, hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { operatorIdentityOf, personLabel } from './operator-identity';
import type { Pool } from 'pg';
import { ChangeFeed } from '@vss/platform';
import {
  type ApiKeyAuthenticator,
  type Caller,
  type OperatorRole,
  type Role,
  SecurityErrorCode,
  securityError,
} from '@vss/security';

export interface IssueKeyRequest {
  role: Role;
  label: string;
  facilityCode?: string;
  officeCode?: string;
  /** The operator (login) an admin key is issued to: required for admin keys. */
  operatorLogin?: string;
  /** Days until the key stops working; admin keys default to ADMIN_KEY_DAYS, others never expire. */
  validDays?: number;
}

/** How long an admin key works unless told otherwise: it is rotated (`keys rotate`) before then. */
export const ADMIN_KEY_DAYS = 90;

/** A key made and checked, not yet stored. */
export interface PreparedKey {
  keyId: string;
  /** Shown once; never stored. */
  apiKey: string;
  /** What is stored instead: the SHA-256 of the secret, hex. */
  secretSha256: string;
  operatorId?: string;
  validDays?: number;
}

export interface IssuedKey {
  keyId: string;
  /** Shown once; only its hash is stored. */
  apiKey: string;
  /** When it stops working, if it does. */
  expiresAt?: Date;
}

interface KeyRow {
  key_id: string;
  secret_sha256: Buffer;
  role: Role;
  facility_code: string | null;
  office_code: string | null;
  label: string;
  revoked_at: Date | null;
  expires_at: Date | null;
  operator_id: string | null;
  operator_login: string | null;
  operator_name: string | null;
  operator_roles: OperatorRole[] | null;
  operator_active: boolean | null;
}

/** Why a key that was issued does not work now, if it does not. */
type KeyState = 'valid' | 'revoked' | 'expired' | 'operator-disabled';

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
/** A key's last use is written at most this often per gateway. */
const USE_NOTED_MS = 60_000;
export const API_KEYS_CHANNEL = 'vss_api_keys_changed';
const KEY_PATTERN = /^vss_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

/**
 * Per-caller API keys: `vss_<key id>_<secret>`. The secret has 256 bits of entropy, so a
 * single SHA-256 is a sufficient hash (slow password hashes exist for guessable secrets)
 * and keeps verification off the hot path's budget.
 */
export class ApiKeys implements ApiKeyAuthenticator {
  private readonly cache = new Map<
    string,
    { caller: Caller | undefined; state: KeyState; expiresAt?: Date; until: number }
  >();
  private feed: ChangeFeed | undefined;
  /** Bumped by every change heard, so that a verification racing a revocation is not cached. */
  private generation = 0;
  private readonly revoked = new Set<(callerId: string) => void>();
  /** When this gateway last wrote each key's last use (noteUse). */
  private readonly usesNoted = new Map<string, number>();

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
        `SELECT k.revoked_at IS NOT NULL OR o.active IS FALSE AS revoked
         FROM vss.api_keys k LEFT JOIN vss.operators o USING (operator_id) WHERE k.key_id = $1`,
        [keyId],
      )
      .catch(() => ({ rows: [] as { revoked: boolean }[] }));
    if (rows[0]?.revoked) for (const listener of this.revoked) listener(keyId);
  }

  private forget(keyId: string): void {
    this.generation++;
    for (const cached of this.cache.keys()) if (cached.startsWith(`${keyId}:`)) this.cache.delete(cached);
  }

  /**
   * Checks a request and makes its key, without storing it: `issue` stores it at once; a key
   * held for a second person's approval is stored when they approve (`store`), its secret
   * having been shown once to the person who asked.
   */
  async prepare(request: IssueKeyRequest): Promise<PreparedKey> {
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
    if (request.label.trim() === '' || request.label.length > 200) {
      throw securityError(
        SecurityErrorCode.InvalidKeyRequest,
        'a key needs a label of 1 to 200 characters: who holds it',
        'label',
      );
    }
    const operatorId = await this.operatorFor(request);
    if (request.officeCode) await this.requireOffice(request.officeCode);
    const validDays = request.validDays ?? (request.role === 'admin' ? ADMIN_KEY_DAYS : undefined);
    if (validDays !== undefined && (!Number.isInteger(validDays) || validDays < 1 || validDays > 3650)) {
      throw securityError(SecurityErrorCode.InvalidKeyRequest, 'a key is valid for 1 to 3650 days', 'days');
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
    return {
      keyId,
      apiKey: `vss_${keyId}_${secret}`,
      secretSha256: sha256(secret).toString('hex'),
      operatorId,
      validDays,
    };
  }

  /** Stores a prepared key (on the caller's transaction when given one); answers when it expires. */
  async store(
    db: Pick<Pool, 'query'>,
    request: IssueKeyRequest,
    prepared: Omit<PreparedKey, 'apiKey'>,
  ): Promise<Date | undefined> {
    const inserted = await db.query<{ expires_at: Date | null }>(
      `INSERT INTO vss.api_keys (key_id, secret_sha256, role, facility_code, office_code, label, operator_id, expires_at)
       VALUES ($1, decode($2, 'hex'), $3, $4, $5, $6, $7, now() + make_interval(days => $8::int))
       RETURNING expires_at`,
      [
        prepared.keyId,
        prepared.secretSha256,
        request.role,
        request.facilityCode ?? null,
        request.officeCode ?? null,
        request.label,
        prepared.operatorId ?? null,
        prepared.validDays ?? null,
      ],
    );
    return inserted.rows[0].expires_at ?? undefined;
  }

  async issue(request: IssueKeyRequest): Promise<IssuedKey> {
    const prepared = await this.prepare(request);
    const expiresAt = await this.store(this.pool, request, prepared);
    return { keyId: prepared.keyId, apiKey: prepared.apiKey, expiresAt };
  }

  /**
   * A new key with the same role, binding and label, valid as long as a new one would be; the
   * old key keeps working for `graceHours` (0: it is revoked at once), so that the systems using
   * it can switch without an outage.
   */
  async rotate(keyId: string, graceHours = 24): Promise<IssuedKey & { previousUntil: Date }> {
    const { rows } = await this.pool.query<{
      role: Role;
      facility_code: string | null;
      office_code: string | null;
      label: string;
      login: string | null;
    }>(
      `SELECT k.role, k.facility_code, k.office_code, k.label, o.login
       FROM vss.api_keys k LEFT JOIN vss.operators o USING (operator_id)
       WHERE k.key_id = $1 AND k.revoked_at IS NULL`,
      [keyId],
    );
    const old = rows[0];
    if (!old) {
      throw securityError(SecurityErrorCode.InvalidKeyRequest, `key ${keyId} is unknown or revoked`, 'key');
    }
    const issued = await this.issue({
      role: old.role,
      facilityCode: old.facility_code ?? undefined,
      officeCode: old.office_code ?? undefined,
      label: old.label,
      operatorLogin: old.login ?? undefined,
    });
    const ended = await this.pool.query<{ until: Date }>(
      `UPDATE vss.api_keys SET
         expires_at = LEAST(COALESCE(expires_at, 'infinity'), now() + make_interval(hours => $2::int)),
         revoked_at = CASE WHEN $2::int = 0 THEN now() ELSE revoked_at END
       WHERE key_id = $1 RETURNING COALESCE(revoked_at, expires_at) AS until`,
      [keyId, graceHours],
    );
    this.forget(keyId);
    return { ...issued, previousUntil: ended.rows[0].until };
  }

  /** The operator an admin key is issued to; only admin keys name one. */
  private async operatorFor(request: IssueKeyRequest): Promise<string | undefined> {
    if (request.role !== 'admin') {
      if (request.operatorLogin) {
        throw securityError(
          SecurityErrorCode.InvalidKeyRequest,
          'only admin keys are issued to an operator; machine keys name their facility or office',
          'operator',
        );
      }
      return undefined;
    }
    if (!request.operatorLogin) {
      throw securityError(
        SecurityErrorCode.InvalidKeyRequest,
        'an admin key is issued to a named operator: give --operator <login> (see `operators add`)',
        'operator',
      );
    }
    const { rows } = await this.pool.query<{ operator_id: string; active: boolean }>(
      'SELECT operator_id, active FROM vss.operators WHERE login = $1',
      [request.operatorLogin],
    );
    if (!rows[0]) {
      throw securityError(
        SecurityErrorCode.InvalidKeyRequest,
        `no operator has the login ${request.operatorLogin} (see \`operators list\`)`,
        'operator',
      );
    }
    if (!rows[0].active) {
      throw securityError(
        SecurityErrorCode.InvalidKeyRequest,
        `operator ${request.operatorLogin} is disabled`,
        'operator',
      );
    }
    return rows[0].operator_id;
  }

  private async requireOffice(officeCode: string): Promise<void> {
    const { rows } = await this.pool.query<{ active: boolean }>(
      'SELECT active FROM vss.civil_registry_offices WHERE office_code = $1',
      [officeCode],
    );
    if (!rows[0]?.active) {
      throw securityError(
        SecurityErrorCode.InvalidKeyRequest,
        `${officeCode} is not a registered${rows[0] ? ', active' : ''} civil registry office (see \`offices list\`)`,
        'office',
      );
    }
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

  async list(): Promise<
    Array<{
      key_id: string;
      role: Role;
      facility_code: string | null;
      office_code: string | null;
      operator: string | null;
      label: string;
      created_at: Date;
      expires_at: Date | null;
      revoked_at: Date | null;
      last_used_at: Date | null;
    }>
  > {
    const result = await this.pool.query(
      `SELECT k.key_id, k.role, k.facility_code, k.office_code, o.login AS operator, k.label, k.created_at,
         k.expires_at, k.revoked_at, k.last_used_at
       FROM vss.api_keys k LEFT JOIN vss.operators o USING (operator_id) ORDER BY k.created_at`,
    );
    return result.rows;
  }

  /**
   * The caller of a key verified lately and still good, without asking the database; undefined
   * otherwise (`authenticate` then says why). What `authenticate` would answer, for one hash of
   * the secret where asking first and authenticating after took two.
   */
  cachedCaller(presented: string | undefined): Caller | undefined {
    const match = presented ? KEY_PATTERN.exec(presented) : null;
    if (!match) return undefined;
    const entry = this.cache.get(cacheKeyOf(match[1], match[2]));
    const now = Date.now();
    const good =
      entry !== undefined &&
      entry.caller !== undefined &&
      entry.state === 'valid' &&
      entry.until >= now &&
      (entry.expiresAt === undefined || entry.expiresAt.getTime() > now);
    return good ? entry.caller : undefined;
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
    const cacheKey = cacheKeyOf(keyId, secret);
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
    if (!entry.caller)
      throw securityError(SecurityErrorCode.UnknownKey, 'the API key is not a key this gateway issued');
    const state = entry.expiresAt && entry.expiresAt.getTime() <= now ? 'expired' : entry.state;
    if (state === 'revoked')
      throw securityError(SecurityErrorCode.RevokedKey, `API key ${keyId} has been revoked`);
    if (state === 'expired') {
      throw securityError(
        SecurityErrorCode.ExpiredKey,
        `API key ${keyId} expired on ${entry.expiresAt!.toISOString()}; ask for a new one (\`keys rotate\`)`,
      );
    }
    if (state === 'operator-disabled') {
      throw securityError(
        SecurityErrorCode.OperatorDisabled,
        `API key ${keyId} was issued to operator ${entry.caller.operator?.login}, who is disabled`,
      );
    }
    return entry.caller;
  }

  /**
   * When a key was last used, to the minute: written as this gateway checks the key in the
   * database, at most once a minute per key — one statement, whatever the number of calls
   * checking it at once (2,000 streams opening with one key must not queue on its row) — and
   * never on the call's own path.
   */
  private noteUse(keyId: string): void {
    const now = Date.now();
    if (now - (this.usesNoted.get(keyId) ?? 0) < USE_NOTED_MS) return;
    if (this.usesNoted.size >= MAX_CACHED) this.usesNoted.clear();
    this.usesNoted.set(keyId, now);
    this.pool
      .query({
        name: 'vss-api-key-used',
        text: `UPDATE vss.api_keys SET last_used_at = now()
               WHERE key_id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
        values: [keyId],
      })
      .catch(() => undefined);
  }

  private async verify(keyId: string, secret: string, until: number) {
    const result = await this.pool.query<KeyRow>({
      name: 'vss-api-key-by-id',
      text: `SELECT k.key_id, k.secret_sha256, k.role, k.facility_code, k.office_code, k.label, k.revoked_at,
               k.expires_at, k.operator_id, o.login AS operator_login, o.display_name AS operator_name,
               o.roles AS operator_roles, o.active AS operator_active
             FROM vss.api_keys k LEFT JOIN vss.operators o USING (operator_id) WHERE k.key_id = $1`,
      values: [keyId],
    });
    const row = result.rows[0];
    if (!row || !timingSafeEqual(row.secret_sha256, sha256(secret)))
      return { caller: undefined, state: 'valid' as KeyState, until };
    this.noteUse(keyId);
    const operator = operatorIdentityOf(row);
    const caller: Caller = {
      id: row.key_id,
      // The audit trail names the person an admin key was issued to.
      label: operator ? personLabel(operator) : row.label,
      role: row.role,
      facilityCode: row.facility_code ?? undefined,
      officeCode: row.office_code ?? undefined,
      via: 'api-key',
      ...(operator ? { operator } : {}),
    };
    const state: KeyState =
      row.revoked_at !== null ? 'revoked' : row.operator_active === false ? 'operator-disabled' : 'valid';
    return { caller, state, expiresAt: row.expires_at ?? undefined, until };
  }
}

/**
 * What the verified-key cache is keyed by: the key's ID and a digest of its secret, so that no
 * secret stays in the gateway's memory once its call is answered (a heap dump shows none).
 */
function cacheKeyOf(keyId: string, secret: string): string {
  return `${keyId}:${hash('sha256', secret, 'base64url')}`;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
