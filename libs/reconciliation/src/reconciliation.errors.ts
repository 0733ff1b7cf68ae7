import { AppError, assertUnreachable, ErrorClass } from '@vss/platform';

/** What can go wrong with a reconciliation call. */
export enum ReconciliationErrorCode {
  InvalidScope = 'RECONCILIATION_INVALID_SCOPE',
  InvalidRunId = 'RECONCILIATION_INVALID_RUN_ID',
  InvalidOutcome = 'RECONCILIATION_INVALID_OUTCOME',
  InvalidField = 'RECONCILIATION_INVALID_FIELD',
  InvalidPageToken = 'RECONCILIATION_INVALID_PAGE_TOKEN',
  OutcomeNotApplicable = 'RECONCILIATION_OUTCOME_NOT_APPLICABLE',
  RunNotFound = 'RECONCILIATION_RUN_NOT_FOUND',
  FindingNotFound = 'RECONCILIATION_FINDING_NOT_FOUND',
  /** Another run of the same scope is queued or running. */
  ScopeBusy = 'RECONCILIATION_SCOPE_BUSY',
  RunNotCancellable = 'RECONCILIATION_RUN_NOT_CANCELLABLE',
  DryRunNotApplicable = 'RECONCILIATION_DRY_RUN_NOT_APPLICABLE',
  RunNotCompleted = 'RECONCILIATION_RUN_NOT_COMPLETED',
  /** The population registry did not answer a candidate search. */
  RegistryUnavailable = 'RECONCILIATION_REGISTRY_UNAVAILABLE',
}

function classOf(code: ReconciliationErrorCode): ErrorClass {
  switch (code) {
    case ReconciliationErrorCode.InvalidScope:
    case ReconciliationErrorCode.InvalidRunId:
    case ReconciliationErrorCode.InvalidOutcome:
    case ReconciliationErrorCode.InvalidField:
    case ReconciliationErrorCode.InvalidPageToken:
    case ReconciliationErrorCode.OutcomeNotApplicable:
      return ErrorClass.InvalidArgument;
    case ReconciliationErrorCode.RunNotFound:
    case ReconciliationErrorCode.FindingNotFound:
      return ErrorClass.NotFound;
    case ReconciliationErrorCode.ScopeBusy:
    case ReconciliationErrorCode.RunNotCancellable:
    case ReconciliationErrorCode.DryRunNotApplicable:
    case ReconciliationErrorCode.RunNotCompleted:
      return ErrorClass.FailedPrecondition;
    case ReconciliationErrorCode.RegistryUnavailable:
      return ErrorClass.Unavailable;
    default:
      return assertUnreachable(code);
  }
}

export function reconciliationError(
  code: ReconciliationErrorCode,
  message: string,
  field?: string,
): AppError {
  return new AppError(code, classOf(code), message, field);
}
