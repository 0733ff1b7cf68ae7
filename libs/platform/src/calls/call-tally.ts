import { ErrorClass } from '../errors';

/**
 * Counts this process keeps of its callers' calls, for the console's overview: lookups
 * answered, and calls refused by a caller's limits or by authentication and authorization.
 * Plain numbers, bumped on the call's path at no cost worth measuring.
 */
export const CALL_TALLY = { lookupsAnswered: 0, refusedByLimit: 0, refusedByAuth: 0 };

/** Counts a refusal by its class (other errors are not refusals of the caller). */
export function tallyRefusal(errorClass: ErrorClass): void {
  if (errorClass === ErrorClass.ResourceExhausted) CALL_TALLY.refusedByLimit++;
  else if (errorClass === ErrorClass.Unauthenticated || errorClass === ErrorClass.PermissionDenied)
    CALL_TALLY.refusedByAuth++;
}
