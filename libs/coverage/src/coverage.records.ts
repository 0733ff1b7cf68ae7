import { hash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { GatewayConfig } from '@vss/platform';
import { ChangeFeed } from '@vss/platform';
import { APP_CONFIG, LOGGER, LOOKUP_POOL } from '@vss/platform';
import { registerCoverageMetrics } from './coverage.metrics';
import { type CoverageRecord, CoverageRecordsRepository, FacilitiesRepository } from '@vss/insurance-records';
import { ChangeFeedKeyRepository } from './change-feed-key.repository';

export const COVERAGE_CHANNEL = 'vss_coverage_changed';
/** Most IDs in one query; a batch lookup of 500 fits. */
const MAX_IDS_PER_QUERY = 500;
/** Queries of waiting lookups in flight at once; the rest gather for the next one. */
const MAX_QUERIES_IN_FLIGHT = 2;

interface Cached {
  records: CoverageRecord[];
  /** What the change feed calls this citizen (see tokenOf). */
  token: string;
}

interface Waiter {
  resolve(records: CoverageRecord[]): void;
  reject(error: unknown): void;
}

/**
 * The insurance records of citizens, read for the lookup's hot path.
 *
 * Two things make it cheap. Lookups that miss the cache at about the same time share one query
 * (`citizen_id = ANY($1)`), up to two queries in flight: under load each round trip answers
 * many calls, much as the audit trail's group commit writes many entries in one INSERT.
 * And answers are kept in memory, bounded, and coherent with the database through
 * LISTEN vss_coverage_changed (triggers of migration CoverageChangeFeed): a committed change to
 * a participant, card or facility drops the affected entries within milliseconds. The feed
 * names no citizen (migration OpaqueChangeFeed): it carries keyed tokens of the citizen IDs,
 * which the cache computes for what it holds, once per entry.
 *
 * Coherence rules: nothing is served from memory while the feed is down (every lookup goes to
 * the database, as it would without a cache); a reconnect empties the cache; and an answer
 * read while any change was heard is used for its own call but not kept, because the change
 * may be newer than the read. What is cached is the stored facts, never a decision: coverage is
 * decided per call for the visit date asked.
 */
@Injectable()
export class CoverageRecords {
  private readonly cache = new Map<string, Cached>();
  /** Token → citizen ID, for the cached citizens. */
  private readonly tokens = new Map<string, string>();
  private tokenKey: Buffer | undefined;
  private readonly facilities = new Map<string, boolean>();
  private readonly waiting = new Map<string, Waiter[]>();
  private readonly feed: ChangeFeed;
  private readonly maxEntries: number;
  private generation = 0;
  private inFlight = 0;
  private scheduled = false;
  private unregister: () => void = () => undefined;
  readonly stats = { hits: 0, misses: 0, queries: 0, invalidations: 0 };

  constructor(
    private readonly repository: CoverageRecordsRepository,
    private readonly facilityRecords: FacilitiesRepository,
    private readonly feedKey: ChangeFeedKeyRepository,
    @Inject(LOOKUP_POOL) pool: Pool,
    @Inject(APP_CONFIG) config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.maxEntries = config.COVERAGE_CACHE_ENTRIES;
    this.feed = new ChangeFeed(
      pool,
      { channels: [COVERAGE_CHANNEL], applicationName: 'gateway:coverage-listen' },
      { onChange: (_channel, payload) => this.invalidate(payload), onReset: () => this.reset() },
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    this.unregister = registerCoverageMetrics(this);
    if (this.maxEntries > 0) {
      this.tokenKey = await this.feedKey.key();
      await this.feed.start();
    }
    if (this.maxEntries > 0 && !this.feed.live) {
      this.logger.warn('coverage cache off until LISTEN vss_coverage_changed succeeds');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.unregister();
    await this.feed.close();
  }

  /** The records of one citizen; empty when VSS does not know the citizen. */
  get(citizenId: string): Promise<CoverageRecord[]> {
    if (this.feed.live) {
      const cached = this.cache.get(citizenId);
      if (cached) {
        this.stats.hits++;
        return Promise.resolve(cached.records);
      }
    }
    this.stats.misses++;
    return new Promise<CoverageRecord[]>((resolve, reject) => {
      const waiters = this.waiting.get(citizenId);
      if (waiters) waiters.push({ resolve, reject });
      else this.waiting.set(citizenId, [{ resolve, reject }]);
      this.schedule();
    });
  }

  /** Whether a facility code exists; facility changes empty the cache (`*`). */
  async facilityExists(facilityCode: string): Promise<boolean> {
    const cached = this.feed.live ? this.facilities.get(facilityCode) : undefined;
    if (cached !== undefined) return cached;
    const generation = this.generation;
    const exists = await this.facilityRecords.exists(facilityCode);
    // Bounded: codes are five digits, but a caller may send many unknown ones.
    if (this.feed.live && generation === this.generation && this.facilities.size < 100_000) {
      this.facilities.set(facilityCode, exists);
    }
    return exists;
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= MAX_QUERIES_IN_FLIGHT) return;
    this.scheduled = true;
    // Let the calls that arrived in this turn of the event loop join the query.
    setImmediate(() => {
      this.scheduled = false;
      this.query();
    });
  }

  private query(): void {
    if (this.waiting.size === 0 || this.inFlight >= MAX_QUERIES_IN_FLIGHT) return;
    const batch = new Map<string, Waiter[]>();
    for (const [id, waiters] of this.waiting) {
      batch.set(id, waiters);
      this.waiting.delete(id);
      if (batch.size >= MAX_IDS_PER_QUERY) break;
    }
    const generation = this.generation;
    const cacheable = this.feed.live && this.maxEntries > 0;
    this.inFlight++;
    this.stats.queries++;
    this.repository
      .recordsOf([...batch.keys()])
      .then(
        (found) => {
          const keep = cacheable && generation === this.generation;
          for (const [id, waiters] of batch) {
            const records = found.get(id) ?? [];
            if (keep) this.remember(id, records);
            for (const w of waiters) w.resolve(records);
          }
        },
        (error: unknown) => {
          for (const waiters of batch.values()) for (const w of waiters) w.reject(error);
        },
      )
      .finally(() => {
        this.inFlight--;
        if (this.waiting.size > 0) this.schedule();
      });
    if (this.waiting.size > 0) this.schedule();
  }

  private remember(citizenId: string, records: CoverageRecord[]): void {
    const known = this.cache.get(citizenId);
    if (known) {
      known.records = records;
      return;
    }
    if (this.cache.size >= this.maxEntries) {
      // Oldest entry out: insertion order is a fair stand-in for age at this cost.
      const oldest = this.cache.entries().next();
      if (!oldest.done) {
        this.cache.delete(oldest.value[0]);
        this.tokens.delete(oldest.value[1].token);
      }
    }
    const token = this.tokenOf(citizenId);
    this.cache.set(citizenId, { records, token });
    this.tokens.set(token, citizenId);
  }

  /** The feed's name for a citizen: the first 128 bits of SHA-256(key ‖ citizen ID), hex. */
  private tokenOf(citizenId: string): string {
    return hash('sha256', Buffer.concat([this.tokenKey!, Buffer.from(citizenId, 'utf8')]), 'hex').slice(
      0,
      32,
    );
  }

  private invalidate(payload: string): void {
    this.generation++;
    this.stats.invalidations++;
    if (payload === '*') {
      this.clear();
      return;
    }
    for (const token of payload.split(',')) {
      const citizenId = this.tokens.get(token);
      if (citizenId === undefined) continue;
      this.tokens.delete(token);
      this.cache.delete(citizenId);
    }
  }

  private reset(): void {
    this.generation++;
    this.clear();
  }

  private clear(): void {
    this.cache.clear();
    this.tokens.clear();
    this.facilities.clear();
  }

  /** Cached citizens, for metrics and tests. */
  get size(): number {
    return this.cache.size;
  }
}
