import { join } from 'node:path';
import * as protobuf from 'protobufjs';
import { protoRoot, REGISTRY_PROTO_FILES, registry } from '@vss/contracts';

/**
 * A citizen of the registry's export as matching reads them: every field of Citizen but the
 * residence's address and status and the time of the last change, which reconciliation never
 * uses. The export's pages are decoded straight into these, field by field from the wire:
 * over a full export, decoding every address and building proto-loader's nested objects cost a
 * worker more than matching the citizens did.
 */
export interface CitizenSummary {
  citizenId: string;
  /** '' when the citizen never had a CMND. */
  legacyId: string;
  fullName: string;
  dateOfBirth: string;
  gender: registry.Gender;
  birthProvinceCode: string;
  /** '' when no permanent residence is on record. */
  residenceProvinceCode: string;
  vitalStatus: registry.VitalStatus;
  /** '' while alive. */
  dateOfDeath: string;
}

/** A citizen as the registry sends it, as a summary: what the export's lean decoding reads. */
export function citizenSummaryOf(citizen: registry.Citizen): CitizenSummary {
  return {
    citizenId: citizen.citizenId,
    legacyId: citizen.legacyId,
    fullName: citizen.fullName,
    dateOfBirth: citizen.dateOfBirth,
    gender: citizen.gender,
    birthProvinceCode: citizen.birthProvinceCode,
    residenceProvinceCode: citizen.permanentResidence?.provinceCode ?? '',
    vitalStatus: citizen.vitalStatus,
    dateOfDeath: citizen.dateOfDeath,
  };
}

type EnumNames = Readonly<Record<number, string>>;
let enums: { gender: EnumNames; vitalStatus: EnumNames } | undefined;

/** Enum names by number, from the .proto the servers load: no table here to fall out of step. */
function enumNames() {
  if (!enums) {
    const root = protobuf.loadSync(REGISTRY_PROTO_FILES.map((f) => join(protoRoot(), f)));
    enums = {
      gender: root.lookupEnum(`${registry.NPD_REGISTRY_V1_PACKAGE_NAME}.Gender`).valuesById,
      vitalStatus: root.lookupEnum(`${registry.NPD_REGISTRY_V1_PACKAGE_NAME}.VitalStatus`).valuesById,
    };
  }
  return enums;
}

// Field numbers of registry.proto, checked by the spec against a full decode.
const CITIZENS = 1; // ExportCitizensResponse.citizens
const WIRE_LENGTH_DELIMITED = 2;

/** The citizens of one ExportCitizensResponse message. */
export function decodeCitizenSummaries(buffer: Uint8Array): CitizenSummary[] {
  const names = enumNames();
  const reader = protobuf.Reader.create(buffer);
  const citizens: CitizenSummary[] = [];
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === CITIZENS && (tag & 7) === WIRE_LENGTH_DELIMITED)
      citizens.push(decodeCitizen(reader, reader.uint32(), names));
    else reader.skipType(tag & 7);
  }
  return citizens;
}

function decodeCitizen(
  reader: protobuf.Reader,
  length: number,
  names: { gender: EnumNames; vitalStatus: EnumNames },
): CitizenSummary {
  const end = reader.pos + length;
  const c: CitizenSummary = {
    citizenId: '',
    legacyId: '',
    fullName: '',
    dateOfBirth: '',
    gender: registry.Gender.GENDER_UNSPECIFIED,
    birthProvinceCode: '',
    residenceProvinceCode: '',
    vitalStatus: registry.VitalStatus.VITAL_STATUS_UNSPECIFIED,
    dateOfDeath: '',
  };
  while (reader.pos < end) {
    const tag = reader.uint32();
    switch (tag >>> 3) {
      case 1:
        c.citizenId = reader.string();
        break;
      case 2:
        c.legacyId = reader.string();
        break;
      case 3:
        c.fullName = reader.string();
        break;
      case 4:
        c.dateOfBirth = isoDate(reader);
        break;
      case 5:
        c.gender = (names.gender[reader.int32()] ?? registry.Gender.GENDER_UNSPECIFIED) as registry.Gender;
        break;
      case 6:
        c.birthProvinceCode = provinceCode(reader);
        break;
      case 7:
        c.residenceProvinceCode = residenceProvince(reader, reader.uint32());
        break;
      case 8:
        c.vitalStatus = (names.vitalStatus[reader.int32()] ??
          registry.VitalStatus.VITAL_STATUS_UNSPECIFIED) as registry.VitalStatus;
        break;
      case 9:
        c.dateOfDeath = isoDate(reader);
        break;
      default:
        reader.skipType(tag & 7);
    }
  }
  return c;
}

/** PermanentResidence.province_code (field 2); the address and the status are skipped. */
function residenceProvince(reader: protobuf.Reader, length: number): string {
  const end = reader.pos + length;
  let province = '';
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag >>> 3 === 2) province = provinceCode(reader);
    else reader.skipType(tag & 7);
  }
  return province;
}

// A million citizens carry a few tens of thousands of dates and sixty-three province codes: read
// as the strings already made for them, they cost no decoding, no allocation and, as map keys,
// no hashing. Anything else is decoded as any string is.
const ZERO = 48;
const DASH = 45;
const provinces: (string | undefined)[] = new Array(1000);
const dates = new Map<number, string>();
/** Past this many dates the cache starts over; births and deaths span a few tens of thousands. */
const DATES_LIMIT = 100_000;

function digit(buf: Uint8Array, at: number): number {
  const d = buf[at] - ZERO;
  return d >= 0 && d <= 9 ? d : -1;
}

/** A string field holding three ASCII digits, as the one string of that code. */
function provinceCode(reader: protobuf.Reader): string {
  const { buf, pos } = reader;
  if (buf[pos] !== 3) return reader.string();
  const a = digit(buf, pos + 1);
  const b = digit(buf, pos + 2);
  const c = digit(buf, pos + 3);
  if (a < 0 || b < 0 || c < 0) return reader.string();
  reader.pos = pos + 4;
  const n = a * 100 + b * 10 + c;
  return (provinces[n] ??= String.fromCharCode(a + ZERO, b + ZERO, c + ZERO));
}

/** A string field holding YYYY-MM-DD in ASCII digits, as the one string of that text. */
function isoDate(reader: protobuf.Reader): string {
  const { buf, pos } = reader;
  if (buf[pos] !== 10 || buf[pos + 5] !== DASH || buf[pos + 8] !== DASH) return reader.string();
  const y1 = digit(buf, pos + 1);
  const y2 = digit(buf, pos + 2);
  const y3 = digit(buf, pos + 3);
  const y4 = digit(buf, pos + 4);
  const m1 = digit(buf, pos + 6);
  const m2 = digit(buf, pos + 7);
  const d1 = digit(buf, pos + 9);
  const d2 = digit(buf, pos + 10);
  if ((y1 | y2 | y3 | y4 | m1 | m2 | d1 | d2) < 0) return reader.string();
  reader.pos = pos + 11;
  const n = ((((((y1 * 10 + y2) * 10 + y3) * 10 + y4) * 10 + m1) * 10 + m2) * 10 + d1) * 10 + d2;
  let text = dates.get(n);
  if (text === undefined) {
    text = String.fromCharCode(...buf.subarray(pos + 1, pos + 11));
    if (dates.size >= DATES_LIMIT) dates.clear();
    dates.set(n, text);
  }
  return text;
}
