import { Gender as WireGender, registry } from '@vss/contracts';
import type { Gender } from '@vss/domain';

/**
 * Gender across every boundary, written once: the gateway's and the registry's proto enums
 * and the 'M'/'F' the tables store. UNSPECIFIED (or a number the proto does not define) is
 * always "not given" — never a guess of male or female; each caller decides whether that is
 * an error (a birth registration) or simply not compared (a chip's identity check).
 */
const TO_GATEWAY = {
  MALE: WireGender.GENDER_MALE,
  FEMALE: WireGender.GENDER_FEMALE,
} as const satisfies Record<Gender, WireGender>;
const TO_REGISTRY = {
  MALE: registry.Gender.GENDER_MALE,
  FEMALE: registry.Gender.GENDER_FEMALE,
} as const satisfies Record<Gender, registry.Gender>;
const TO_STORED = { MALE: 'M', FEMALE: 'F' } as const satisfies Record<Gender, StoredGender>;

export type StoredGender = 'M' | 'F';

export function gatewayGender(gender: Gender): WireGender {
  return TO_GATEWAY[gender];
}

export function registryGender(gender: Gender): registry.Gender {
  return TO_REGISTRY[gender];
}

export function storedGender(gender: Gender): StoredGender {
  return TO_STORED[gender];
}

/** The gateway proto's gender; undefined when unspecified or not a defined value. */
export function genderFromGateway(value: WireGender | string | number | undefined): Gender | undefined {
  return fromWire(value, TO_GATEWAY);
}

/** The registry proto's gender; undefined when unspecified or not a defined value. */
export function genderFromRegistry(value: registry.Gender | string | number | undefined): Gender | undefined {
  return fromWire(value, TO_REGISTRY);
}

/** 'M'/'F' as stored; throws on anything else (the tables' CHECK constraints allow nothing else). */
export function genderFromStored(value: string): Gender {
  if (value === 'M') return 'MALE';
  if (value === 'F') return 'FEMALE';
  throw new RangeError(`stored gender ${JSON.stringify(value)} must be M or F`);
}

/** A person's word for it, for messages. */
export function genderWord(gender: Gender | undefined): string {
  return gender === undefined ? 'unspecified' : gender.toLowerCase();
}

/** The enums' value names, the same in both protos (the export decodes a million of them). */
const WIRE_NAMES = { MALE: 'GENDER_MALE', FEMALE: 'GENDER_FEMALE' } as const satisfies Record<Gender, string>;

function fromWire(
  value: string | number | undefined,
  table: Record<Gender, string | number>,
): Gender | undefined {
  // ts-proto enums are numbers; proto-loader hands the same enum over as its name.
  if (value === table.MALE || value === WIRE_NAMES.MALE) return 'MALE';
  if (value === table.FEMALE || value === WIRE_NAMES.FEMALE) return 'FEMALE';
  return undefined;
}
