import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { LOOKUP_POOL } from '@vss/platform';

/** The key of the coverage change feed's tokens (migration OpaqueChangeFeed); the gateway's login reads it. */
@Injectable()
export class ChangeFeedKeyRepository {
  constructor(@Inject(LOOKUP_POOL) private readonly pool: Pool) {}

  async key(): Promise<Buffer> {
    const { rows } = await this.pool.query<{ secret: Buffer }>(
      `SELECT secret FROM vss.change_feed_key WHERE id = 1`,
    );
    if (!rows[0]) throw new Error('vss.change_feed_key holds no key: run the migrations');
    return rows[0].secret;
  }
}
