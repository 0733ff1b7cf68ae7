import { DigitStringError, padSerial, parseDigitString } from './digits';
import { Result } from './result';

/** A 9-digit identity card number (CMND), the predecessor of the citizen ID. */
export type LegacyId = string;

export type LegacyIdError = DigitStringError;

export const LEGACY_ID_LENGTH = 9;

/**
 * Parses a 9-digit CMND. Legacy numbers carry no checkable structure we rely on (their first
 * digits were issuing-police codes that changed over time), so only the shape is checked; the
 * mapping to a citizen ID comes from the National Population Database.
 */
export function parseLegacyId(input: string): Result<LegacyId, LegacyIdError> {
  return parseDigitString(input, 'legacy identity card number (CMND)', LEGACY_ID_LENGTH);
}

/** Builds a legacy ID from a serial for generators; throws RangeError when it does not fit 9 digits. */
export function makeLegacyId(serial: number): LegacyId {
  return padSerial(serial, LEGACY_ID_LENGTH, 'legacy ID serial');
}
