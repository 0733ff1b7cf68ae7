import { ErrorClass, errorsOf } from '@vss/platform';

/** What can go wrong with a coverage call, by the caller's fault or ours. */
export enum CoverageErrorCode {
  MissingSubject = 'COVERAGE_MISSING_SUBJECT',
  TwoSubjects = 'COVERAGE_TWO_SUBJECTS',
  InvalidCitizenId = 'COVERAGE_INVALID_CITIZEN_ID',
  InvalidQrPayload = 'COVERAGE_INVALID_QR_PAYLOAD',
  InvalidFacilityCode = 'COVERAGE_INVALID_FACILITY_CODE',
  UnknownFacility = 'COVERAGE_UNKNOWN_FACILITY',
  InvalidVisitDate = 'COVERAGE_INVALID_VISIT_DATE',
  InvalidChipData = 'COVERAGE_INVALID_CHIP_DATA',
  InvalidField = 'COVERAGE_INVALID_FIELD',
  EmptyBatch = 'COVERAGE_EMPTY_BATCH',
  BatchTooLarge = 'COVERAGE_BATCH_TOO_LARGE',
  InvalidPageSize = 'COVERAGE_INVALID_PAGE_SIZE',
  InvalidPageToken = 'COVERAGE_INVALID_PAGE_TOKEN',
  /** The database did not answer: the lookup cannot be decided or its audit record written. */
  StoreUnavailable = 'COVERAGE_STORE_UNAVAILABLE',
}

const CLASSES = {
  [CoverageErrorCode.MissingSubject]: ErrorClass.InvalidArgument,
  [CoverageErrorCode.TwoSubjects]: ErrorClass.InvalidArgument,
  [CoverageErrorCode.InvalidCitizenId]: ErrorClass.InvalidArgument,
  [CoverageErrorCode.InvalidQrPayload]: ErrorClass.InvalidArgument,
  [CoverageErrorCode.InvalidFacilityCode]: ErrorClass.InvalidArgument,
  [CoverageErrorCode.UnknownFacility]: ErrorClass.InvalidArgument,
  [CoverageErrorCode.InvalidVisitDate]: ErrorClass.InvalidArgument,
  [CoverageErrorCode.InvalidChipData]: ErrorClass.InvalidArgument,
  [CoverageErrorCode.InvalidField]: ErrorClass.InvalidArgument,
  [CoverageErrorCode.EmptyBatch]: ErrorClass.InvalidArgument,
  [CoverageErrorCode.BatchTooLarge]: ErrorClass.InvalidArgument,
  [CoverageErrorCode.InvalidPageSize]: ErrorClass.InvalidArgument,
  [CoverageErrorCode.InvalidPageToken]: ErrorClass.InvalidArgument,
  [CoverageErrorCode.StoreUnavailable]: ErrorClass.Unavailable,
} satisfies Record<CoverageErrorCode, ErrorClass>;

export const coverageError = errorsOf<CoverageErrorCode>(CLASSES);
