import { createHash, type KeyObject } from 'node:crypto';
import type { Pool } from 'pg';
import { type Checkpoint, checkpointVerifies, keyIdOf, storedCheckpoints } from './audit-checkpoints';
import { CompactRange } from './merkle';

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

export type ChainProblemKind =
  'changed' | 'removed' | 'inserted' | 'truncated' | 'checkpoint' | 'dropped' | 'unanchored';

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
  /** Checkpoints whose chain hash (and tree root, for tree heads) the chain still has. */
  checkpointsVerified: number;
  /** Entries committed with their changes and not chained yet (the next append chains them). */
  staged: number;
  problem?: ChainProblem;
}

const PAGE = 10_000;
const STAGED = /"staged": (\d+)/;

/**
 * Walks the chain from `from` and checks every entry's hash against its predecessor, and the
 * chain against every trusted checkpoint: its signature (with the public keys given, never with
 * a key the database names), the chain's hash at its position and, for a tree head, the Merkle
 * root of the chain up to there (recomputed from the entries; from entry 1 only). Trusted
 * checkpoints are the `witness`'s when given (kept outside the database), else the database's.
 * Stops at the first problem: an entry changed, a gap (removed), an entry inserted (the next
 * entry verifies one position earlier), a checkpoint beyond the end of the chain (the tail
 * truncated), a rewritten chain (a trusted root or hash no longer there), a staged entry that
 * never reached the chain (dropped), or no checkpoint at all to trust (unanchored).
 */
export async function verifyChain(
  pool: Pool,
  options: {
    from?: bigint;
    publicKeys: KeyObject[];
    /** The only checkpoints to trust (a witness file's); default: the database's. */
    witness?: Checkpoint[];
    /** Told after each page of entries (10,000) how far the walk has verified. */
    onProgress?: (report: Readonly<VerifyReport>) => void;
    /** Asked before each page: true stops the walk (the report says how far it got). */
    stopped?: () => boolean;
    /**
     * false: neither count staged entries nor check their numbers (an app's role may read
     * neither the staged entries nor their sequence).
     */
    countStaged?: boolean;
  },
): Promise<VerifyReport> {
  const from = options.from ?? 1n;
  const keys = new Map(options.publicKeys.map((k) => [keyIdOf(k), k]));
  const checkStaged = options.countStaged !== false;
  // Read before the walk: every number handed out by now is chained or staged by its end.
  const numbered = checkStaged ? await stagedNumbersHandedOut(pool) : 0;
  const trusted = (options.witness ?? (await storedCheckpoints(pool, from)))
    .filter((c) => BigInt(c.seq) >= from)
    .sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : BigInt(a.seq) > BigInt(b.seq) ? 1 : 0));
  const report: VerifyReport = {
    intactThrough: (from - 1n).toString(),
    entries: 0,
    checkpointsVerified: 0,
    staged: 0,
  };
  const signed = new Map<string, Checkpoint>();
  for (const c of trusted) {
    const key = keys.get(c.keyId);
    if (key === undefined || !checkpointVerifies(c, key)) {
      report.problem = {
        kind: 'checkpoint',
        seq: c.seq,
        message: key
          ? `the checkpoint at entry ${c.seq} (signed ${c.signedAt}) does not verify: it was altered`
          : `the checkpoint at entry ${c.seq} is signed by key ${c.keyId}, which is not a trusted audit key`,
      };
      return report;
    }
    const same = signed.get(c.seq);
    if (same && (same.hash !== c.hash || same.rootHash !== c.rootHash)) {
      report.problem = {
        kind: 'checkpoint',
        seq: c.seq,
        message: `two validly signed checkpoints at entry ${c.seq} disagree (signed ${same.signedAt} and ${c.signedAt}): the audit key signed two histories`,
      };
      return report;
    }
    signed.set(c.seq, c);
  }

  let expected = from;
  let previous: Buffer = GENESIS_HASH;
  let beforePrevious: Buffer | undefined;
  // The Merkle tree is recomputed from the first entry only.
  const tree = from === 1n ? new CompactRange() : undefined;
  const staged = new StagedNumbers();
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
      tree?.append(stored);
      if (checkStaged) {
        const number = STAGED.exec(fields[11]);
        if (number) {
          const repeated = staged.see(Number(number[1]));
          if (repeated) {
            report.problem = {
              kind: 'inserted',
              seq: seq.toString(),
              message: `entry ${seq} carries staged number ${number[1]}, which an earlier entry carries: it was copied into the chain`,
            };
            return report;
          }
        }
      }
      const checkpoint = signed.get(fields[0]);
      if (checkpoint) {
        const rewritten =
          checkpoint.hash !== stored.toString('hex')
            ? 'the chain'
            : tree && checkpoint.rootHash !== null && tree.root().toString('hex') !== checkpoint.rootHash
              ? 'the Merkle tree of the chain'
              : undefined;
        if (rewritten) {
          report.problem = {
            kind: 'changed',
            seq: fields[0],
            message: `${rewritten} at entry ${seq} differs from the checkpoint signed ${checkpoint.signedAt}: entries up to ${seq} were rewritten`,
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
      message: `the chain ends at entry ${report.intactThrough} but a checkpoint signed ${beyond.signedAt} covers entry ${beyond.seq}: entries after ${report.intactThrough} were removed`,
    };
    return report;
  }
  if (checkStaged) {
    const pending = await pool.query<{ staged_seq: string | null }>(
      `SELECT staged_seq::text FROM vss.audit_pending`,
    );
    report.staged = pending.rows.length;
    for (const p of pending.rows) if (p.staged_seq !== null) staged.see(Number(p.staged_seq));
    // Chained since the walk ended: seen too.
    const since = await pool.query<{ n: string | null }>(
      `SELECT detail->>'staged' AS n FROM vss.audit_events WHERE seq > $1 AND detail ? 'staged'`,
      [report.intactThrough],
    );
    for (const row of since.rows) if (row.n !== null) staged.see(Number(row.n));
    const missing = staged.missing(numbered, from === 1n);
    if (missing) {
      report.problem = {
        kind: 'dropped',
        seq: report.intactThrough,
        message:
          `staged entr${missing.count === 1 ? 'y' : 'ies'} numbered ${missing.first}` +
          (missing.count > 1 ? ` (and ${missing.count - 1} more, up to ${missing.last})` : '') +
          ' never reached the chain: removed before they were chained, or lost with a transaction that failed as it committed',
      };
      return report;
    }
  }
  if (trusted.length === 0) {
    report.problem = {
      kind: 'unanchored',
      seq: report.intactThrough,
      message: options.witness
        ? 'the witness holds no checkpoint from this entry on: nothing proves the chain was not rewritten whole'
        : 'there is no signed checkpoint to trust: nothing proves the chain was not rewritten whole',
    };
  }
  return report;
}

/** The last number vss.audit_staged_seq handed out (0: none yet). */
async function stagedNumbersHandedOut(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ last: string; called: boolean }>(
    `SELECT last_value::text AS last, is_called AS called FROM vss.audit_staged_seq`,
  );
  return rows[0].called ? Number(rows[0].last) : 0;
}

/** A jump in staged numbers larger than this is reported as it is, not number by number. */
const MAX_GAP = 1_000_000;

/**
 * The staged numbers the chain carries, in whatever order transactions committed: the lowest
 * seen, the highest, and the numbers in between not seen yet (few: a transaction's entries are
 * chained within a flush of its commit).
 */
class StagedNumbers {
  private lowest: number | undefined;
  private highest = 0;
  private readonly gaps = new Set<number>();
  private jump: { from: number; to: number } | undefined;

  /** Notes a number; true when it was seen before. */
  see(n: number): boolean {
    if (this.lowest === undefined) {
      this.lowest = n;
      this.highest = n;
      return false;
    }
    if (n > this.highest) {
      this.skip(this.highest + 1, n);
      this.highest = n;
      return false;
    }
    if (n < this.lowest) {
      this.skip(n + 1, this.lowest);
      this.lowest = n;
      return false;
    }
    return !this.gaps.delete(n);
  }

  private skip(from: number, to: number): void {
    if (to - from > MAX_GAP) this.jump ??= { from, to: to - 1 };
    else for (let k = from; k < to; k++) this.gaps.add(k);
  }

  /**
   * The numbers up to `handedOut` never seen: from 1 when the walk began at the first entry,
   * else from the lowest it saw.
   */
  missing(handedOut: number, fromFirst: boolean): { first: number; last: number; count: number } | undefined {
    if (this.lowest === undefined) {
      if (!fromFirst) return undefined;
      this.lowest = this.highest = 0;
    }
    if (fromFirst) this.skip(1, this.lowest);
    if (handedOut > this.highest) this.skip(this.highest + 1, handedOut + 1);
    if (this.jump)
      return { first: this.jump.from, last: this.jump.to, count: this.jump.to - this.jump.from + 1 };
    if (this.gaps.size === 0) return undefined;
    const sorted = [...this.gaps].sort((a, b) => a - b);
    return { first: sorted[0], last: sorted[sorted.length - 1], count: sorted.length };
  }
}
