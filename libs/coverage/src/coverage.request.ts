import { decodePageToken, encodePageToken, pageTokenMessage } from '@vss/platform';
import {
  BatchLookupCoverageRequest,
  ChipData,
  Gender,
  ListCoverageLookupsRequest,
  LookupCoverageRequest,
} from '@vss/contracts';
import {
  type ChipIdentity,
  type IsoDate,
  parseCccdQr,
  parseCitizenId,
  parseIsoDate,
  previewInput,
  UUID_PATTERN,
} from '@vss/domain';
import { CoverageErrorCode, coverageError } from './coverage.errors';

/** A day's appointment list; more is a bulk export, not a reception desk. */
export const BATCH_LIMIT = 500;
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;
const FACILITY_CODE = /^[0-9]{5}$/;
const MAX_CHIP_NAME_CHARS = 200;

/** A lookup request that passed every check that needs no database. */
export interface LookupQuery {
  citizenId: string;
  facilityCode: string;
  visitDate: IsoDate;
  /** Absent when the request carried nothing to check the identity with. */
  chip?: ChipIdentity;
  subject: 'citizen_id' | 'qr_payload';
}

export interface BatchQuery {
  citizenIds: string[];
  facilityCode: string;
  visitDate: IsoDate;
}

export interface ListQuery {
  citizenId: string;
  pageSize: number;
  /** Keyset position: the lookups strictly older than this one. */
  after?: { at: string; id: string };
}

/** Strings are optional in our contracts' JSON form; anything else in their place is refused. */
function text(value: unknown, field: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') {
    throw coverageError(CoverageErrorCode.InvalidField, `${field} must be a string`, field);
  }
  return value;
}

export function parseCitizenIdField(value: unknown, field: string, today: IsoDate): string {
  const raw = text(value, field);
  const parsed = parseCitizenId(raw, { today });
  if (!parsed.ok) {
    const hint =
      parsed.error.code === 'EMPTY' ? 'citizen ID is empty; expected 12 digits' : parsed.error.message;
    throw coverageError(CoverageErrorCode.InvalidCitizenId, `${field}: ${hint}`, field);
  }
  return parsed.value.value;
}

export function parseFacilityCode(value: unknown): string {
  const code = text(value, 'facility_code').trim();
  if (code === '') {
    throw coverageError(
      CoverageErrorCode.InvalidFacilityCode,
      'facility_code is required: the 5-digit code of the facility asking',
      'facility_code',
    );
  }
  if (!FACILITY_CODE.test(code)) {
    throw coverageError(
      CoverageErrorCode.InvalidFacilityCode,
      `facility_code ${previewInput(code)} is not a facility code: expected 5 digits`,
      'facility_code',
    );
  }
  return code;
}

export function parseVisitDate(value: unknown, today: IsoDate): IsoDate {
  const raw = text(value, 'visit_date');
  if (raw.trim() === '') return today;
  const parsed = parseIsoDate(raw);
  if (!parsed.ok) {
    throw coverageError(
      CoverageErrorCode.InvalidVisitDate,
      `visit_date: ${parsed.error.message}`,
      'visit_date',
    );
  }
  return parsed.value;
}

function parseGender(value: unknown): ChipIdentity['gender'] {
  switch (value) {
    case undefined:
    case null:
    case '':
    case 0:
    case Gender.GENDER_UNSPECIFIED:
      return undefined;
    case 1:
    case Gender.GENDER_MALE:
      return 'MALE';
    case 2:
    case Gender.GENDER_FEMALE:
      return 'FEMALE';
    default:
      throw coverageError(
        CoverageErrorCode.InvalidChipData,
        `chip.gender ${previewInput(String(value))} must be GENDER_MALE or GENDER_FEMALE`,
        'chip.gender',
      );
  }
}

/** The chip data sent explicitly, or undefined when it carries nothing to compare. */
export function parseChip(chip: Partial<ChipData> | undefined | null): ChipIdentity | undefined {
  if (chip === undefined || chip === null) return undefined;
  if (typeof chip !== 'object') {
    throw coverageError(CoverageErrorCode.InvalidChipData, 'chip must be an object', 'chip');
  }
  const fullName = text(chip.fullName, 'chip.full_name').trim();
  if (Array.from(fullName).length > MAX_CHIP_NAME_CHARS) {
    throw coverageError(
      CoverageErrorCode.InvalidChipData,
      `chip.full_name is longer than ${MAX_CHIP_NAME_CHARS} characters`,
      'chip.full_name',
    );
  }
  const rawBirth = text(chip.dateOfBirth, 'chip.date_of_birth').trim();
  let dateOfBirth: IsoDate | undefined;
  if (rawBirth !== '') {
    const parsed = parseIsoDate(rawBirth);
    if (!parsed.ok) {
      throw coverageError(
        CoverageErrorCode.InvalidChipData,
        `chip.date_of_birth: ${parsed.error.message}`,
        'chip.date_of_birth',
      );
    }
    dateOfBirth = parsed.value;
  }
  const gender = parseGender(chip.gender);
  if (fullName === '' && dateOfBirth === undefined && gender === undefined) return undefined;
  const identity: ChipIdentity = {};
  if (fullName !== '') identity.fullName = fullName;
  if (dateOfBirth !== undefined) identity.dateOfBirth = dateOfBirth;
  if (gender !== undefined) identity.gender = gender;
  return identity;
}

/** Checks a LookupCoverage request; throws INVALID_ARGUMENT naming the field at fault. */
export function parseLookupRequest(request: Partial<LookupCoverageRequest>, today: IsoDate): LookupQuery {
  const citizenId = text(request.citizenId, 'citizen_id');
  const qrPayload = text(request.qrPayload, 'qr_payload');
  if (citizenId.trim() !== '' && qrPayload.trim() !== '') {
    throw coverageError(
      CoverageErrorCode.TwoSubjects,
      'send either citizen_id or qr_payload, not both',
      'citizen_id',
    );
  }
  let chip = parseChip(request.chip);
  let id: string;
  let subject: LookupQuery['subject'];
  if (qrPayload.trim() !== '') {
    const qr = parseCccdQr(qrPayload, { today });
    if (!qr.ok) {
      throw coverageError(
        CoverageErrorCode.InvalidQrPayload,
        `qr_payload: ${qr.error.message}`,
        'qr_payload',
      );
    }
    id = qr.value.citizenId;
    subject = 'qr_payload';
    // Explicit chip data wins: it was read from the chip, the QR code only printed on the card.
    chip ??= { fullName: qr.value.fullName, dateOfBirth: qr.value.dateOfBirth, gender: qr.value.gender };
  } else if (citizenId.trim() !== '') {
    id = parseCitizenIdField(citizenId, 'citizen_id', today);
    subject = 'citizen_id';
  } else {
    throw coverageError(
      CoverageErrorCode.MissingSubject,
      'citizen_id is required (or qr_payload, the text of the QR code on the citizen ID card)',
      'citizen_id',
    );
  }
  const facilityCode = parseFacilityCode(request.facilityCode);
  const visitDate = parseVisitDate(request.visitDate, today);
  return chip
    ? { citizenId: id, facilityCode, visitDate, chip, subject }
    : { citizenId: id, facilityCode, visitDate, subject };
}

/** Checks a BatchLookupCoverage request: 1 to 500 well-formed IDs. */
export function parseBatchRequest(request: Partial<BatchLookupCoverageRequest>, today: IsoDate): BatchQuery {
  const ids: unknown = request.citizenIds ?? [];
  if (!Array.isArray(ids)) {
    throw coverageError(CoverageErrorCode.InvalidField, 'citizen_ids must be a list', 'citizen_ids');
  }
  if (ids.length === 0) {
    throw coverageError(
      CoverageErrorCode.EmptyBatch,
      'citizen_ids is empty: send 1 to 500 IDs',
      'citizen_ids',
    );
  }
  if (ids.length > BATCH_LIMIT) {
    throw coverageError(
      CoverageErrorCode.BatchTooLarge,
      `citizen_ids holds ${ids.length} IDs; a batch holds at most ${BATCH_LIMIT}`,
      'citizen_ids',
    );
  }
  const citizenIds = ids.map((id, i) => parseCitizenIdField(id, `citizen_ids[${i}]`, today));
  return {
    citizenIds,
    facilityCode: parseFacilityCode(request.facilityCode),
    visitDate: parseVisitDate(request.visitDate, today),
  };
}

/** Checks a ListCoverageLookups request and decodes its page token. */
export function parseListRequest(request: Partial<ListCoverageLookupsRequest>, today: IsoDate): ListQuery {
  const citizenId = parseCitizenIdField(request.citizenId, 'citizen_id', today);
  const size = request.pageSize ?? 0;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw coverageError(
      CoverageErrorCode.InvalidPageSize,
      `page_size must be 0 (meaning ${DEFAULT_PAGE_SIZE}) to ${MAX_PAGE_SIZE}`,
      'page_size',
    );
  }
  const token = text(request.pageToken, 'page_token');
  const query: ListQuery = { citizenId, pageSize: size === 0 ? DEFAULT_PAGE_SIZE : size };
  if (token !== '') query.after = decodeListToken(token, citizenId);
  return query;
}

const AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** The token of the page after the lookup (at, id), for this citizen's listing only. */
export function encodeListToken(citizenId: string, at: string, id: string): string {
  return encodePageToken([at, id], { citizenId });
}

function decodeListToken(token: string, citizenId: string): { at: string; id: string } {
  const decoded = decodePageToken(token, { filter: { citizenId }, shape: [AT, UUID_PATTERN] });
  if (!decoded.ok) {
    throw coverageError(CoverageErrorCode.InvalidPageToken, pageTokenMessage(decoded.problem), 'page_token');
  }
  return { at: decoded.position[0], id: decoded.position[1] };
}
