import type { Pool } from 'pg';
import { ChangeFeed } from './change-feed';

/** The channels watch streams listen on (see migration WatchNotifications; payload: the ID). */
export const WATCH_CHANNELS = {
  procedures: 'vss_procedure_changed',
  runs: 'vss_run_changed',
} as const;

export interface ChangeSubscriber {
  /** Something of the key changed (or may have: after a reconnect, or while LISTEN is down). */
  onChange(): void;
  /** The process is shutting down: end the stream. */
  onClose(): void;
}

export interface ChangeHubOptions {
  channels: string[];
  applicationName: string;
  /** While LISTEN is down, every subscriber is told to look this often. */
  fallbackPollMs: number;
}

/**
 * One LISTEN connection per process for every watch stream: a NOTIFY `channel(key)` wakes the
 * subscribers of that key only, so an idle watch costs no query at all. A reconnect, or a
 * LISTEN that is down, wakes everyone (a change may have gone unheard), the latter at a slow
 * pace until LISTEN is back. Started by the first subscription.
 */
export class ChangeHub {
  private readonly subscribers = new Map<string, Set<ChangeSubscriber>>();
  private feed: ChangeFeed | undefined;
  private fallback: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly pool: Pool,
    private readonly options: ChangeHubOptions,
  ) {}

  /** Answers the unsubscribe. */
  subscribe(channel: string, key: string, subscriber: ChangeSubscriber): () => void {
    if (this.closed) {
      queueMicrotask(() => subscriber.onClose());
      return () => undefined;
    }
    this.start();
    const id = `${channel}:${key}`;
    let set = this.subscribers.get(id);
    if (!set) this.subscribers.set(id, (set = new Set()));
    set.add(subscriber);
    return () => {
      set.delete(subscriber);
      if (set.size === 0 && this.subscribers.get(id) === set) this.subscribers.delete(id);
    };
  }

  /** Subscribers now, for metrics and tests. */
  get size(): number {
    let n = 0;
    for (const set of this.subscribers.values()) n += set.size;
    return n;
  }

  get live(): boolean {
    return this.feed?.live ?? false;
  }

  /** Ends every subscription (onClose) and stops listening. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.fallback) clearInterval(this.fallback);
    const all = [...this.subscribers.values()].flatMap((set) => [...set]);
    this.subscribers.clear();
    for (const subscriber of all) subscriber.onClose();
    await this.feed?.close();
  }

  private start(): void {
    if (this.feed) return;
    this.feed = new ChangeFeed(
      this.pool,
      { channels: this.options.channels, applicationName: this.options.applicationName },
      {
        onChange: (channel, key) => this.wake(this.subscribers.get(`${channel}:${key}`)),
        onReset: () => this.wakeAll(),
      },
    );
    void this.feed.start();
    this.fallback = setInterval(() => {
      if (!this.feed?.live) this.wakeAll();
    }, this.options.fallbackPollMs);
    this.fallback.unref();
  }

  private wakeAll(): void {
    for (const set of this.subscribers.values()) this.wake(set);
  }

  private wake(set: Set<ChangeSubscriber> | undefined): void {
    if (!set) return;
    for (const subscriber of [...set]) subscriber.onChange();
  }
}

/**
 * `read` run on demand, never two at once: a demand while it runs is remembered and runs it
 * once more after (so the last change is always read), however many demands came meanwhile.
 * A rejection goes to `onError` and stops it; so does `stop()`.
 */
export function coalesced(read: () => Promise<void>, onError: (error: unknown) => void) {
  let reading = false;
  let again = false;
  let stopped = false;
  const run = (): void => {
    if (stopped) return;
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    read().then(
      () => {
        reading = false;
        if (again) {
          again = false;
          run();
        }
      },
      (error: unknown) => {
        stopped = true;
        onError(error);
      },
    );
  };
  return { run, stop: () => (stopped = true) };
}
