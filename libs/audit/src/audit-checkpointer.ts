import type { KeyObject } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { type Checkpoint, checkpointLine, signCheckpoint } from './audit-checkpoints';

/**
 * Signs a tree head over the audit chain every `intervalSeconds` (when it moved) and once more
 * at shutdown, and appends each one it signs to the witness file, outside the database. Several
 * gateways may each run one, each with its own registered key and witness file: a head signed
 * twice is kept once.
 */
export class AuditCheckpointer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly pool: Pool,
    private readonly key: KeyObject,
    private readonly logger: Logger,
    private readonly witnessFile?: string,
  ) {}

  /** Signs every `intervalSeconds`, and once a second after the start (what the last run left unsigned). */
  start(intervalSeconds: number): void {
    if (intervalSeconds <= 0) return;
    this.timer = setInterval(() => void this.checkpoint(), intervalSeconds * 1000);
    this.timer.unref();
    setTimeout(() => void (this.timer && this.checkpoint()), 1000).unref();
  }

  /** Signs the head now; failures are logged (the next tick tries again). */
  checkpoint(): Promise<Checkpoint | undefined> {
    const next = this.running.then(() =>
      signCheckpoint(this.pool, this.key).then(
        async (c) => {
          if (!c) return undefined;
          this.logger.debug({ seq: c.seq }, 'audit tree head signed');
          await this.witness(c);
          return c;
        },
        (error: unknown) => {
          this.logger.warn({ err: error }, 'audit checkpoint failed; will try again');
          return undefined;
        },
      ),
    );
    this.running = next;
    return next;
  }

  /**
   * The witness line, appended (and flushed by the close) before the next head is signed. A
   * failed write is an error to act on: the head is in the database, and `audit checkpoints
   * export` can still copy it out.
   */
  private async witness(c: Checkpoint): Promise<void> {
    if (!this.witnessFile) return;
    try {
      await appendFile(this.witnessFile, `${checkpointLine(c)}\n`, { mode: 0o640 });
    } catch (error) {
      this.logger.error(
        { err: error, seq: c.seq, file: this.witnessFile },
        'the audit witness file could not be written: the tree head is in the database only',
      );
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.checkpoint();
  }
}
