/**
 * The one way tests wait for something another process or connection makes true (a commit, a
 * NOTIFY, a worker's step): poll until it holds, or fail naming what was awaited.
 */
export interface PollOptions<T> {
  /** Default 10 s. */
  timeoutMs?: number;
  /** Default 50 ms. */
  everyMs?: number;
  /** When the answer is ready; by default any answer but undefined and false. */
  until?: (value: T) => boolean;
  /** Added to the timeout's message: the state of things when the wait gave up. */
  detail?: () => Promise<unknown> | unknown;
}

/** Polls `probe` until its answer is ready, and returns that answer. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: PollOptions<T> = {},
): Promise<T> {
  const { timeoutMs = 10_000, everyMs = 50 } = options;
  const ready = (value: T | undefined | false): value is T =>
    options.until ? options.until(value as T) : value !== undefined && value !== false;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ready(value)) return value;
    if (Date.now() > deadline) {
      const detail = options.detail ? `: ${JSON.stringify(await options.detail())}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
