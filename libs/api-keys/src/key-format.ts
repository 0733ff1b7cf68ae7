import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '@vss/security';
import { SecurityErrorCode, securityError } from '@vss/security';

/** How long an admin key works unless its issuer says otherwise. */
export const ADMIN_KEY_DAYS = 90;

/** `vss_<key id>_<secret>`: a 12-character ID and a 256-bit secret, base64url. */
const KEY_PATTERN = /^vss_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

/** A new key: its ID, its secret's digest (all the database keeps) and the key to hand over. */
export function newKey(): { keyId: string; digest: Buffer; apiKey: string } {
  const keyId = randomBytes(9)
    .toString('base64url')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '0')
    .slice(0, 12);
  const secret = randomBytes(32).toString('base64url');
  return { keyId, digest: secretDigest(secret), apiKey: `vss_${keyId}_${secret}` };
}

/** A presented key's ID and secret, or undefined when it is not shaped like a key. */
export function parseKey(presented: string | undefined): { keyId: string; secret: string } | undefined {
  const match = presented ? KEY_PATTERN.exec(presented) : null;
  return match ? { keyId: match[1], secret: match[2] } : undefined;
}

export function secretDigest(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/**
 * What a key request must say of itself, checked before the database is asked: a clinic's
 * facility, a civil registry's office, a validity of 1 to 3650 days. Answers the validity.
 */
export function checkKeyRequest(request: {
  role: Role;
  facilityCode?: string;
  officeCode?: string;
  validDays?: number;
}): number | undefined {
  if (request.role === 'clinic' && !/^[0-9]{5}$/.test(request.facilityCode ?? '')) {
    throw securityError(
      SecurityErrorCode.InvalidKeyRequest,
      'a clinic key needs a 5-digit facility code',
      'facility',
    );
  }
  if (request.role === 'civil-registry' && !request.officeCode) {
    throw securityError(
      SecurityErrorCode.InvalidKeyRequest,
      'a civil registry key needs an office code',
      'office',
    );
  }
  const validDays = request.validDays ?? (request.role === 'admin' ? ADMIN_KEY_DAYS : undefined);
  if (validDays !== undefined && (!Number.isInteger(validDays) || validDays < 1 || validDays > 3650)) {
    throw securityError(SecurityErrorCode.InvalidKeyRequest, 'a key is valid for 1 to 3650 days', 'days');
  }
  return validDays;
}
