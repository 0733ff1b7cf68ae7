import { checkCitizenIdConsistency, CitizenId, Gender, parseCitizenId } from './citizen-id';
import { compareDates, formatDdMmYyyy, IsoDate, parseDdMmYyyy } from './dates';
import { LegacyId, parseLegacyId } from './legacy-id';
import { tidyName } from './names';
import { err, ok, previewInput, Result } from './result';

/** What the QR code printed on a chip citizen-ID card says. */
export type CccdQr = {
  citizenId: CitizenId;
  legacyId?: LegacyId;
  fullName: string;
  dateOfBirth: IsoDate;
  gender: Gender;
  address: string;
  issueDate: IsoDate;
};

export type QrField = keyof CccdQr;

/**
 * TOO_LONG is an addition to the codes agreed at the start: it guards the parser against
 * megabyte payloads before any splitting or Unicode work is done.
 */
export type QrErrorCode =
  | 'EMPTY'
  | 'TOO_LONG'
  | 'FIELD_COUNT'
  | 'INVALID_CITIZEN_ID'
  | 'INVALID_LEGACY_ID'
  | 'INVALID_NAME'
  | 'INVALID_BIRTH_DATE'
  | 'INVALID_GENDER'
  | 'INVALID_ISSUE_DATE'
  | 'INCONSISTENT';

export type QrError = { code: QrErrorCode; field?: QrField; message: string };

/** A real payload is under 250 characters; anything past this is not a card. */
export const QR_MAX_LENGTH = 1000;
const FIELD_SEPARATOR = '|';
const FIELD_ORDER: readonly QrField[] = [
  'citizenId',
  'legacyId',
  'fullName',
  'dateOfBirth',
  'gender',
  'address',
  'issueDate',
];
const MAX_NAME_CHARS = 100;
// Letters and combining marks, plus the separators of ethnic-minority names (H'Hen Niê, Y-Moan).
const NAME_CHARS = /^[\p{L}\p{M}' \u2019.-]+$/u;
const HAS_LETTER = /\p{L}/u;
const CONTROL_CHARS = /\p{Cc}/gu;
const WHITESPACE_RUN = /\s+/gu;
const GENDER_WORDS: Readonly<Record<string, Gender>> = { nam: 'MALE', nữ: 'FEMALE', nu: 'FEMALE' };
const GENDER_TEXT: Readonly<Record<Gender, string>> = { MALE: 'Nam', FEMALE: 'Nữ' };

/** Reads the gender word of the card ('Nam', 'Nữ', also 'Nu'), in any case and Unicode form. */
export function parseGenderWord(input: string): Gender | undefined {
  const word = input.normalize('NFC').trim().toLocaleLowerCase('vi');
  return Object.prototype.hasOwnProperty.call(GENDER_WORDS, word) ? GENDER_WORDS[word] : undefined;
}

function fail(code: QrErrorCode, field: QrField | undefined, message: string): Result<never, QrError> {
  return err(field === undefined ? { code, message } : { code, field, message });
}

function checkName(raw: string): Result<string, QrError> {
  const name = tidyName(raw);
  if (name === '') return fail('INVALID_NAME', 'fullName', 'the full name (3rd field) is empty');
  if (Array.from(name).length > MAX_NAME_CHARS) {
    return fail('INVALID_NAME', 'fullName', `the full name is longer than ${MAX_NAME_CHARS} characters`);
  }
  if (!NAME_CHARS.test(name) || !HAS_LETTER.test(name)) {
    return fail(
      'INVALID_NAME',
      'fullName',
      `the full name ${previewInput(name)} may contain only letters, spaces, hyphens and apostrophes`,
    );
  }
  return ok(name);
}

function checkDate(
  raw: string,
  code: 'INVALID_BIRTH_DATE' | 'INVALID_ISSUE_DATE',
  field: 'dateOfBirth' | 'issueDate',
  label: string,
  today: IsoDate | undefined,
): Result<IsoDate, QrError> {
  const date = parseDdMmYyyy(raw);
  if (!date.ok) return fail(code, field, `${label}: ${date.error.message}`);
  if (today !== undefined && compareDates(date.value, today) > 0) {
    return fail(code, field, `${label} ${date.value} is in the future (today is ${today})`);
  }
  return ok(date.value);
}

/**
 * Parses the QR text `CCCD|CMND|full name|ddmmyyyy birth|gender|address|ddmmyyyy issue`.
 * Fields are checked in order and the first problem is reported. Then the whole is checked:
 * the citizen ID's century, year and gender digits must agree with the stated birth date and
 * gender, and the card cannot have been issued before its holder was born.
 */
export function parseCccdQr(text: string, opts?: { today?: IsoDate }): Result<CccdQr, QrError> {
  if (text.length > QR_MAX_LENGTH) {
    return fail(
      'TOO_LONG',
      undefined,
      `QR payload is ${text.length} characters; a citizen-ID QR code has at most ${QR_MAX_LENGTH}`,
    );
  }
  // Scanners append CR/LF and some prepend a byte-order mark; neither is part of the payload.
  const payload = text.replace(/^\uFEFF/u, '').trim();
  if (payload === '') return fail('EMPTY', undefined, 'QR payload is empty');
  const fields = payload.split(FIELD_SEPARATOR);
  if (fields.length !== FIELD_ORDER.length) {
    return fail(
      'FIELD_COUNT',
      undefined,
      `QR payload has ${fields.length} field(s) separated by '|'; a citizen-ID QR code has ${FIELD_ORDER.length}: CCCD|CMND|name|birth ddmmyyyy|gender|address|issue ddmmyyyy`,
    );
  }
  const [rawId, rawLegacy, rawName, rawBirth, rawGender, rawAddress, rawIssue] = fields;
  const today = opts?.today;

  const id = parseCitizenId(rawId, { today });
  if (!id.ok) return fail('INVALID_CITIZEN_ID', 'citizenId', id.error.message);

  let legacyId: LegacyId | undefined;
  if (rawLegacy.trim() !== '') {
    const legacy = parseLegacyId(rawLegacy);
    if (!legacy.ok) return fail('INVALID_LEGACY_ID', 'legacyId', legacy.error.message);
    legacyId = legacy.value;
  }

  const fullName = checkName(rawName);
  if (!fullName.ok) return fullName;

  const dateOfBirth = checkDate(rawBirth, 'INVALID_BIRTH_DATE', 'dateOfBirth', 'date of birth', today);
  if (!dateOfBirth.ok) return dateOfBirth;

  const gender = parseGenderWord(rawGender);
  if (gender === undefined) {
    return fail('INVALID_GENDER', 'gender', `gender ${previewInput(rawGender.trim())} must be 'Nam' or 'Nữ'`);
  }

  // The address is free text we only display and store; control characters are dropped rather
  // than refused so that a stray byte from a scanner does not turn a patient away.
  const address = rawAddress.normalize('NFC').replace(WHITESPACE_RUN, ' ').replace(CONTROL_CHARS, '').trim();

  const issueDate = checkDate(rawIssue, 'INVALID_ISSUE_DATE', 'issueDate', 'issue date', today);
  if (!issueDate.ok) return issueDate;

  const consistency = checkCitizenIdConsistency(id.value, { dateOfBirth: dateOfBirth.value, gender });
  if (!consistency.ok) {
    const field = consistency.error.code === 'GENDER_MISMATCH' ? 'gender' : 'dateOfBirth';
    return fail('INCONSISTENT', field, consistency.error.message);
  }
  if (compareDates(issueDate.value, dateOfBirth.value) < 0) {
    return fail(
      'INCONSISTENT',
      'issueDate',
      `issue date ${issueDate.value} is before the date of birth ${dateOfBirth.value}`,
    );
  }

  const qr: CccdQr = {
    citizenId: id.value.value,
    fullName: fullName.value,
    dateOfBirth: dateOfBirth.value,
    gender,
    address,
    issueDate: issueDate.value,
  };
  if (legacyId !== undefined) qr.legacyId = legacyId;
  return ok(qr);
}

/** Writes a CccdQr back as QR text (inverse of parseCccdQr, for tests and the demo); throws RangeError if a field holds '|'. */
export function formatCccdQr(qr: CccdQr): string {
  const fields = [
    qr.citizenId,
    qr.legacyId ?? '',
    qr.fullName,
    formatDdMmYyyy(qr.dateOfBirth),
    GENDER_TEXT[qr.gender],
    qr.address,
    formatDdMmYyyy(qr.issueDate),
  ];
  if (fields.some((f) => f.includes(FIELD_SEPARATOR))) {
    throw new RangeError(`a QR field cannot contain '${FIELD_SEPARATOR}'`);
  }
  return fields.join(FIELD_SEPARATOR);
}
