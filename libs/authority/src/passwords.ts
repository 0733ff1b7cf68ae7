import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Password hashes: scrypt (RFC 7914) from Node's crypto, in a self-describing string
 * `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>` (base64url), so that the cost can be raised later and
 * older hashes still verify. N = 2^15, r = 8: 32 MiB and ~60 ms per hash on the reference machine
 * (OWASP's floor for scrypt is N = 2^17 with r = 8 at 128 MiB, or equivalently cheaper per-call
 * settings at p > 1; docs/decisions.md says why this one).
 */
const COST = { log2N: 15, r: 8, p: 1 };
const KEY_BYTES = 32;

function derive(password: string, salt: Buffer, cost: typeof COST): Promise<Buffer> {
  const N = 2 ** cost.log2N;
  return new Promise((resolve, reject) =>
    scrypt(
      password.normalize('NFC'),
      salt,
      KEY_BYTES,
      { N, r: cost.r, p: cost.p, maxmem: 256 * N * cost.r * cost.p },
      (error, key) => (error ? reject(error) : resolve(key)),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST);
  return ['scrypt', COST.log2N, COST.r, COST.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

/** True when `password` is the one `stored` was made from; a malformed hash never verifies. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, log2N, r, p, salt, hash] = stored.split('$');
  const cost = { log2N: Number(log2N), r: Number(r), p: Number(p) };
  if (kind !== 'scrypt' || ![cost.log2N, cost.r, cost.p].every((n) => Number.isInteger(n) && n > 0)) {
    return false;
  }
  const expected = Buffer.from(hash ?? '', 'base64url');
  if (expected.length !== KEY_BYTES || cost.log2N > 20) return false;
  const key = await derive(password, Buffer.from(salt ?? '', 'base64url'), cost);
  return timingSafeEqual(key, expected);
}

/** A hash that verifies nothing, so that an unknown login costs what a known one does. */
export const UNUSABLE_HASH = `scrypt$${COST.log2N}$${COST.r}$${COST.p}$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(KEY_BYTES).toString('base64url')}`;
