import { ErrorClass, errorsOf } from '@vss/platform';

export enum ConsoleErrorCode {
  /** A change without the session's CSRF token: not sent by a console page, or a page too old. */
  BadCsrfToken = 'CONSOLE_BAD_CSRF_TOKEN',
  NotFound = 'CONSOLE_NOT_FOUND',
}

export const consoleError = errorsOf<ConsoleErrorCode>({
  [ConsoleErrorCode.BadCsrfToken]: ErrorClass.PermissionDenied,
  [ConsoleErrorCode.NotFound]: ErrorClass.NotFound,
});
