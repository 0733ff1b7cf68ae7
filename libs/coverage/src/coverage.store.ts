import type { Logger } from 'pino';
import { AppError } from '@vss/platform';
import { CoverageErrorCode, coverageError } from './coverage.errors';

/**
 * Runs a read of the coverage feature's stores: a refusal passes as it is; any other failure is
 * logged and answered as UNAVAILABLE, saying to try again (never the database's own words).
 */
export async function readStore<T>(logger: Logger, what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppError) throw error;
    logger.error({ err: error }, `${what}: database call failed`);
    throw coverageError(
      CoverageErrorCode.StoreUnavailable,
      `${what} are unavailable right now; try again shortly`,
    );
  }
}
