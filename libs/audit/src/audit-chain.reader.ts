import { Inject, Injectable } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import type { Pool } from 'pg';
import { PG_POOL } from '@vss/platform';
import { verifyChain, type VerifyReport } from './audit-chain';
import type { Checkpoint } from './audit-checkpoints';

/** The trusted public keys of the audit chain's checkpoints, as the app was given them. */
export const AUDIT_PUBLIC_KEYS = Symbol('AUDIT_PUBLIC_KEYS');

/** The chain's last entry. */
export interface ChainHead {
  seq: string;
  hash: string;
  occurredAt: string;
}

/**
 * The audit chain as the people who oversee it read it: its head, its signed checkpoints, and
 * the same verification `audit verify` runs, with the public keys the app trusts.
 */
@Injectable()
export class AuditChainReader {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(AUDIT_PUBLIC_KEYS) private readonly keys: KeyObject[],
  ) {}

  async head(): Promise<ChainHead | undefined> {
    const { rows } = await this.pool.query<ChainHead>(
      `SELECT seq::text, encode(hash, 'hex') AS hash,
              to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "occurredAt"
         FROM vss.audit_events ORDER BY audit_events.seq DESC LIMIT 1`,
    );
    return rows[0];
  }

  /** Signed checkpoints, newest first, those before `beforeSeq` when given. */
  async checkpoints(limit: number, beforeSeq?: string): Promise<Checkpoint[]> {
    const { rows } = await this.pool.query<Checkpoint>(
      `SELECT seq::text, encode(hash, 'hex') AS hash, encode(root_hash, 'hex') AS "rootHash",
              to_char(signed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "signedAt",
              key_id AS "keyId", translate(encode(signature, 'base64'), E'\n', '') AS signature
         FROM vss.audit_checkpoints
        WHERE $2::bigint IS NULL OR seq < $2::bigint
        ORDER BY audit_checkpoints.seq DESC LIMIT $1`,
      [limit, beforeSeq ?? null],
    );
    return rows;
  }

  /** Whether any public key is trusted: without one, checkpoints cannot be verified. */
  get trustsKeys(): boolean {
    return this.keys.length > 0;
  }

  /** `audit verify` from the first entry, telling its progress as it goes. */
  verify(options: { onProgress?: (r: Readonly<VerifyReport>) => void; stopped?: () => boolean } = {}) {
    // Staged entries are the append's business: the apps' roles do not read them.
    return verifyChain(this.pool, { publicKeys: this.keys, countStaged: false, ...options });
  }
}
