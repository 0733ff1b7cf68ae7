import { maskCitizenId } from '@vss/domain';
import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';

/** One structured JSON logger per process; personal data never goes in messages. */
/**
 * Fields that carry a person's data, wherever a log line puts them: citizen IDs are masked
 * (province code and last two digits kept), names and birth dates removed. A guard behind the rule that log
 * lines name procedures and fields, not people.
 */
const PERSONAL = [
  'citizenId',
  'citizen_id',
  'citizenIds',
  'fullName',
  'full_name',
  'dateOfBirth',
  'date_of_birth',
];
const REDACT_PATHS = PERSONAL.flatMap((field) => [field, `*.${field}`]);

function censor(value: unknown, path: string[]): unknown {
  const field = path[path.length - 1];
  if (field === 'citizenId' || field === 'citizen_id') {
    return typeof value === 'string' ? maskCitizenId(value) : '[redacted]';
  }
  if (field === 'citizenIds' && Array.isArray(value)) return `[${value.length} IDs]`;
  return '[redacted]';
}

export function createLogger(app: string, level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      name: app,
      level,
      base: { app },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor },
    },
    destination,
  );
}

/** Lets NestJS write through pino. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}

/**
 * A reporter of a recurring failure (a lost database, say) that logs its first occurrence and
 * then at most once per `intervalMs` with the count suppressed, so an outage is one line, not
 * one per connection and per call.
 */
export function reportOncePer(intervalMs: number, report: (error: Error, suppressed: number) => void) {
  let last = 0;
  let suppressed = 0;
  return (error: Error): void => {
    const now = Date.now();
    if (now - last < intervalMs) {
      suppressed += 1;
      return;
    }
    report(error, suppressed);
    last = now;
    suppressed = 0;
  };
}

/** The one report of a lost database, for the error listeners of every pool of an app. */
export function databaseLossReporter(logger: Logger): (error: Error) => void {
  return reportOncePer(10_000, (error, suppressed) =>
    logger.warn(
      { error: error.message, code: (error as { code?: string }).code, suppressed },
      'database connection lost; reconnecting on demand',
    ),
  );
}
