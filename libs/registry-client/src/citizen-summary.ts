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
        c.dateOfBirth = reader.string();
        break;
      case 5:
        c.gender = (names.gender[reader.int32()] ?? registry.Gender.GENDER_UNSPECIFIED) as registry.Gender;
        break;
      case 6:
        c.birthProvinceCode = reader.string();
        break;
      case 7:
        c.residenceProvinceCode = residenceProvince(reader, reader.uint32());
        break;
      case 8:
        c.vitalStatus = (names.vitalStatus[reader.int32()] ??
          registry.VitalStatus.VITAL_STATUS_UNSPECIFIED) as registry.VitalStatus;
        break;
      case 9:
        c.dateOfDeath = reader.string();
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
    if (tag >>> 3 === 2) province = reader.string();
    else reader.skipType(tag & 7);
  }
  return province;
}
