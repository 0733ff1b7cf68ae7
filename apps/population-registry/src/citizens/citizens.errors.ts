import { AppError, assertUnreachable, ErrorClass } from '@vss/platform';

export enum RegistryErrorCode {
  InvalidCitizenId = 'REGISTRY_INVALID_CITIZEN_ID',
  InvalidLegacyId = 'REGISTRY_INVALID_LEGACY_ID',
  InvalidField = 'REGISTRY_INVALID_FIELD',
  BatchTooLarge = 'REGISTRY_BATCH_TOO_LARGE',
  CitizenNotFound = 'REGISTRY_CITIZEN_NOT_FOUND',
  LegacyIdNotFound = 'REGISTRY_LEGACY_ID_NOT_FOUND',
  CitizenExists = 'REGISTRY_CITIZEN_EXISTS',
  RequestIdReused = 'REGISTRY_REQUEST_ID_REUSED',
  CitizenDeceased = 'REGISTRY_CITIZEN_DECEASED',
  ResidenceNotRegistered = 'REGISTRY_RESIDENCE_NOT_REGISTERED',
  PeerUnauthenticated = 'REGISTRY_PEER_UNAUTHENTICATED',
  PeerNotAllowed = 'REGISTRY_PEER_NOT_ALLOWED',
  FaultInjected = 'REGISTRY_FAULT_INJECTED',
}

function classOf(code: RegistryErrorCode): ErrorClass {
  switch (code) {
    case RegistryErrorCode.InvalidCitizenId:
    case RegistryErrorCode.InvalidLegacyId:
    case RegistryErrorCode.InvalidField:
    case RegistryErrorCode.BatchTooLarge:
      return ErrorClass.InvalidArgument;
    case RegistryErrorCode.CitizenNotFound:
    case RegistryErrorCode.LegacyIdNotFound:
      return ErrorClass.NotFound;
    case RegistryErrorCode.CitizenExists:
    case RegistryErrorCode.RequestIdReused:
      return ErrorClass.AlreadyExists;
    case RegistryErrorCode.CitizenDeceased:
    case RegistryErrorCode.ResidenceNotRegistered:
      return ErrorClass.FailedPrecondition;
    case RegistryErrorCode.PeerUnauthenticated:
      return ErrorClass.Unauthenticated;
    case RegistryErrorCode.PeerNotAllowed:
      return ErrorClass.PermissionDenied;
    case RegistryErrorCode.FaultInjected:
      return ErrorClass.Unavailable;
    default:
      return assertUnreachable(code);
  }
}

export function registryError(code: RegistryErrorCode, message: string, field?: string): AppError {
  return new AppError(code, classOf(code), message, field);
}
