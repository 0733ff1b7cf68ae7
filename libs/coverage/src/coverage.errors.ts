import { AppError, assertUnreachable, ErrorClass } from '@vss/platform';

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

function classOf(code: CoverageErrorCode): ErrorClass {
  switch (code) {
    case CoverageErrorCode.MissingSubject:
    case CoverageErrorCode.TwoSubjects:
    case CoverageErrorCode.InvalidCitizenId:
    case CoverageErrorCode.InvalidQrPayload:
    case CoverageErrorCode.InvalidFacilityCode:
    case CoverageErrorCode.UnknownFacility:
    case CoverageErrorCode.InvalidVisitDate:
    case CoverageErrorCode.InvalidChipData:
    case CoverageErrorCode.InvalidField:
    case CoverageErrorCode.EmptyBatch:
    case CoverageErrorCode.BatchTooLarge:
    case CoverageErrorCode.InvalidPageSize:
    case CoverageErrorCode.InvalidPageToken:
      return ErrorClass.InvalidArgument;
    case CoverageErrorCode.StoreUnavailable:
      return ErrorClass.Unavailable;
    default:
      return assertUnreachable(code);
  }
}

export function coverageError(code: CoverageErrorCode, message: string, field?: string): AppError {
  return new AppError(code, classOf(code), message, field);
}
