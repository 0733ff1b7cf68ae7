import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import type { Pool } from 'pg';

/** The hash before the first entry. */
export const GENESIS_HASH = Buffer.alloc(32);

/** The stored fields of an entry, as text, in the order they are hashed. */
export type EntryFields = [
  seq: string,
  eventId: string,
  occurredAt: string,
  caller: string,
  callerRole: string,
  facilityCode: string | null,
  officeCode: string | null,
  action: string,
  subjectCitizenId: string | null,
  purpose: string,
  outcome: string,
  detail: string,
];

/** The columns of EntryFields, rendered as vss.audit_append renders them when it hashes. */
export const ENTRY_COLUMNS = `seq::text, event_id::text,
  to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
  caller, caller_role, facility_code, office_code, action, subject_citizen_id, purpose, outcome, detail::text`;

/**
 * The canonical text of an entry: a JSON array of its text fields as PostgreSQL's jsonb prints
 * it (`["1", "…", null]`; JSON.stringify escapes strings exactly as jsonb does). An outside
 * party can recompute it from an export with any JSON library and SHA-256.
 */
export function entryText(fields: EntryFields): string {
  return `[${fields.map((v) => (v === null ? 'null' : JSON.stringify(v))).join(', ')}]`;
}

/** hash_n = SHA-256(hash_{n-1} ‖ UTF-8(entry text_n)). */
export function chainHash(previous: Buffer, fields: EntryFields): Buffer {
  return createHash('sha256').update(previous).update(entryText(fields), 'utf8').digest();
}

/** A signed statement that the chain had this hash at this position. */
export interface Checkpoint {
  seq: string;
  hash: string;
  signedAt: string;
  keyId: string;
  signature: string;
}

/** The exact bytes an audit key signs. */
export function checkpointStatement(seq: string, hashHex: string, signedAt: string): Buffer {
  return Buffer.from(`vss-audit-checkpoint/v1\nseq=${seq}\nhash=${hashHex}\nsigned_at=${signedAt}\n`, 'utf8');
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

/**
 * Signs the head of the chain into a checkpoint, unless the newest checkpoint already covers
 * it. Returns the checkpoint written, or undefined when the head had not moved.
 */
export async function signCheckpoint(pool: Pool, key: KeyObject): Promise<Checkpoint | undefined> {
  const { rows } = await pool.query<{ seq: string; hash: string }>(
    `SELECT e.seq::text, encode(e.hash, 'hex') AS hash FROM vss.audit_events e
      WHERE e.seq > coalesce((SELECT max(seq) FROM vss.audit_checkpoints), 0)
      ORDER BY e.seq DESC LIMIT 1`,
  );
  const head = rows[0];
  if (!head) return undefined;
  const signedAt = new Date().toISOString();
  const signature = sign(null, checkpointStatement(head.seq, head.hash, signedAt), key);
  const checkpoint: Checkpoint = {
    seq: head.seq,
    hash: head.hash,
    signedAt,
    keyId: keyIdOf(key),
    signature: signature.toString('base64'),
  };
  await pool.query(
    `INSERT INTO vss.audit_checkpoints (seq, hash, signed_at, key_id, signature)
     VALUES ($1, decode($2, 'hex'), $3, $4, decode($5, 'base64')) ON CONFLICT (seq) DO NOTHING`,
    [checkpoint.seq, checkpoint.hash, checkpoint.signedAt, checkpoint.keyId, checkpoint.signature],
  );
  return checkpoint;
}

export type ChainProblemKind = 'changed' | 'removed' | 'inserted' | 'truncated' | 'checkpoint';

export interface ChainProblem {
  kind: ChainProblemKind;
  /** The first entry (or checkpoint position) found wrong. */
  seq: string;
  message: string;
}

export interface VerifyReport {
  /** The last entry that verified: everything from `from` to here is intact. */
  intactThrough: string;
  entries: number;
  checkpointsVerified: number;
  /** Entries committed with their changes and not chained yet (the next append chains them). */
  staged: number;
  problem?: ChainProblem;
}

interface StoredCheckpoint {
  seq: string;
  hash: string;
  signed_at: string;
  key_id: string;
  signature: Buffer;
}

const PAGE = 10_000;

/**
 * Walks the chain from `from` and checks every entry's hash, then every checkpoint's signature
 * (with the trusted public keys given, never with a key the database names) and that the chain
 * still has the hash each checkpoint signed. Stops at the first problem: an entry changed, a
 * gap (removed), an entry inserted (the next entry verifies one position earlier), or a
 * checkpoint beyond the end of the chain (the tail truncated).
 */
export async function verifyChain(
  pool: Pool,
  options: {
    from?: bigint;
    publicKeys: KeyObject[];
    /** Told after each page of entries (10,000) how far the walk has verified. */
    onProgress?: (report: Readonly<VerifyReport>) => void;
    /** Asked before each page: true stops the walk (the report says how far it got). */
    stopped?: () => boolean;
    /** false: do not count staged entries (an app's role may not read them). */
    countStaged?: boolean;
  },
): Promise<VerifyReport> {
  const from = options.from ?? 1n;
  const keys = new Map(options.publicKeys.map((k) => [keyIdOf(k), k]));
  const checkpoints = (
    await pool.query<StoredCheckpoint>(
      `SELECT seq::text, encode(hash, 'hex') AS hash,
              to_char(signed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS signed_at, key_id, signature
         FROM vss.audit_checkpoints WHERE seq >= $1 ORDER BY audit_checkpoints.seq`,
      [from.toString()],
    )
  ).rows;
  const staged =
    options.countStaged === false
      ? 0
      : (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM vss.audit_pending`)).rows[0].n;
  const report: VerifyReport = {
    intactThrough: (from - 1n).toString(),
    entries: 0,
    checkpointsVerified: 0,
    staged,
  };
  for (const c of checkpoints) {
    const key = keys.get(c.key_id);
    const valid =
      key !== undefined && verify(null, checkpointStatement(c.seq, c.hash, c.signed_at), key, c.signature);
    if (!valid) {
      report.problem = {
        kind: 'checkpoint',
        seq: c.seq,
        message: key
          ? `the checkpoint at entry ${c.seq} (signed ${c.signed_at}) does not verify: it was altered`
          : `the checkpoint at entry ${c.seq} is signed by key ${c.key_id}, which is not a trusted audit key`,
      };
      return report;
    }
  }
  const signed = new Map(checkpoints.map((c) => [c.seq, c]));

  let expected = from;
  let previous: Buffer = GENESIS_HASH;
  let beforePrevious: Buffer | undefined;
  if (from > 1n) {
    const { rows } = await pool.query<{ hash: Buffer }>(`SELECT hash FROM vss.audit_events WHERE seq = $1`, [
      (from - 1n).toString(),
    ]);
    if (!rows[0]) {
      report.problem = {
        kind: 'removed',
        seq: (from - 1n).toString(),
        message: `entry ${from - 1n}, the one before --from, is missing`,
      };
      return report;
    }
    previous = rows[0].hash;
  }
  for (;;) {
    const { rows } = await pool.query<unknown[]>({
      text: `SELECT ${ENTRY_COLUMNS}, hash FROM vss.audit_events WHERE seq >= $1 ORDER BY audit_events.seq LIMIT ${PAGE}`,
      values: [expected.toString()],
      rowMode: 'array',
    });
    for (const row of rows) {
      const fields = row.slice(0, 12) as EntryFields;
      const stored = row[12] as Buffer;
      const seq = BigInt(fields[0]);
      if (seq !== expected) {
        const last = seq - 1n;
        report.problem = {
          kind: 'removed',
          seq: expected.toString(),
          message:
            last === expected
              ? `entry ${expected} was removed`
              : `entries ${expected} to ${last} were removed`,
        };
        return report;
      }
      if (!chainHash(previous, fields).equals(stored)) {
        const earlier: EntryFields = [...fields];
        earlier[0] = (seq - 1n).toString();
        const inserted = beforePrevious !== undefined && chainHash(beforePrevious, earlier).equals(stored);
        report.problem = inserted
          ? {
              kind: 'inserted',
              seq: (seq - 1n).toString(),
              message: `entry ${seq - 1n} was inserted: entry ${seq} follows entry ${seq - 2n} and was renumbered`,
            }
          : {
              kind: 'changed',
              seq: seq.toString(),
              message: `entry ${seq} does not match its hash: it was changed (or entry ${seq - 1n} was rewritten with a recomputed hash)`,
            };
        return report;
      }
      const checkpoint = signed.get(fields[0]);
      if (checkpoint) {
        if (checkpoint.hash !== stored.toString('hex')) {
          report.problem = {
            kind: 'changed',
            seq: fields[0],
            message: `the chain at entry ${seq} differs from the checkpoint signed ${checkpoint.signed_at}: entries up to ${seq} were rewritten`,
          };
          return report;
        }
        report.checkpointsVerified++;
        signed.delete(fields[0]);
      }
      beforePrevious = previous;
      previous = stored;
      report.entries++;
      report.intactThrough = fields[0];
      expected = seq + 1n;
    }
    if (rows.length < PAGE) break;
    options.onProgress?.(report);
    if (options.stopped?.()) return report;
  }
  const beyond = [...signed.values()][0];
  if (beyond) {
    report.problem = {
      kind: 'truncated',
      seq: (BigInt(report.intactThrough) + 1n).toString(),
      message: `the chain ends at entry ${report.intactThrough} but a checkpoint signed ${beyond.signed_at} covers entry ${beyond.seq}: entries after ${report.intactThrough} were removed`,
    };
  }
  return report;
}
