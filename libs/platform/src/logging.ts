import { maskCitizenId } from '@vss/domain';
import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';

/**
 * One structured JSON logger per process; personal data never goes in messages. Fields that
 * carry a person's data, at any depth of a log line: citizen IDs are masked (province code and
 * last two digits kept), lists of them counted, names and birth dates removed. Errors are logged
 * by their type, code, message and stack: a PostgreSQL error's `detail` and `where` quote the
 * row (`Key (citizen_id)=(…)`, `Failing row contains (…)`) and are dropped. A guard behind the
 * rule that log lines name procedures and fields, not people.
 */
const PERSONAL = new Set([
  'citizenId',
  'citizen_id',
  'citizenIds',
  'fullName',
  'full_name',
  'dateOfBirth',
  'date_of_birth',
]);
/** Properties of errors (pg's above all) that quote data. */
const QUOTING = new Set(['detail', 'where', 'internalQuery', 'parameters', 'query']);
/** Deeper than this a log line is not walked (nothing we log nests so far). */
const MAX_DEPTH = 12;

function censor(field: string, value: unknown): unknown {
  if (field === 'citizenId' || field === 'citizen_id') {
    return typeof value === 'string' ? maskCitizenId(value) : '[redacted]';
  }
  if (field === 'citizenIds' && Array.isArray(value)) return `[${value.length} IDs]`;
  return '[redacted]';
}

function errorFields(error: Error): Record<string, unknown> {
  const fields: Record<string, unknown> = { type: error.name, message: error.message };
  for (const [key, value] of Object.entries(error)) if (!QUOTING.has(key)) fields[key] = value;
  fields.stack = error.stack;
  return fields;
}

/** A copy of a log line's fields with personal data censored and data-quoting error fields dropped. */
export function redactLogFields(value: unknown, depth = 0, ancestors = new Set<object>()): unknown {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (ancestors.has(value)) return '[circular]';
  const isError = value instanceof Error;
  if (!isError && !Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype) return value;
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => redactLogFields(item, depth + 1, ancestors));
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(isError ? errorFields(value) : value)) {
      out[key] = PERSONAL.has(key) ? censor(key, field) : redactLogFields(field, depth + 1, ancestors);
    }
    return out;
  } finally {
    ancestors.delete(value);
  }
}

export function createLogger(app: string, level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      name: app,
      level,
      base: { app },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { log: (fields) => redactLogFields(fields) as Record<string, unknown> },
      // Errors are made plain by redactLogFields, wherever they are; pino's own would call them Object.
      serializers: { err: (value: unknown) => value },
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
