import { TokenBucket } from 'limiter';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';
import { Counter, Gauge } from 'prom-client';
import { VIETNAM_OFFSET_MS } from '@vss/domain';
import { ChangeFeed, Clock } from '@vss/platform';
import type { Caller, Role } from '@vss/security';
import { type LimitName, type LimitSpec, parseLimitSpec, shareOf } from '@vss/domain';
import { limitExceeded } from './limits.errors';

export const CALLER_LIMITS_CHANNEL = 'vss_caller_limits_changed';
/** A gateway that has not reported for this long no longer counts towards the fleet. */
const FLEET_STALE_SECONDS = 15;
const DAY_MS = 86_400_000;
/** Calendar days are Vietnam's (UTC+7, no daylight saving). */

/** What a role's daily quota counts. */
const UNIT: Record<Role, string> = {
  clinic: 'lookups',
  'civil-registry': 'filings',
  admin: 'person searches',
  'registry-peer': 'calls',
};

/** Whose quota it is, in a refusal's words. */
function holderOf(caller: Caller): string {
  if (caller.role === 'clinic' && caller.facilityCode)
    return `facility ${caller.facilityCode} (all its keys)`;
  if (caller.role === 'civil-registry' && caller.officeCode)
    return `office ${caller.officeCode} (all its keys)`;
  if (caller.operator) return `operator ${caller.operator.login}`;
  return 'this key';
}

const refusals = new Counter({
  name: 'vss_caller_limit_refusals_total',
  help: 'Calls refused with RESOURCE_EXHAUSTED, by caller and by the limit reached',
  labelNames: ['caller', 'limit'] as const,
});
const fleetSize = new Gauge({
  name: 'vss_gateway_fleet_size',
  help: 'Gateways serving, as this process last counted them (each enforces its share of a limit)',
});

export interface CallerLimitsOptions {
  /** Every role's limits: ROLE_DEFAULTS with what configuration changed. */
  roles: Record<Role, LimitSpec>;
  /** How often usage is written to and read from PostgreSQL and the fleet counted. */
  syncMs: number;
  logger: Logger;
  /** Off only to measure what the limits cost. */
  enabled?: boolean;
}

/** What a call holds while it runs: released once when it ends, however it ends. */
export interface Permit {
  release(): void;
  /** The stream's longest life in ms (undefined: unlimited or not a stream). */
  streamMs: number | undefined;
}

interface CallerState {
  caller: Caller;
  spec: LimitSpec;
  bucket: TokenBucket | undefined;
  calls: number;
  streams: number;
  /** The daily quota this caller spends, shared with every credential of the same holder. */
  quota: QuotaState;
}

/** A daily quota's spending: one per holder (a facility, an office, an operator, else a credential). */
interface QuotaState {
  day: string;
  /** Lookups of `day` the fleet had spent at the last sync, this process's included. */
  fleetUsed: number;
  /** Lookups this process spent since its last sync. */
  pending: number;
  /** Lookups being written by the sync in progress. */
  flushing: number;
}

/**
 * Whose daily quota a call spends: a clinic's facility, a civil registry's office, an admin
 * credential's operator — all their credentials together, so that five keys of one hospital
 * are not five quotas — else the credential itself.
 */
export function quotaKeyOf(caller: Caller): string {
  if (caller.role === 'clinic' && caller.facilityCode) return `facility:${caller.facilityCode}`;
  if (caller.role === 'civil-registry' && caller.officeCode) return `office:${caller.officeCode}`;
  if (caller.operator) return `operator:${caller.operator.login}`;
  return caller.id;
}

/**
 * Per-caller limits, enforced in each gateway process and holding for the fleet:
 *
 * - the rate is divided among the gateways serving (each counts the fleet in
 *   vss.gateway_instances every sync), so N gateways together refill at the configured rate;
 *   the burst is not divided, so that a full batch always fits one gateway;
 * - the daily quota is shared state: every sync adds this process's spending to
 *   vss.caller_usage and reads the fleet's total back, so the fleet overshoots a quota by at
 *   most what its gateways admit in one sync interval;
 * - calls and streams at once are each process's share of the configured number.
 *
 * No query is made on the call's path: a decision is a few map reads and a token bucket.
 * Per-key limits (vss.caller_limits, `npm run cli -- limits set`) replace the role's, and are
 * reloaded on NOTIFY.
 */
export class CallerLimits {
  private readonly instanceId = randomUUID();
  private readonly states = new Map<string, CallerState>();
  private readonly quotas = new Map<string, QuotaState>();
  private overrides = new Map<string, string>();
  private gateways = 1;
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private feed: ChangeFeed | undefined;
  /** How to end each open stream, by caller: for a revocation. */
  private readonly streamEnds = new Map<string, Set<(error: Error) => void>>();
  /** Today in Vietnam, kept for the day: the quotas' day is read on every call. */
  private readonly day = new Clock();
  readonly enabled: boolean;

  constructor(
    private readonly pool: Pool,
    private readonly options: CallerLimitsOptions,
  ) {
    this.enabled = options.enabled ?? true;
  }

  async start(): Promise<void> {
    if (!this.enabled) return;
    this.feed = new ChangeFeed(
      this.pool,
      { channels: [CALLER_LIMITS_CHANNEL], applicationName: 'limits:listen' },
      { onChange: () => void this.reload(), onReset: () => void this.reload() },
    );
    await this.feed.start();
    await this.reload();
    await this.sync();
    this.timer = setInterval(() => void this.sync(), this.options.syncMs);
    this.timer.unref();
  }

  /** Writes what is pending and leaves the fleet. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.feed?.close();
    if (!this.enabled) return;
    await this.syncing;
    await this.sync();
    await this.pool
      .query('DELETE FROM vss.gateway_instances WHERE instance_id = $1', [this.instanceId])
      .catch(() => undefined);
  }

  /** The limits a caller has: its key's own where set, else its role's. */
  /**
   * For the console: the limits set per caller (caller ID → spec text), today's use of each
   * daily quota (quota holder → count, in Vietnam's day), and this process's refusals by
   * caller and limit.
   */
  async overview(): Promise<{
    overrides: Array<{ callerId: string; limits: string; note: string | null }>;
    usedToday: Array<{ holder: string; used: number }>;
    refusals: Array<{ callerId: string; limit: string; count: number }>;
  }> {
    const [overrides, used, counted] = await Promise.all([
      this.pool.query<{ callerId: string; limits: string; note: string | null }>(
        `SELECT caller_id AS "callerId", limits, note FROM vss.caller_limits ORDER BY caller_id`,
      ),
      this.pool.query<{ holder: string; used: number }>(
        `SELECT caller_id AS holder, used::int AS used FROM vss.caller_usage WHERE day = $1 ORDER BY used DESC LIMIT 500`,
        [this.day.today()],
      ),
      refusals.get(),
    ]);
    return {
      overrides: overrides.rows,
      usedToday: used.rows,
      refusals: counted.values
        .filter((v) => v.value > 0)
        .map((v) => ({ callerId: String(v.labels.caller), limit: String(v.labels.limit), count: v.value })),
    };
  }

  specOf(caller: Caller): LimitSpec {
    const base = this.options.roles[caller.role];
    const override = this.overrides.get(caller.id);
    if (override === undefined) return base;
    try {
      return parseLimitSpec(override, base);
    } catch (error) {
      this.options.logger.warn(
        { caller: caller.id, err: error },
        "a caller's stored limits do not parse; its role's apply",
      );
      return base;
    }
  }

  /**
   * Admits a call, or throws RESOURCE_EXHAUSTED naming the limit and when to retry.
   * `lookups` is what the call spends of the rate and the daily quota (0 for calls that read
   * no person's coverage: they spend 1 of the rate only).
   */
  admit(caller: Caller, call: { lookups: number; stream: boolean }): Permit {
    if (!this.enabled) return { release: () => undefined, streamMs: undefined };
    const state = this.stateOf(caller);
    const { spec } = state;
    const calls = shareOf(spec.calls, this.gateways);
    if (calls !== undefined && state.calls >= calls) {
      this.refuse(caller, 'calls', `${spec.calls} calls at once for this key; wait for one to finish`, 1);
    }
    if (call.stream) {
      const streams = shareOf(spec.streams, this.gateways);
      if (streams !== undefined && state.streams >= streams) {
        this.refuse(caller, 'streams', `${spec.streams} open streams for this key; close one first`, 1);
      }
    }
    const quota = state.quota;
    if (call.lookups > 0 && spec.daily !== undefined) {
      this.rollDay(quota);
      const used = quota.fleetUsed + quota.pending + quota.flushing;
      if (used + call.lookups > spec.daily) {
        this.refuse(
          caller,
          'daily',
          `daily quota of ${spec.daily} ${UNIT[caller.role]} reached for ${holderOf(caller)} (${Math.max(0, spec.daily - used)} left today, this call needs ${call.lookups})`,
          secondsToNextDay(),
        );
      }
    }
    if (state.bucket && spec.burst !== undefined) {
      const cost = Math.max(1, call.lookups);
      if (cost > spec.burst) {
        this.refuse(
          caller,
          'burst',
          `a call of ${cost} lookups exceeds this key's burst of ${spec.burst}; split it`,
          1,
        );
      }
      if (!state.bucket.tryRemoveTokens(cost)) {
        const wait = Math.max(1, Math.ceil(state.bucket.getWaitTime(cost) / 1000));
        this.refuse(caller, 'rate', `rate of ${spec.rate} lookups per second reached for this key`, wait);
      }
    }
    quota.pending += call.lookups;
    state.calls += 1;
    if (call.stream) state.streams += 1;
    let released = false;
    return {
      streamMs: call.stream && spec.streamSeconds !== undefined ? spec.streamSeconds * 1000 : undefined,
      release: () => {
        if (released) return;
        released = true;
        state.calls -= 1;
        if (call.stream) state.streams -= 1;
      },
    };
  }

  /** Registers how to end one of a caller's open streams; answers the unregistration. */
  trackStream(callerId: string, end: (error: Error) => void): () => void {
    let ends = this.streamEnds.get(callerId);
    if (!ends) this.streamEnds.set(callerId, (ends = new Set()));
    ends.add(end);
    return () => {
      ends.delete(end);
      if (ends.size === 0 && this.streamEnds.get(callerId) === ends) this.streamEnds.delete(callerId);
    };
  }

  /** Ends every open stream of a caller (its key or certificate was revoked) with `error`. */
  endStreamsOf(callerId: string, error: Error): number {
    const ends = [...(this.streamEnds.get(callerId) ?? [])];
    for (const end of ends) end(error);
    return ends.length;
  }

  /** Refusals as a stream-life limit ends a stream. */
  streamExpired(caller: Caller, seconds: number): Error {
    refusals.inc({ caller: caller.id, limit: 'stream-seconds' });
    return limitExceeded('streamSeconds', `streams of this key last at most ${seconds} s; open it again`, 0);
  }

  private refuse(caller: Caller, limit: LimitName, message: string, retryAfterSeconds: number): never {
    refusals.inc({ caller: caller.id, limit: limit === 'streamSeconds' ? 'stream-seconds' : limit });
    throw limitExceeded(limit, message, retryAfterSeconds);
  }

  private stateOf(caller: Caller): CallerState {
    let state = this.states.get(caller.id);
    if (!state) {
      const spec = this.specOf(caller);
      state = {
        caller,
        spec,
        bucket: this.bucketFor(spec, undefined),
        calls: 0,
        streams: 0,
        quota: this.quotaOf(quotaKeyOf(caller)),
      };
      this.states.set(caller.id, state);
    }
    return state;
  }

  /** A bucket refilling at this process's share of the rate; starts full (or as full as before). */
  private bucketFor(spec: LimitSpec, previous: TokenBucket | undefined): TokenBucket | undefined {
    if (spec.rate === undefined || spec.burst === undefined) return undefined;
    const bucket = new TokenBucket({
      bucketSize: spec.burst,
      tokensPerInterval: shareOf(spec.rate, this.gateways, true)!,
      interval: 'second',
    });
    bucket.content = previous ? Math.min(spec.burst, previous.content) : spec.burst;
    return bucket;
  }

  private quotaOf(key: string): QuotaState {
    let quota = this.quotas.get(key);
    if (!quota) {
      quota = { day: this.day.today(), fleetUsed: 0, pending: 0, flushing: 0 };
      this.quotas.set(key, quota);
    }
    return quota;
  }

  private rollDay(quota: QuotaState): void {
    const today = this.day.today();
    if (quota.day !== today) {
      quota.day = today;
      quota.fleetUsed = 0;
      quota.pending = 0;
    }
  }

  /** Re-reads per-key limits and applies them (and the fleet's size) to every known caller. */
  private async reload(): Promise<void> {
    try {
      const { rows } = await this.pool.query<{ caller_id: string; limits: string }>(
        'SELECT caller_id, limits FROM vss.caller_limits',
      );
      this.overrides = new Map(rows.map((r) => [r.caller_id, r.limits]));
    } catch (error) {
      this.options.logger.warn({ err: error }, 'per-key limits could not be read; the last ones read apply');
      return;
    }
    for (const state of this.states.values()) {
      state.spec = this.specOf(state.caller);
      state.bucket = this.bucketFor(state.spec, state.bucket);
    }
  }

  private sync(): Promise<void> {
    this.syncing ??= this.syncOnce().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  /**
   * One round trip: report this gateway alive, add what it spent, and read back the fleet's
   * size and the fleet's spending of every caller it knows. On failure (the database away)
   * nothing is lost: spending stays pending and the last figures apply.
   */
  private async syncOnce(): Promise<void> {
    const spentIds: string[] = [];
    const spentDays: string[] = [];
    const spent: number[] = [];
    const readIds: string[] = [];
    const readDays: string[] = [];
    const flushed: QuotaState[] = [];
    const limited = new Set<QuotaState>();
    for (const state of this.states.values()) if (state.spec.daily !== undefined) limited.add(state.quota);
    for (const [id, state] of this.quotas) {
      this.rollDay(state);
      if (!limited.has(state) && state.pending === 0) continue;
      if (state.pending > 0) {
        spentIds.push(id);
        spentDays.push(state.day);
        spent.push(state.pending);
        state.flushing += state.pending;
        state.pending = 0;
        flushed.push(state);
      } else {
        readIds.push(id);
        readDays.push(state.day);
      }
    }
    try {
      const { rows } = await this.pool.query<{ caller_id: string | null; used: string }>({
        name: 'vss-limits-sync',
        text: `WITH alive AS (
                 INSERT INTO vss.gateway_instances (instance_id, seen_at) VALUES ($1, now())
                 ON CONFLICT (instance_id) DO UPDATE SET seen_at = now()
               ), gone AS (
                 DELETE FROM vss.gateway_instances WHERE seen_at < now() - interval '1 day'
               ), spent AS (
                 INSERT INTO vss.caller_usage (caller_id, day, used)
                 SELECT * FROM unnest($2::text[], $3::date[], $4::bigint[])
                 ON CONFLICT (caller_id, day) DO UPDATE SET used = vss.caller_usage.used + excluded.used
                 RETURNING caller_id, used
               )
               SELECT caller_id, used::text FROM spent
               UNION ALL
               SELECT u.caller_id, u.used::text
               FROM unnest($5::text[], $6::date[]) AS r(caller_id, day)
               JOIN vss.caller_usage u ON u.caller_id = r.caller_id AND u.day = r.day
               UNION ALL
               SELECT NULL, (count(*) + 1)::text FROM vss.gateway_instances
               WHERE instance_id <> $1 AND seen_at > now() - make_interval(secs => $7)`,
        values: [this.instanceId, spentIds, spentDays, spent, readIds, readDays, FLEET_STALE_SECONDS],
      });
      const used = new Map<string, number>();
      let gateways = 1;
      for (const row of rows) {
        if (row.caller_id === null) gateways = Number(row.used);
        else used.set(row.caller_id, Number(row.used));
      }
      for (const [i, state] of flushed.entries()) state.flushing -= spent[i];
      for (const [id, state] of this.quotas) {
        const fleet = used.get(id);
        if (fleet !== undefined) state.fleetUsed = fleet;
      }
      this.resize(gateways);
    } catch (error) {
      for (const [i, state] of flushed.entries()) {
        state.flushing -= spent[i];
        state.pending += spent[i];
      }
      this.options.logger.debug({ err: error }, 'limits could not be synchronised; the last figures apply');
    }
  }

  private resize(gateways: number): void {
    fleetSize.set(gateways);
    if (gateways === this.gateways) return;
    this.gateways = gateways;
    for (const state of this.states.values()) state.bucket = this.bucketFor(state.spec, state.bucket);
  }
}

function secondsToNextDay(): number {
  const local = Date.now() + VIETNAM_OFFSET_MS;
  return Math.ceil((DAY_MS - (local % DAY_MS)) / 1000);
}
