/**
 * Runs an app's start function as a process: a failure to start prints one line and exits 1,
 * SIGINT/SIGTERM close it cleanly. A Ctrl-C reaches both `npm start` and its children, and
 * the launcher then asks them again: repeated signals while closing are ignored.
 */
export function runProcess(name: string, start: () => Promise<{ close(): Promise<void> }>): void {
  let closing = false;
  start().then(
    (running) => {
      const stop = (signal: string) => {
        if (closing) return;
        closing = true;
        running.close().then(
          () => process.exit(0),
          (error: unknown) => {
            process.stderr.write(`${name}: error while stopping after ${signal}: ${String(error)}\n`);
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    },
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`${name}: cannot start: ${message}\n`);
      process.exit(1);
    },
  );
}

/** Requires DATABASE_URL for an app run on its own; `npm start` sets it for every app. */
export function requireDatabaseUrl<T extends { DATABASE_URL?: string }>(
  name: string,
  config: T,
): T & { DATABASE_URL: string } {
  if (!config.DATABASE_URL) {
    throw new Error(
      `DATABASE_URL is not set; run the whole system with \`npm start\` (embedded PostgreSQL), or set DATABASE_URL to run ${name} alone`,
    );
  }
  return config as T & { DATABASE_URL: string };
}
