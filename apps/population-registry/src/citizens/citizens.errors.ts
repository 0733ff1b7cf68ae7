import { ErrorClass, errorsOf } from '@vss/platform';

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
  CitizenAlive = 'REGISTRY_CITIZEN_ALIVE',
  DeathDiffers = 'REGISTRY_DEATH_DIFFERS',
  ResidenceNotCancelled = 'REGISTRY_RESIDENCE_NOT_CANCELLED',
  PeerUnauthenticated = 'REGISTRY_PEER_UNAUTHENTICATED',
  PeerNotAllowed = 'REGISTRY_PEER_NOT_ALLOWED',
  FaultInjected = 'REGISTRY_FAULT_INJECTED',
}

const CLASSES = {
  [RegistryErrorCode.InvalidCitizenId]: ErrorClass.InvalidArgument,
  [RegistryErrorCode.InvalidLegacyId]: ErrorClass.InvalidArgument,
  [RegistryErrorCode.InvalidField]: ErrorClass.InvalidArgument,
  [RegistryErrorCode.BatchTooLarge]: ErrorClass.InvalidArgument,
  [RegistryErrorCode.CitizenNotFound]: ErrorClass.NotFound,
  [RegistryErrorCode.LegacyIdNotFound]: ErrorClass.NotFound,
  [RegistryErrorCode.CitizenExists]: ErrorClass.AlreadyExists,
  [RegistryErrorCode.RequestIdReused]: ErrorClass.AlreadyExists,
  [RegistryErrorCode.CitizenDeceased]: ErrorClass.FailedPrecondition,
  [RegistryErrorCode.ResidenceNotRegistered]: ErrorClass.FailedPrecondition,
  [RegistryErrorCode.CitizenAlive]: ErrorClass.FailedPrecondition,
  [RegistryErrorCode.DeathDiffers]: ErrorClass.FailedPrecondition,
  [RegistryErrorCode.ResidenceNotCancelled]: ErrorClass.FailedPrecondition,
  [RegistryErrorCode.PeerUnauthenticated]: ErrorClass.Unauthenticated,
  [RegistryErrorCode.PeerNotAllowed]: ErrorClass.PermissionDenied,
  [RegistryErrorCode.FaultInjected]: ErrorClass.Unavailable,
} satisfies Record<RegistryErrorCode, ErrorClass>;

export const registryError = errorsOf<RegistryErrorCode>(CLASSES);
