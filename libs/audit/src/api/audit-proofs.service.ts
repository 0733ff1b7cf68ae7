import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { GetAuditProofResponse } from '@vss/contracts';
import { PG_POOL } from '@vss/platform';
import { AuditTree } from '../audit-tree';
import { AuditErrorCode, auditError, invalidAuditField } from '../audit.errors';
import { AuditProofsRepository } from './audit-proofs.repository';
import type { ProofRequest } from './audit-proofs.request';

const hex = (b: Buffer) => b.toString('hex');

/**
 * Proofs of receipts: a caller holding a receipt (seq, hash) gets the newest signed tree head,
 * the receipt's inclusion path in it and, when it names a tree size it verified before, the
 * consistency path from that tree — hashes only: never another entry's content. A receipt
 * whose hash is not the chain's at its position is NOT_FOUND (nothing about the real entry is
 * told).
 */
@Injectable()
export class AuditProofsService {
  private readonly tree: AuditTree;

  constructor(
    @Inject(PG_POOL) pool: Pool,
    private readonly proofs: AuditProofsRepository,
  ) {
    this.tree = new AuditTree(pool);
  }

  async proof(request: ProofRequest): Promise<GetAuditProofResponse> {
    const held = await this.proofs.receiptHolds(request.seq, request.hash);
    if (!held) {
      throw auditError(
        AuditErrorCode.ReceiptNotFound,
        `no audit entry ${request.seq} with that hash: check the receipt as it was received`,
      );
    }
    const head = await this.proofs.newestTreeHead();
    if (!head || Number(head.seq) < request.seq) {
      throw auditError(
        AuditErrorCode.NotYetSigned,
        `entry ${request.seq} is newer than the newest signed tree head` +
          (head ? ` (entry ${head.seq})` : '') +
          ': tree heads are signed every minute or so; ask again after the next one',
      );
    }
    const size = Number(head.seq);
    if (request.firstTreeSize !== undefined && request.firstTreeSize > size) {
      throw invalidAuditField(
        'first_tree_size',
        `${request.firstTreeSize} is beyond the newest signed tree head (${size}): it was not signed by this log`,
      );
    }
    const [inclusion, consistency] = await Promise.all([
      this.tree.inclusionProof(request.seq - 1, size),
      request.firstTreeSize === undefined ? [] : this.tree.consistencyProof(request.firstTreeSize, size),
    ]);
    return {
      treeHead: {
        treeSize: head.seq,
        rootHash: head.rootHash!,
        chainHash: head.hash,
        signedAt: head.signedAt,
        keyId: head.keyId,
        signature: head.signature,
      },
      leafIndex: String(request.seq - 1),
      inclusionPath: inclusion.map(hex),
      consistencyPath: consistency.map(hex),
    };
  }
}
