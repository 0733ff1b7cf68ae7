import { createHash, hash } from 'node:crypto';

/**
 * The Merkle tree over the audit chain, as RFC 9162 (Certificate Transparency 2.0) §2.1 defines
 * it: leaf `i` is the chain hash of entry `i + 1` (32 bytes), a leaf's hash is
 * SHA-256(0x00 ‖ leaf), an inner node's SHA-256(0x01 ‖ left ‖ right), and a tree of `n` leaves
 * splits at the largest power of two below `n`. Signed tree heads (checkpoints) sign its root;
 * inclusion and consistency proofs let anyone holding a receipt check it with hashes only.
 *
 * This file is pure: which subtrees a proof is made of, and how a proof is checked. Where the
 * subtrees' hashes come from (the chain and its stored tiles) is audit-tree.ts. Sizes and
 * indexes are numbers: exact up to 2^53 entries.
 */

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

/** The root of the empty tree: SHA-256 of nothing. */
export const EMPTY_ROOT = createHash('sha256').digest();

// One-shot hashing of the joined bytes: a third of the cost of a Hash object per node.
export const leafHash = (leaf: Buffer): Buffer => hash('sha256', Buffer.concat([LEAF, leaf]), 'buffer');

export const nodeHash = (left: Buffer, right: Buffer): Buffer =>
  hash('sha256', Buffer.concat([NODE, left, right]), 'buffer');

/** A range of leaves [start, end) whose tree hash (MTH) a proof carries. */
export interface LeafRange {
  start: number;
  end: number;
}

/** A perfect subtree: 2^level leaves starting at leaf index × 2^level. */
export interface Subtree {
  level: number;
  index: number;
}

/** The largest power of two strictly below n (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

const isPowerOfTwo = (n: number) => n > 0 && 2 ** Math.round(Math.log2(n)) === n;

/**
 * The perfect subtrees whose hashes make MTH(D[start:end]), left to right: the tree of a range
 * is its largest power-of-two prefix and the tree of the rest. Every range an RFC 9162 proof
 * names starts at a multiple of its prefix, so each part is an aligned subtree.
 */
export function perfectSubtrees(range: LeafRange): Subtree[] {
  const parts: Subtree[] = [];
  let { start } = range;
  const { end } = range;
  while (start < end) {
    const n = end - start;
    const size = isPowerOfTwo(n) ? n : splitPoint(n);
    if (start % size !== 0) throw new Error(`range [${range.start}, ${end}) is not aligned`);
    parts.push({ level: Math.log2(size), index: start / size });
    start += size;
  }
  return parts;
}

/** The tree hash of a range from its perfect subtrees' hashes, left to right. */
export function foldSubtrees(hashes: Buffer[]): Buffer {
  if (hashes.length === 0) return EMPTY_ROOT;
  let root = hashes[hashes.length - 1];
  for (let i = hashes.length - 2; i >= 0; i--) root = nodeHash(hashes[i], root);
  return root;
}

/** RFC 9162 §2.1.3.1 PATH(m, D[n]): the ranges whose hashes prove leaf m in a tree of n. */
export function inclusionRanges(leafIndex: number, treeSize: number): LeafRange[] {
  if (!(leafIndex >= 0 && leafIndex < treeSize)) throw new Error('the leaf is not in the tree');
  const path: LeafRange[] = [];
  const walk = (m: number, start: number, end: number) => {
    const n = end - start;
    if (n === 1) return;
    const k = splitPoint(n);
    if (m < k) {
      walk(m, start, start + k);
      path.push({ start: start + k, end });
    } else {
      walk(m - k, start + k, end);
      path.push({ start, end: start + k });
    }
  };
  walk(leafIndex, 0, treeSize);
  return path;
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[n]): the ranges whose hashes prove a tree of m a prefix of n. */
export function consistencyRanges(first: number, second: number): LeafRange[] {
  if (!(first > 0 && first <= second)) throw new Error('the first tree must be non-empty and no larger');
  const proof: LeafRange[] = [];
  const sub = (m: number, start: number, end: number, whole: boolean) => {
    const n = end - start;
    if (m === n) {
      if (!whole) proof.push({ start, end });
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      sub(m, start, start + k, whole);
      proof.push({ start: start + k, end });
    } else {
      sub(m - k, start + k, end, false);
      proof.push({ start, end: start + k });
    }
  };
  sub(first, 0, second, true);
  return proof;
}

const odd = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);

/** RFC 9162 §2.1.3.2: does `path` prove `leaf` (its hash) at `leafIndex` in the tree `root`? */
export function verifyInclusion(
  leafIndex: number,
  treeSize: number,
  leaf: Buffer,
  path: Buffer[],
  root: Buffer,
): boolean {
  if (!(leafIndex >= 0 && leafIndex < treeSize)) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 §2.1.4.2: does `path` prove the tree (first, firstRoot) a prefix of (second, secondRoot)? */
export function verifyConsistency(
  first: number,
  second: number,
  firstRoot: Buffer,
  secondRoot: Buffer,
  path: Buffer[],
): boolean {
  if (first === second) return path.length === 0 && firstRoot.equals(secondRoot);
  if (!(first > 0 && first < second) || path.length === 0) return false;
  const nodes = isPowerOfTwo(first) ? [firstRoot, ...path] : path;
  let fn = first - 1;
  let sn = second - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = nodes[0];
  let sr = nodes[0];
  for (const c of nodes.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && fr.equals(firstRoot) && sr.equals(secondRoot);
}

/**
 * The right edge of a growing tree: the hashes of its perfect subtrees, largest first (at most
 * one per bit of the size). Appending a leaf merges equal neighbours; the root at any size is
 * their fold. What a verifier walking the chain keeps, in O(log n) memory.
 */
export class CompactRange {
  private readonly stack: { level: number; hash: Buffer }[] = [];
  size = 0;

  append(leaf: Buffer): void {
    let node = { level: 0, hash: leafHash(leaf) };
    while (this.stack.length > 0 && this.stack[this.stack.length - 1].level === node.level) {
      const left = this.stack.pop()!;
      node = { level: node.level + 1, hash: nodeHash(left.hash, node.hash) };
    }
    this.stack.push(node);
    this.size++;
  }

  root(): Buffer {
    return foldSubtrees(this.stack.map((s) => s.hash));
  }
}
