import type { Pool } from 'pg';
import {
  consistencyRanges,
  EMPTY_ROOT,
  foldSubtrees,
  inclusionRanges,
  leafHash,
  type LeafRange,
  nodeHash,
  perfectSubtrees,
} from './merkle';

/** Tiles are stored every TILE_BITS levels: a tile at level 8k is the hash of 2^(8k) leaves. */
const TILE_BITS = 8;
const TILE = 2 ** TILE_BITS;
/** Tiles built per statement when the tree catches up with the chain. */
const TILES_PER_STATEMENT = 64;

/**
 * The Merkle tree over the audit chain, read from the database: leaves are the chain's hashes
 * (`vss.audit_events.hash`), and the hashes of its complete subtrees of 2^8, 2^16, … leaves are
 * kept in `vss.audit_tree_tiles` as the chain grows (`extend`, by the gateway that signs tree
 * heads). Any subtree's hash is then at most 255 stored hashes away: a root or a proof reads a
 * few hundred rows, whatever the size of the chain.
 *
 * Nothing here is trusted by a verifier: a proof is checked against a signed root, and
 * `audit verify` recomputes roots from the chain itself.
 */
export class AuditTree {
  constructor(private readonly pool: Pool) {}

  /** The root of the tree of the first `size` entries. */
  async root(size: number): Promise<Buffer> {
    if (size === 0) return EMPTY_ROOT;
    return this.rangeHash({ start: 0, end: size });
  }

  /** RFC 9162 inclusion proof of leaf `index` (entry index + 1) in the tree of `size`. */
  inclusionProof(index: number, size: number): Promise<Buffer[]> {
    return Promise.all(inclusionRanges(index, size).map((r) => this.rangeHash(r)));
  }

  /** RFC 9162 consistency proof of the tree of `first` entries with the tree of `second`. */
  consistencyProof(first: number, second: number): Promise<Buffer[]> {
    if (first === second) return Promise.resolve([]);
    return Promise.all(consistencyRanges(first, second).map((r) => this.rangeHash(r)));
  }

  /**
   * Stores every complete tile of the first `size` entries not stored yet, level by level.
   * Idempotent, and safe beside another gateway doing the same (a tile is the same hash
   * whoever computes it).
   */
  async extend(size: number): Promise<void> {
    let below = size;
    for (let level = TILE_BITS; below >= TILE; level += TILE_BITS) {
      const complete = Math.floor(below / TILE);
      const { rows } = await this.pool.query<{ next: string }>(
        `SELECT coalesce(max(idx) + 1, 0)::text AS next FROM vss.audit_tree_tiles WHERE level = $1`,
        [level],
      );
      for (let next = Number(rows[0].next); next < complete;) {
        const count = Math.min(TILES_PER_STATEMENT, complete - next);
        const children = await this.nodes(level - TILE_BITS, next * TILE, count * TILE);
        const hashes = Array.from({ length: count }, (_, i) =>
          reduce(children.slice(i * TILE, (i + 1) * TILE)),
        );
        await this.pool.query(
          `INSERT INTO vss.audit_tree_tiles (level, idx, hash)
           SELECT $1, $2::bigint + i - 1, h FROM unnest($3::bytea[]) WITH ORDINALITY AS t(h, i)
           ON CONFLICT DO NOTHING`,
          [level, next, hashes],
        );
        next += count;
      }
      below = complete;
    }
  }

  /** The hash of a range a proof names: its perfect subtrees, folded. */
  private async rangeHash(range: LeafRange): Promise<Buffer> {
    const parts = perfectSubtrees(range);
    return foldSubtrees(await Promise.all(parts.map((p) => this.subtree(p.level, p.index))));
  }

  /** A perfect subtree's hash: a stored tile, or the stored nodes below it hashed up. */
  private async subtree(level: number, index: number): Promise<Buffer> {
    const stored = level - (level % TILE_BITS);
    const width = 2 ** (level - stored);
    return reduce(await this.nodes(stored, index * width, width));
  }

  /**
   * `count` nodes of a stored level from `first`: leaf hashes of the chain's entries (level 0),
   * or tiles. Every one must be there: a gap is a damaged chain, or tiles not built that far.
   */
  private async nodes(level: number, first: number, count: number): Promise<Buffer[]> {
    const { rows } =
      level === 0
        ? await this.pool.query<{ hash: Buffer }>(
            `SELECT hash FROM vss.audit_events WHERE seq > $1 AND seq <= $2 ORDER BY audit_events.seq`,
            [first, first + count],
          )
        : await this.pool.query<{ hash: Buffer }>(
            `SELECT hash FROM vss.audit_tree_tiles WHERE level = $1 AND idx >= $2 AND idx < $3
              ORDER BY audit_tree_tiles.idx`,
            [level, first, first + count],
          );
    if (rows.length !== count) {
      throw new Error(
        level === 0
          ? `audit entries ${first + 1} to ${first + count} are not all there (${rows.length} of ${count})`
          : `audit tree tiles at level ${level} from ${first} are not all stored (${rows.length} of ${count})`,
      );
    }
    return level === 0 ? rows.map((r) => leafHash(r.hash)) : rows.map((r) => r.hash);
  }
}

/** Hashes a power-of-two run of sibling nodes up to their one parent. */
function reduce(nodes: Buffer[]): Buffer {
  let level = nodes;
  while (level.length > 1) {
    const up: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) up.push(nodeHash(level[i], level[i + 1]));
    level = up;
  }
  return level[0];
}
