import { ErrorClass, errorsOf } from '@vss/platform';

export enum SecurityErrorCode {
  MissingCredentials = 'AUTH_MISSING_CREDENTIALS',
  UnknownKey = 'AUTH_UNKNOWN_KEY',
  RevokedKey = 'AUTH_REVOKED_KEY',
  ExpiredKey = 'AUTH_EXPIRED_KEY',
  OperatorDisabled = 'AUTH_OPERATOR_DISABLED',
  RoleNotAllowed = 'AUTH_ROLE_NOT_ALLOWED',
  WrongFacility = 'AUTH_WRONG_FACILITY',
  InvalidKeyRequest = 'AUTH_INVALID_KEY_REQUEST',
  UnknownCertificate = 'AUTH_UNKNOWN_CERTIFICATE',
  RevokedCertificate = 'AUTH_REVOKED_CERTIFICATE',
  CertificateRefused = 'AUTH_CERTIFICATE_REFUSED',
  /** A client certificate past its not_after, on a connection opened while it was valid. */
  ExpiredCertificate = 'AUTH_EXPIRED_CERTIFICATE',
  /** A console request without a live session: none, expired, or ended. */
  NotSignedIn = 'AUTH_NOT_SIGNED_IN',
  OperatorRoleMissing = 'AUTH_OPERATOR_ROLE_MISSING',
}

const CLASSES = {
  [SecurityErrorCode.MissingCredentials]: ErrorClass.Unauthenticated,
  [SecurityErrorCode.UnknownKey]: ErrorClass.Unauthenticated,
  [SecurityErrorCode.RevokedKey]: ErrorClass.Unauthenticated,
  [SecurityErrorCode.ExpiredKey]: ErrorClass.Unauthenticated,
  [SecurityErrorCode.OperatorDisabled]: ErrorClass.Unauthenticated,
  [SecurityErrorCode.UnknownCertificate]: ErrorClass.Unauthenticated,
  [SecurityErrorCode.RevokedCertificate]: ErrorClass.Unauthenticated,
  [SecurityErrorCode.CertificateRefused]: ErrorClass.Unauthenticated,
  [SecurityErrorCode.ExpiredCertificate]: ErrorClass.Unauthenticated,
  [SecurityErrorCode.NotSignedIn]: ErrorClass.Unauthenticated,
  [SecurityErrorCode.RoleNotAllowed]: ErrorClass.PermissionDenied,
  [SecurityErrorCode.OperatorRoleMissing]: ErrorClass.PermissionDenied,
  [SecurityErrorCode.WrongFacility]: ErrorClass.PermissionDenied,
  [SecurityErrorCode.InvalidKeyRequest]: ErrorClass.InvalidArgument,
} satisfies Record<SecurityErrorCode, ErrorClass>;

export const securityError = errorsOf<SecurityErrorCode>(CLASSES);
