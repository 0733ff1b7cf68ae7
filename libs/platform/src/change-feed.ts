import { Client, type Notification, type Pool } from 'pg';

export interface ChangeFeedHandlers {
  /** A NOTIFY on one of the channels arrived (the transaction that sent it has committed). */
  onChange(channel: string, payload: string): void;
  /**
   * The feed (re)started or stopped: notifications may have been missed, so a cache must drop
   * everything it holds.
   */
  onReset(): void;
}

export interface ChangeFeedOptions {
  channels: string[];
  /** Shown in pg_stat_activity. */
  applicationName: string;
  /** First delay before reconnecting; doubles up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * PostgreSQL LISTEN on a connection of its own, reconnecting with backoff when it is lost.
 *
 * Caches that trust it must follow two rules, both enforced by its users here: while `live` is
 * false they must not serve what they hold (changes may be going unheard), and every reset
 * empties them. The connection is opened with the pool's settings but outside the pool, so it
 * never takes a connection from the calls.
 */
export class ChangeFeed {
  private client: Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;
  private backoff: number;
  private connecting: Promise<void> | undefined;
  private isLive = false;

  constructor(
    private readonly pool: Pool,
    private readonly options: ChangeFeedOptions,
    private readonly handlers: ChangeFeedHandlers,
  ) {
    this.backoff = options.backoffMs ?? 100;
  }

  /** True while LISTEN is in effect: every committed change from now on will be heard. */
  get live(): boolean {
    return this.isLive;
  }

  /** Starts listening; resolves after the first attempt, whether or not it succeeded. */
  start(): Promise<void> {
    if (this.closed || this.client) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new Client({ ...this.pool.options, application_name: this.options.applicationName });
    const lost = () => this.lost(client);
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (n: Notification) => this.handlers.onChange(n.channel, n.payload ?? ''));
    try {
      await client.connect();
      for (const channel of this.options.channels) await client.query(`LISTEN ${quoteIdent(channel)}`);
    } catch {
      lost();
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.isLive = true;
    this.backoff = this.options.backoffMs ?? 100;
    // Anything cached before this moment may have changed unheard.
    this.handlers.onReset();
  }

  private lost(client: Client): void {
    client.removeAllListeners('end');
    client.removeAllListeners('notification');
    client.on('error', () => undefined);
    client.end().catch(() => undefined);
    // A late event of a connection already replaced changes nothing.
    if (this.client !== undefined && this.client !== client) return;
    this.client = undefined;
    if (this.isLive) {
      this.isLive = false;
      this.handlers.onReset();
    }
    if (this.closed || this.retry) return;
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.options.maxBackoffMs ?? 5000);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.start();
    }, delay);
    this.retry.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    await this.connecting;
    const client = this.client;
    this.client = undefined;
    this.isLive = false;
    if (client) {
      client.removeAllListeners('end');
      client.removeAllListeners('error');
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
    }
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
