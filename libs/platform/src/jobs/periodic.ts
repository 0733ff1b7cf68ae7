import type { Logger } from 'pino';

/**
 * Runs `task` every `seconds` (never two at once; 0 never), from `start()` until `stop()`, which
 * waits for a run in progress. A failing run is logged and the next one tries again.
 */
export class Periodic {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly name: string,
    private readonly seconds: number,
    private readonly task: () => Promise<void>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.seconds <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.runOnce(), this.seconds * 1000);
    this.timer.unref();
  }

  /** One run now (or the one in progress). */
  runOnce(): Promise<void> {
    this.running ??= this.task()
      .catch((error: unknown) =>
        this.logger.warn({ err: error, task: this.name }, `${this.name} failed; it runs again`),
      )
      .finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
