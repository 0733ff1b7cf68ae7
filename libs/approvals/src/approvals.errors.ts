import { type AppError, ErrorClass, errorsOf } from '@vss/platform';

export enum ApprovalErrorCode {
  InvalidField = 'APPROVAL_INVALID_FIELD',
  NotFound = 'APPROVAL_NOT_FOUND',
  AlreadyDecided = 'APPROVAL_ALREADY_DECIDED',
  OwnRequest = 'APPROVAL_OWN_REQUEST',
  NoOperator = 'APPROVAL_NO_OPERATOR',
  NotAnApprover = 'APPROVAL_NOT_AN_APPROVER',
}

const CLASSES = {
  [ApprovalErrorCode.InvalidField]: ErrorClass.InvalidArgument,
  [ApprovalErrorCode.NotFound]: ErrorClass.NotFound,
  [ApprovalErrorCode.AlreadyDecided]: ErrorClass.FailedPrecondition,
  [ApprovalErrorCode.OwnRequest]: ErrorClass.PermissionDenied,
  [ApprovalErrorCode.NoOperator]: ErrorClass.PermissionDenied,
  [ApprovalErrorCode.NotAnApprover]: ErrorClass.PermissionDenied,
} satisfies Record<ApprovalErrorCode, ErrorClass>;

export const approvalError = errorsOf<ApprovalErrorCode>(CLASSES);

export function invalidApprovalField(field: string, message: string): AppError {
  return approvalError(ApprovalErrorCode.InvalidField, `${field}: ${message}`, field);
}
