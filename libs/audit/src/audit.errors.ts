import { type AppError, ErrorClass, errorsOf } from '@vss/platform';

export enum AuditErrorCode {
  InvalidField = 'AUDIT_INVALID_FIELD',
  ReceiptNotFound = 'AUDIT_RECEIPT_NOT_FOUND',
  NotYetSigned = 'AUDIT_NOT_YET_SIGNED',
}

const CLASSES = {
  [AuditErrorCode.InvalidField]: ErrorClass.InvalidArgument,
  [AuditErrorCode.ReceiptNotFound]: ErrorClass.NotFound,
  [AuditErrorCode.NotYetSigned]: ErrorClass.FailedPrecondition,
} satisfies Record<AuditErrorCode, ErrorClass>;

export const auditError = errorsOf<AuditErrorCode>(CLASSES);

export function invalidAuditField(field: string, message: string): AppError {
  return auditError(AuditErrorCode.InvalidField, `${field}: ${message}`, field);
}
