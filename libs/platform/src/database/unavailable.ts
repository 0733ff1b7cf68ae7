import { AppError, ErrorClass } from '../errors';

/**
 * SQLSTATEs and socket errors that mean "the database is not there right now" rather than "this
 * statement is wrong": the connection was refused, lost or is being shut down, or the server is
 * starting up or in recovery. A call that meets one is answered UNAVAILABLE (retry later), not
 * INTERNAL, and the pools reconnect by themselves when the server is back.
 */
const UNAVAILABLE_SQLSTATES = new Set([
  '08000', // connection_exception
  '08001', // sqlclient_unable_to_establish_sqlconnection
  '08003', // connection_does_not_exist
  '08004', // sqlserver_rejected_establishment_of_sqlconnection
  '08006', // connection_failure
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, in recovery)
  '53300', // too_many_connections
  '57014', // query_canceled: statement_timeout (the database too slow to answer in time)
]);
const UNAVAILABLE_SOCKET = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);
const UNAVAILABLE_MESSAGES = [
  /Connection terminated/i,
  /connection timeout/i,
  /Client has encountered a connection error/i,
  /terminating connection/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /timeout exceeded when trying to connect/i,
  /Query read timeout/i, // pg's query_timeout: the server did not answer at all
];

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_SOCKET.has(code)))
      return true;
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((m) => m.test(message))) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

export const DATABASE_UNAVAILABLE = 'DATABASE_UNAVAILABLE';

/** The answer to a call that met the database away: retry shortly; nothing of the error's text. */
export function databaseUnavailable(): AppError {
  return new AppError(
    DATABASE_UNAVAILABLE,
    ErrorClass.Unavailable,
    'the gateway cannot reach its database right now; nothing was changed, try again in a few seconds',
  );
}

export const SHUTTING_DOWN = 'SHUTTING_DOWN';

/** The end of a stream (or call) cut short by the process stopping: open it again, elsewhere. */
export function shuttingDown(): AppError {
  return new AppError(
    SHUTTING_DOWN,
    ErrorClass.Unavailable,
    'this gateway is shutting down; open the stream again (another gateway will serve it)',
  );
}
