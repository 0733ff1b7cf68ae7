import type { GetAuditProofRequest } from '@vss/contracts';
import { invalidAuditField } from '../audit.errors';

/** The requests of AuditService, checked without the database (INVALID_ARGUMENT naming the field). */

const POSITION = /^[1-9][0-9]{0,14}$/;
const HASH = /^[0-9a-f]{64}$/;

export interface ProofRequest {
  seq: number;
  hash: string;
  firstTreeSize: number | undefined;
}

export function parseProofRequest(request: Partial<GetAuditProofRequest>): ProofRequest {
  const seq = request.receipt?.seq ?? '';
  if (!POSITION.test(seq)) {
    throw invalidAuditField(
      'receipt.seq',
      `${JSON.stringify(seq.slice(0, 40))} is not an entry position (a whole number ≥ 1)`,
    );
  }
  const hash = (request.receipt?.hash ?? '').toLowerCase();
  if (!HASH.test(hash)) {
    throw invalidAuditField('receipt.hash', 'is not a SHA-256 hash (64 hex digits) as the receipt gave it');
  }
  const first = request.firstTreeSize ?? '';
  if (first !== '' && !POSITION.test(first)) {
    throw invalidAuditField(
      'first_tree_size',
      `${JSON.stringify(first.slice(0, 40))} is not a tree size (a whole number ≥ 1, from an earlier proof's tree head)`,
    );
  }
  return { seq: Number(seq), hash, firstTreeSize: first === '' ? undefined : Number(first) };
}

export function checkProofRequest(request: Partial<GetAuditProofRequest>): void {
  parseProofRequest(request);
}
