import { type BenchProcess, startNode } from '../support/processes';

/** The apps of the reconciliation benchmarks as real processes. */

export type AppProcess = BenchProcess;

/** Starts a built app (`apps/<app>/src/main.js`) with the given environment. */
export function startApp(
  app: 'gateway' | 'worker' | 'population-registry',
  env: Record<string, string>,
  /** Options for node itself (NODE_OPTIONS refuses some, --cpu-prof among them). */
  nodeArgs: readonly string[] = [],
): AppProcess {
  return startNode(app, `apps/${app}/src/main.js`, { LOG_LEVEL: 'info', ...env }, { nodeArgs });
}
