import { type AppError, ErrorClass, errorsOf } from '@vss/platform';

export enum CivilEventErrorCode {
  InvalidField = 'CIVIL_EVENT_INVALID_FIELD',
  UnknownFacility = 'CIVIL_EVENT_UNKNOWN_FACILITY',
  WrongOffice = 'CIVIL_EVENT_WRONG_OFFICE',
  EventIdReused = 'CIVIL_EVENT_ID_REUSED',
  ProcedureNotFound = 'PROCEDURE_NOT_FOUND',
  ProcedureOfAnotherOffice = 'PROCEDURE_OF_ANOTHER_OFFICE',
  ProcedureNotInReview = 'PROCEDURE_NOT_IN_REVIEW',
  ProcedureNotAwaitingApproval = 'PROCEDURE_NOT_AWAITING_APPROVAL',
  UnknownOffice = 'CIVIL_EVENT_UNKNOWN_OFFICE',
  OriginalNotFound = 'CIVIL_EVENT_ORIGINAL_NOT_FOUND',
  OriginalNotAmendable = 'CIVIL_EVENT_ORIGINAL_NOT_AMENDABLE',
  NoAuthority = 'CIVIL_EVENT_NO_AUTHORITY',
  RegistryUnavailable = 'CIVIL_EVENT_REGISTRY_UNAVAILABLE',
}

const CLASSES = {
  [CivilEventErrorCode.InvalidField]: ErrorClass.InvalidArgument,
  [CivilEventErrorCode.UnknownFacility]: ErrorClass.InvalidArgument,
  [CivilEventErrorCode.WrongOffice]: ErrorClass.PermissionDenied,
  [CivilEventErrorCode.ProcedureOfAnotherOffice]: ErrorClass.PermissionDenied,
  [CivilEventErrorCode.EventIdReused]: ErrorClass.AlreadyExists,
  [CivilEventErrorCode.ProcedureNotFound]: ErrorClass.NotFound,
  [CivilEventErrorCode.ProcedureNotInReview]: ErrorClass.FailedPrecondition,
  [CivilEventErrorCode.ProcedureNotAwaitingApproval]: ErrorClass.FailedPrecondition,
  [CivilEventErrorCode.UnknownOffice]: ErrorClass.PermissionDenied,
  [CivilEventErrorCode.OriginalNotFound]: ErrorClass.NotFound,
  [CivilEventErrorCode.OriginalNotAmendable]: ErrorClass.FailedPrecondition,
  [CivilEventErrorCode.NoAuthority]: ErrorClass.PermissionDenied,
  [CivilEventErrorCode.RegistryUnavailable]: ErrorClass.Unavailable,
} satisfies Record<CivilEventErrorCode, ErrorClass>;

export const civilEventError = errorsOf<CivilEventErrorCode>(CLASSES);

/** The most common error: a field of the request that cannot be accepted, named in the message. */
export function invalidField(field: string, message: string): AppError {
  return civilEventError(CivilEventErrorCode.InvalidField, `${field}: ${message}`, field);
}
