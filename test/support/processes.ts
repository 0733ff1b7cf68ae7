import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tlsEnv } from './tls';

const ROOT = join(__dirname, '..', '..');

/** The built entry point of an app; `npm test` builds before running jest. */
export function appEntry(app: 'gateway' | 'worker' | 'population-registry'): string {
  const entry = join(ROOT, 'dist', 'apps', app, 'src', 'main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first (npm test does)`);
  return entry;
}

export interface AppProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves when a line matching the pattern has been printed. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts an app as a real process, the way production runs it: over TLS with the test PKI's
 * certificate of that app (the env may override it), the gateway's operator port on any free port.
 */
export function startAppProcess(
  app: 'gateway' | 'worker' | 'population-registry',
  env: Record<string, string>,
): AppProcess {
  const child = spawn(process.execPath, [appEntry(app)], {
    env: {
      PATH: process.env.PATH ?? '',
      LOG_LEVEL: 'info',
      ...tlsEnv(app),
      ...(app === 'gateway' ? { OPERATOR_HTTP_PORT: '0' } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const collect = (d: Buffer) => {
    output += d.toString();
    listeners.forEach((l) => l());
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => output,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(output)) {
            cleanup();
            resolve();
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `${app} did not print ${pattern} within ${timeoutMs} ms; output:\n${output.slice(-3000)}`,
            ),
          );
        }, timeoutMs);
        const onExit = () => {
          cleanup();
          reject(new Error(`${app} exited before printing ${pattern}; output:\n${output.slice(-3000)}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', onExit);
        };
        listeners.add(check);
        child.once('exit', onExit);
        check();
      });
    },
    exited: () => exit,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        await exit;
      }
    },
  };
}
