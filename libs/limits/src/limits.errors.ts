import { AppError, ErrorClass } from '@vss/platform';
import { LIMIT_WORDS, type LimitName } from '@vss/domain';

export enum LimitErrorCode {
  /** One of the caller's limits (rate, daily quota, calls or streams at once, stream life). */
  LimitExceeded = 'LIMIT_EXCEEDED',
  /** Too many failed authentications from one address. */
  AuthenticationThrottled = 'AUTH_THROTTLED',
}

/** RESOURCE_EXHAUSTED naming the limit, with when to try again (the `retry-after` trailer). */
export function limitExceeded(limit: LimitName, message: string, retryAfterSeconds: number): AppError {
  return new AppError(LimitErrorCode.LimitExceeded, ErrorClass.ResourceExhausted, message, undefined, {
    retryAfterSeconds,
    limit: LIMIT_WORDS[limit],
  });
}

export function authenticationThrottled(retryAfterSeconds: number): AppError {
  return new AppError(
    LimitErrorCode.AuthenticationThrottled,
    ErrorClass.ResourceExhausted,
    `too many failed authentications from this address; try again in ${retryAfterSeconds} s`,
    undefined,
    { retryAfterSeconds, limit: 'auth-failures' },
  );
}
