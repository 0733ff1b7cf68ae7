import { ErrorClass, errorsOf } from '@vss/platform';

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
  RecordNotFound = 'RECONCILIATION_RECORD_NOT_FOUND',
  /** Another run of the same scope is queued or running. */
  ScopeBusy = 'RECONCILIATION_SCOPE_BUSY',
  RunNotCancellable = 'RECONCILIATION_RUN_NOT_CANCELLABLE',
  DryRunNotApplicable = 'RECONCILIATION_DRY_RUN_NOT_APPLICABLE',
  RunNotCompleted = 'RECONCILIATION_RUN_NOT_COMPLETED',
  /** The run finished too long ago, or a newer run of its scope superseded it. */
  RunTooOld = 'RECONCILIATION_RUN_TOO_OLD',
  RunSuperseded = 'RECONCILIATION_RUN_SUPERSEDED',
  /** Applying findings changes legal records: asked by a named operator only. */
  NoOperator = 'RECONCILIATION_NO_OPERATOR',
  /** The same application was refused by an approver. */
  ApplicationRejected = 'RECONCILIATION_APPLICATION_REJECTED',
  /** The population registry did not answer a candidate search. */
  RegistryUnavailable = 'RECONCILIATION_REGISTRY_UNAVAILABLE',
  /** The worker could not carry out an application of findings (its retries spent). */
  ApplicationFailed = 'RECONCILIATION_APPLICATION_FAILED',
  /** Reviewing findings: a reviewer decides, an auditor looks. */
  NotAReviewer = 'RECONCILIATION_NOT_A_REVIEWER',
  /** Another reviewer has the finding open. */
  FindingClaimed = 'RECONCILIATION_FINDING_CLAIMED',
  FindingDecided = 'RECONCILIATION_FINDING_DECIDED',
}

const CLASSES = {
  [ReconciliationErrorCode.InvalidScope]: ErrorClass.InvalidArgument,
  [ReconciliationErrorCode.InvalidRunId]: ErrorClass.InvalidArgument,
  [ReconciliationErrorCode.InvalidOutcome]: ErrorClass.InvalidArgument,
  [ReconciliationErrorCode.InvalidField]: ErrorClass.InvalidArgument,
  [ReconciliationErrorCode.InvalidPageToken]: ErrorClass.InvalidArgument,
  [ReconciliationErrorCode.OutcomeNotApplicable]: ErrorClass.InvalidArgument,
  [ReconciliationErrorCode.RunNotFound]: ErrorClass.NotFound,
  [ReconciliationErrorCode.FindingNotFound]: ErrorClass.NotFound,
  [ReconciliationErrorCode.RecordNotFound]: ErrorClass.NotFound,
  [ReconciliationErrorCode.ScopeBusy]: ErrorClass.FailedPrecondition,
  [ReconciliationErrorCode.RunNotCancellable]: ErrorClass.FailedPrecondition,
  [ReconciliationErrorCode.DryRunNotApplicable]: ErrorClass.FailedPrecondition,
  [ReconciliationErrorCode.RunNotCompleted]: ErrorClass.FailedPrecondition,
  [ReconciliationErrorCode.RunTooOld]: ErrorClass.FailedPrecondition,
  [ReconciliationErrorCode.RunSuperseded]: ErrorClass.FailedPrecondition,
  [ReconciliationErrorCode.NoOperator]: ErrorClass.PermissionDenied,
  [ReconciliationErrorCode.ApplicationRejected]: ErrorClass.FailedPrecondition,
  [ReconciliationErrorCode.RegistryUnavailable]: ErrorClass.Unavailable,
  [ReconciliationErrorCode.ApplicationFailed]: ErrorClass.Unavailable,
  [ReconciliationErrorCode.NotAReviewer]: ErrorClass.PermissionDenied,
  [ReconciliationErrorCode.FindingClaimed]: ErrorClass.FailedPrecondition,
  [ReconciliationErrorCode.FindingDecided]: ErrorClass.FailedPrecondition,
} satisfies Record<ReconciliationErrorCode, ErrorClass>;

export const reconciliationError = errorsOf<ReconciliationErrorCode>(CLASSES);
