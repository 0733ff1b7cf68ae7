import { AppError, assertUnreachable, ErrorClass } from '@vss/platform';

export enum SecurityErrorCode {
  MissingCredentials = 'AUTH_MISSING_CREDENTIALS',
  UnknownKey = 'AUTH_UNKNOWN_KEY',
  RevokedKey = 'AUTH_REVOKED_KEY',
  RoleNotAllowed = 'AUTH_ROLE_NOT_ALLOWED',
  WrongFacility = 'AUTH_WRONG_FACILITY',
  WrongOffice = 'AUTH_WRONG_OFFICE',
  InvalidKeyRequest = 'AUTH_INVALID_KEY_REQUEST',
  UnknownCertificate = 'AUTH_UNKNOWN_CERTIFICATE',
  RevokedCertificate = 'AUTH_REVOKED_CERTIFICATE',
  CertificateRefused = 'AUTH_CERTIFICATE_REFUSED',
}

function classOf(code: SecurityErrorCode): ErrorClass {
  switch (code) {
    case SecurityErrorCode.MissingCredentials:
    case SecurityErrorCode.UnknownKey:
    case SecurityErrorCode.RevokedKey:
    case SecurityErrorCode.UnknownCertificate:
    case SecurityErrorCode.RevokedCertificate:
    case SecurityErrorCode.CertificateRefused:
      return ErrorClass.Unauthenticated;
    case SecurityErrorCode.RoleNotAllowed:
    case SecurityErrorCode.WrongFacility:
    case SecurityErrorCode.WrongOffice:
      return ErrorClass.PermissionDenied;
    case SecurityErrorCode.InvalidKeyRequest:
      return ErrorClass.InvalidArgument;
    default:
      return assertUnreachable(code);
  }
}

export function securityError(code: SecurityErrorCode, message: string, field?: string): AppError {
  return new AppError(code, classOf(code), message, field);
}
