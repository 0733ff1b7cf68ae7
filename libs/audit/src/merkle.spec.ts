import { createHash, randomBytes } from 'node:crypto';
import { RFC9162 } from '@transmute/rfc9162';
import fc from 'fast-check';
import {
  CompactRange,
  consistencyRanges,
  EMPTY_ROOT,
  foldSubtrees,
  inclusionRanges,
  leafHash,
  nodeHash,
  perfectSubtrees,
  type LeafRange,
  verifyConsistency,
  verifyInclusion,
} from './merkle';

/**
 * The tree is checked against an implementation written outside this project
 * (@transmute/rfc9162, RFC 9162 §2.1 transcribed by its authors): the same roots, the same
 * inclusion paths, and proofs of ours that its verifiers accept. Its consistency proofs keep
 * the first tree's root at the front when the first size is a power of two (RFC 6962's
 * SUBPROOF), where RFC 9162 leaves it out and has the verifier prepend it; the comparison
 * allows for that one difference.
 */

const leaves = (n: number) =>
  Array.from({ length: n }, (_, i) => createHash('sha256').update(`entry ${i}`).digest());

/** The tree hash of a range, from its leaves, by this project's subtree decomposition. */
function rangeHash(all: Buffer[], range: LeafRange): Buffer {
  const perfect = (level: number, index: number): Buffer => {
    if (level === 0) return leafHash(all[index]);
    return nodeHash(perfect(level - 1, 2 * index), perfect(level - 1, 2 * index + 1));
  };
  return foldSubtrees(perfectSubtrees(range).map((s) => perfect(s.level, s.index)));
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const isPowerOfTwo = (n: number) => (n & (n - 1)) === 0;

describe('the audit Merkle tree (RFC 9162)', () => {
  it('has the roots an independent implementation computes, at every size, grown leaf by leaf or at once', async () => {
    const all = leaves(70);
    const growing = new CompactRange();
    expect(growing.root()).toEqual(EMPTY_ROOT);
    expect(hex(await RFC9162.treeHead([]))).toBe(EMPTY_ROOT.toString('hex'));
    for (let n = 1; n <= all.length; n++) {
      growing.append(all[n - 1]);
      const theirs = hex(await RFC9162.treeHead(all.slice(0, n)));
      expect(growing.root().toString('hex')).toBe(theirs);
      expect(rangeHash(all, { start: 0, end: n }).toString('hex')).toBe(theirs);
    }
  });

  it('gives the inclusion paths it gives, which its verifier accepts and a changed hash fails', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 1, max: 140 })
          .chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 }))),
        async ([n, m]) => {
          const all = leaves(n);
          const root = rangeHash(all, { start: 0, end: n });
          const path = inclusionRanges(m, n).map((r) => rangeHash(all, r));
          const theirs = await RFC9162.inclusionProof(all[m], all);
          expect(path.map(hex)).toEqual(theirs.inclusion_path.map(hex));
          const proof = { log_id: '', tree_size: n, leaf_index: m, inclusion_path: path };
          expect(await RFC9162.verifyInclusionProof(root, leafHash(all[m]), proof)).toBe(true);
          expect(verifyInclusion(m, n, leafHash(all[m]), path, root)).toBe(true);
          const other = leafHash(randomBytes(32));
          expect(verifyInclusion(m, n, other, path, root)).toBe(false);
          if (n > 1) expect(verifyInclusion((m + 1) % n, n, leafHash(all[m]), path, root)).toBe(false);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('gives consistency proofs its verifier accepts, and refuses a rewritten prefix', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 2, max: 140 })
          .chain((n) => fc.tuple(fc.integer({ min: 1, max: n - 1 }), fc.constant(n))),
        async ([m, n]) => {
          const all = leaves(n);
          const first = rangeHash(all, { start: 0, end: m });
          const second = rangeHash(all, { start: 0, end: n });
          const path = consistencyRanges(m, n).map((r) => rangeHash(all, r));
          expect(verifyConsistency(m, n, first, second, path)).toBe(true);
          const theirs = await RFC9162.consistencyProof(
            { log_id: '', tree_size: m, leaf_index: 0, inclusion_path: [] },
            all,
          );
          const asTheyWriteIt = isPowerOfTwo(m) ? [first, ...path] : path;
          expect(asTheyWriteIt.map(hex)).toEqual(theirs.consistency_path.map(hex));
          const proof = { log_id: '', tree_size_1: m, tree_size_2: n, consistency_path: asTheyWriteIt };
          expect(await RFC9162.verifyConsistencyProof(first, second, proof)).toBe(true);

          // The first m entries rewritten: the old root no longer fits.
          const rewritten = [...all];
          rewritten[m - 1] = randomBytes(32);
          const newSecond = rangeHash(rewritten, { start: 0, end: n });
          const newPath = consistencyRanges(m, n).map((r) => rangeHash(rewritten, r));
          expect(verifyConsistency(m, n, first, newSecond, newPath)).toBe(false);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('decomposes only aligned ranges, into at most one subtree per bit of the size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1 << 20 }), (n) => {
        const parts = perfectSubtrees({ start: 0, end: n });
        expect(parts.reduce((sum, p) => sum + 2 ** p.level, 0)).toBe(n);
        expect(parts.length).toBe(n.toString(2).replace(/0/g, '').length);
      }),
    );
    expect(() => perfectSubtrees({ start: 3, end: 7 })).toThrow(/not aligned/);
  });
});
