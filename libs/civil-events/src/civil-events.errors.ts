import { AppError, assertUnreachable, ErrorClass } from '@vss/platform';

export enum CivilEventErrorCode {
  InvalidField = 'CIVIL_EVENT_INVALID_FIELD',
  UnknownFacility = 'CIVIL_EVENT_UNKNOWN_FACILITY',
  WrongOffice = 'CIVIL_EVENT_WRONG_OFFICE',
  EventIdReused = 'CIVIL_EVENT_ID_REUSED',
  ProcedureNotFound = 'PROCEDURE_NOT_FOUND',
  ProcedureOfAnotherOffice = 'PROCEDURE_OF_ANOTHER_OFFICE',
  ProcedureNotInReview = 'PROCEDURE_NOT_IN_REVIEW',
}

function classOf(code: CivilEventErrorCode): ErrorClass {
  switch (code) {
    case CivilEventErrorCode.InvalidField:
    case CivilEventErrorCode.UnknownFacility:
      return ErrorClass.InvalidArgument;
    case CivilEventErrorCode.WrongOffice:
    case CivilEventErrorCode.ProcedureOfAnotherOffice:
      return ErrorClass.PermissionDenied;
    case CivilEventErrorCode.EventIdReused:
      return ErrorClass.AlreadyExists;
    case CivilEventErrorCode.ProcedureNotFound:
      return ErrorClass.NotFound;
    case CivilEventErrorCode.ProcedureNotInReview:
      return ErrorClass.FailedPrecondition;
    default:
      return assertUnreachable(code);
  }
}

export function civilEventError(code: CivilEventErrorCode, message: string, field?: string): AppError {
  return new AppError(code, classOf(code), message, field);
}

/** The most common error: a field of the request that cannot be accepted, named in the message. */
export function invalidField(field: string, message: string): AppError {
  return civilEventError(CivilEventErrorCode.InvalidField, `${field}: ${message}`, field);
}
