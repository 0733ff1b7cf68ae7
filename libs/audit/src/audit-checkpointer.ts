import type { KeyObject } from 'node:crypto';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { signCheckpoint } from './audit-chain';

/**
 * Signs the head of the audit chain every `intervalSeconds` (when it moved) and once more at
 * shutdown. Several gateways may each run one: a head signed twice is kept once.
 */
export class AuditCheckpointer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly pool: Pool,
    private readonly key: KeyObject,
    private readonly logger: Logger,
  ) {}

  start(intervalSeconds: number): void {
    if (intervalSeconds <= 0) return;
    this.timer = setInterval(() => void this.checkpoint(), intervalSeconds * 1000);
    this.timer.unref();
  }

  /** Signs the head now; failures are logged (the next tick tries again). */
  checkpoint(): Promise<unknown> {
    this.running = this.running.then(() =>
      signCheckpoint(this.pool, this.key).then(
        (c) => c && this.logger.debug({ seq: c.seq }, 'audit checkpoint signed'),
        (error: unknown) => this.logger.warn({ err: error }, 'audit checkpoint failed; will try again'),
      ),
    );
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.checkpoint();
  }
}
