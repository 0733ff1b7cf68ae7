import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import type { Pool } from 'pg';
import { AuditTree } from './audit-tree';

/**
 * A signed tree head: the chain had `hash` at entry `seq`, and the Merkle tree of its first
 * `seq` entries (merkle.ts) the root `rootHash`. Checkpoints signed before tree heads existed
 * carry no root and sign the chain hash alone.
 */
export interface Checkpoint {
  seq: string;
  hash: string;
  rootHash: string | null;
  signedAt: string;
  keyId: string;
  signature: string;
}

/** The exact bytes an audit key signs: a tree head, or (before tree heads) the chain's head. */
export function checkpointStatement(
  seq: string,
  hashHex: string,
  signedAt: string,
  rootHex?: string | null,
): Buffer {
  if (rootHex === undefined || rootHex === null) {
    return Buffer.from(
      `vss-audit-checkpoint/v1\nseq=${seq}\nhash=${hashHex}\nsigned_at=${signedAt}\n`,
      'utf8',
    );
  }
  return Buffer.from(
    `vss-audit-tree-head/v1\ntree_size=${seq}\nroot_hash=${rootHex}\nchain_hash=${hashHex}\nsigned_at=${signedAt}\n`,
    'utf8',
  );
}

/** Does the checkpoint's signature verify with this public key? */
export function checkpointVerifies(checkpoint: Checkpoint, key: KeyObject): boolean {
  const statement = checkpointStatement(
    checkpoint.seq,
    checkpoint.hash,
    checkpoint.signedAt,
    checkpoint.rootHash,
  );
  try {
    return verify(null, statement, key, Buffer.from(checkpoint.signature, 'base64'));
  } catch {
    return false;
  }
}

/** A public key's ID: the first 16 hex digits of the SHA-256 of its SPKI encoding. */
export function keyIdOf(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

export function loadSigningKey(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('the audit signing key must be an ed25519 key');
  return key;
}

/** Raised by the checkpoint trigger when a newer checkpoint was signed meanwhile. */
const OLDER_THAN_NEWEST = 'VA001';

/**
 * Signs a tree head over the whole chain, unless the newest checkpoint already covers it: the
 * tree's tiles brought up to the head first, then its root. Returns the checkpoint written, or
 * undefined when the head had not moved (or another gateway signed a newer one meanwhile). The
 * key must be registered (`audit keys register`): the database refuses any other.
 */
export async function signCheckpoint(pool: Pool, key: KeyObject): Promise<Checkpoint | undefined> {
  const { rows } = await pool.query<{ seq: string; hash: string }>(
    `SELECT e.seq::text, encode(e.hash, 'hex') AS hash FROM vss.audit_events e
      WHERE e.seq > coalesce((SELECT max(seq) FROM vss.audit_checkpoints), 0)
      ORDER BY e.seq DESC LIMIT 1`,
  );
  const head = rows[0];
  if (!head) return undefined;
  const tree = new AuditTree(pool);
  await tree.extend(Number(head.seq));
  const rootHash = (await tree.root(Number(head.seq))).toString('hex');
  const signedAt = new Date().toISOString();
  const signature = sign(null, checkpointStatement(head.seq, head.hash, signedAt, rootHash), key);
  const checkpoint: Checkpoint = {
    seq: head.seq,
    hash: head.hash,
    rootHash,
    signedAt,
    keyId: keyIdOf(key),
    signature: signature.toString('base64'),
  };
  try {
    const inserted = await pool.query(
      `INSERT INTO vss.audit_checkpoints (seq, hash, root_hash, signed_at, key_id, signature)
       VALUES ($1, decode($2, 'hex'), decode($3, 'hex'), $4, $5, decode($6, 'base64')) ON CONFLICT (seq) DO NOTHING`,
      [
        checkpoint.seq,
        checkpoint.hash,
        checkpoint.rootHash,
        checkpoint.signedAt,
        checkpoint.keyId,
        checkpoint.signature,
      ],
    );
    return inserted.rowCount === 1 ? checkpoint : undefined;
  } catch (error) {
    if ((error as { code?: string }).code === OLDER_THAN_NEWEST) return undefined;
    throw error;
  }
}

/** Checkpoints as one JSON object a line: what a witness file holds and `audit checkpoints export` writes. */
export function checkpointLine(c: Checkpoint): string {
  return JSON.stringify({
    tree_size: c.seq,
    chain_hash: c.hash,
    root_hash: c.rootHash,
    signed_at: c.signedAt,
    key_id: c.keyId,
    signature: c.signature,
  });
}

/** Reads a witness file: every line a checkpoint (blank lines skipped). Throws naming a bad line. */
export function parseCheckpointLines(text: string, source: string): Checkpoint[] {
  const out: Checkpoint[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new Error(`${source}:${i + 1}: not a JSON line`);
    }
    const text = (k: string, pattern: RegExp) => {
      const x = v[k];
      if (typeof x !== 'string' || !pattern.test(x))
        throw new Error(`${source}:${i + 1}: ${k} is missing or malformed`);
      return x;
    };
    out.push({
      seq: text('tree_size', /^[1-9][0-9]{0,18}$/),
      hash: text('chain_hash', /^[0-9a-f]{64}$/),
      rootHash:
        v.root_hash === null || v.root_hash === undefined ? null : text('root_hash', /^[0-9a-f]{64}$/),
      signedAt: text('signed_at', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      keyId: text('key_id', /^[0-9a-f]{16}$/),
      signature: text('signature', /^[A-Za-z0-9+/]+=*$/),
    });
  });
  return out;
}

/** The checkpoints the database holds, oldest first, from entry `from`. */
export async function storedCheckpoints(pool: Pool, from = 1n): Promise<Checkpoint[]> {
  const { rows } = await pool.query<Checkpoint>(
    `SELECT seq::text, encode(hash, 'hex') AS hash, encode(root_hash, 'hex') AS "rootHash",
            to_char(signed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "signedAt", key_id AS "keyId",
            translate(encode(signature, 'base64'), E'\n', '') AS signature
       FROM vss.audit_checkpoints WHERE seq >= $1 ORDER BY audit_checkpoints.seq`,
    [from.toString()],
  );
  return rows;
}

/**
 * Why the database would refuse this key's tree heads (not registered, or retired), with what
 * to do; undefined when it takes them.
 */
export async function signingKeyProblem(pool: Pool, key: KeyObject): Promise<string | undefined> {
  const keyId = keyIdOf(key);
  const { rows } = await pool.query<{ retired: boolean }>(
    `SELECT retired_at IS NOT NULL AS retired FROM vss.audit_signing_keys WHERE key_id = $1`,
    [keyId],
  );
  if (!rows[0]) {
    return `the audit signing key ${keyId} is not registered: \`npm run cli -- audit keys register --public-key <its .pub> --holder <this gateway>\``;
  }
  return rows[0].retired
    ? `the audit signing key ${keyId} was retired: give this gateway a new key and register it`
    : undefined;
}

/**
 * Registers a gateway's audit public key (the operator, as the owner): the database then takes
 * tree heads signed with it. Registering the same key again changes nothing.
 */
export async function registerSigningKey(pool: Pool, publicKey: KeyObject, holder: string): Promise<string> {
  const keyId = keyIdOf(publicKey);
  await pool.query(
    `INSERT INTO vss.audit_signing_keys (key_id, public_key, holder) VALUES ($1, $2, $3) ON CONFLICT (key_id) DO NOTHING`,
    [keyId, publicKey.export({ type: 'spki', format: 'pem' }).toString(), holder],
  );
  return keyId;
}

/** Retires a key: tree heads signed with it are refused from now on (those signed before still verify). */
export async function retireSigningKey(pool: Pool, keyId: string): Promise<boolean> {
  const { rowCount } = await pool.query(
    `UPDATE vss.audit_signing_keys SET retired_at = now() WHERE key_id = $1 AND retired_at IS NULL`,
    [keyId],
  );
  return rowCount === 1;
}
