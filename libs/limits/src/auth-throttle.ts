import { TokenBucket } from 'limiter';
import { Counter } from 'prom-client';
import type { AuthThrottle } from '@vss/security';
import { authenticationThrottled } from './limits.errors';

const throttled = new Counter({
  name: 'vss_auth_throttled_total',
  help: 'Calls refused before authentication because their address failed to authenticate too often',
});

export interface AuthThrottleOptions {
  /** Failed authentications an address may make at once… */
  burst: number;
  /** …and per second after that. */
  ratePerSecond: number;
  /** Addresses remembered; the longest-quiet are forgotten first. */
  maxPeers?: number;
}

/**
 * Failed authentications per peer address, as token buckets: an address that keeps presenting
 * unknown keys or certificates is refused before its key is even looked at, so it costs no
 * query and cannot churn the cache of good keys. Addresses that authenticate are never charged.
 */
export class PeerAuthThrottle implements AuthThrottle {
  private readonly peers = new Map<string, TokenBucket>();
  private readonly maxPeers: number;

  constructor(private readonly options: AuthThrottleOptions) {
    this.maxPeers = options.maxPeers ?? 50_000;
  }

  /** Throws RESOURCE_EXHAUSTED while the address has no failures left. */
  check(peer: string): void {
    const bucket = this.peers.get(peer);
    if (!bucket) return;
    if (bucket.getWaitTime(1) > 0) {
      throttled.inc();
      throw authenticationThrottled(Math.max(1, Math.ceil(bucket.getWaitTime(1) / 1000)));
    }
  }

  failed(peer: string): void {
    let bucket = this.peers.get(peer);
    if (bucket) {
      this.peers.delete(peer); // re-inserted last: the map's order is the forgetting order
    } else {
      if (this.peers.size >= this.maxPeers) this.peers.delete(this.peers.keys().next().value!);
      bucket = new TokenBucket({
        bucketSize: this.options.burst,
        tokensPerInterval: this.options.ratePerSecond,
        interval: 'second',
      });
      bucket.content = this.options.burst;
    }
    this.peers.set(peer, bucket);
    bucket.tryRemoveTokens(1);
  }
}
