import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '@vss/platform';
import type { Checkpoint } from '../audit-checkpoints';

/** What a proof reads of the chain besides its tree: the receipt's entry and the newest tree head. */
@Injectable()
export class AuditProofsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Whether the chain has this hash at this position. */
  async receiptHolds(seq: number, hashHex: string): Promise<boolean> {
    const { rows } = await this.pool.query(
      `SELECT 1 FROM vss.audit_events WHERE seq = $1 AND hash = decode($2, 'hex')`,
      [seq, hashHex],
    );
    return rows.length === 1;
  }

  /** The newest checkpoint that is a tree head. */
  async newestTreeHead(): Promise<Checkpoint | undefined> {
    const { rows } = await this.pool.query<Checkpoint>(
      `SELECT seq::text, encode(hash, 'hex') AS hash, encode(root_hash, 'hex') AS "rootHash",
              to_char(signed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "signedAt", key_id AS "keyId",
              translate(encode(signature, 'base64'), E'\n', '') AS signature
         FROM vss.audit_checkpoints WHERE root_hash IS NOT NULL
        ORDER BY audit_checkpoints.seq DESC LIMIT 1`,
    );
    return rows[0];
  }
}
