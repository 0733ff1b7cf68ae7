import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { ChangeFeed } from '@vss/platform';
import { type PeerRight, type RegistryPeer, RegistryPeersRepository } from './registry-peers.repository';

export const PEERS_CHANNEL = 'npd_registry_peers_changed';
/** While the change feed is down, the peers are read again this often. */
const REFRESH_MS = 5_000;

/** Why a certificate is refused, or the peer it is. */
export type PeerCheck =
  | { ok: true; peer: RegistryPeer }
  | { ok: false; reason: 'unregistered' | 'revoked' | 'expired' | 'no-right'; peer?: RegistryPeer };

/**
 * The registered peers, held in memory (a handful of rows) and read again on every change
 * (LISTEN npd_registry_peers_changed), or every 5 s while that connection is down: a
 * revocation takes effect at the next call, on connections already open.
 */
export class RegistryPeers {
  private byFingerprint = new Map<string, RegistryPeer>();
  private readonly repository: RegistryPeersRepository;
  private readonly feed: ChangeFeed;
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;

  constructor(
    pool: Pool,
    private readonly logger: Logger,
  ) {
    this.repository = new RegistryPeersRepository(pool);
    this.feed = new ChangeFeed(
      pool,
      { channels: [PEERS_CHANNEL], applicationName: 'population-registry:peers-listen' },
      { onChange: () => void this.refresh(), onReset: () => void this.refresh() },
    );
  }

  async start(): Promise<void> {
    await this.refresh();
    await this.feed.start();
    this.timer = setInterval(() => {
      if (!this.feed.live) void this.refresh();
    }, REFRESH_MS);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.feed.close();
  }

  /** Whether the certificate (its fingerprint, as TLS verified it) may exercise `right` now. */
  check(fingerprint256: string, right: PeerRight | undefined, now = new Date()): PeerCheck {
    const peer = this.byFingerprint.get(fingerprint256);
    if (!peer) return { ok: false, reason: 'unregistered' };
    if (peer.revokedAt) return { ok: false, reason: 'revoked', peer };
    if (peer.notAfter.getTime() <= now.getTime()) return { ok: false, reason: 'expired', peer };
    if (!right || !peer.rights.includes(right)) return { ok: false, reason: 'no-right', peer };
    return { ok: true, peer };
  }

  private refresh(): Promise<void> {
    this.reading ??= this.repository
      .all()
      .then(
        (peers) => {
          this.byFingerprint = new Map(peers.map((p) => [p.fingerprint256, p]));
        },
        (error: unknown) =>
          this.logger.warn({ err: error }, 'registry peers could not be read; keeping the last known'),
      )
      .finally(() => (this.reading = undefined));
    return this.reading;
  }
}
