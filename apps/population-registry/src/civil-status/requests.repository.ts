import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { REGISTRY_POOL } from '../citizens/citizens.repository';

export interface StoredRequest {
  kind: string;
  fingerprint: string;
  response: unknown;
}

/** Answers of idempotent requests, kept so that a repeat returns the first answer. */
@Injectable()
export class RequestsRepository {
  constructor(@Inject(REGISTRY_POOL) private readonly pool: Pool) {}

  /**
   * Runs `work` in a transaction holding the request ID: a concurrent repeat waits for the
   * first to commit and then sees its answer.
   */
  async once<T>(
    request: { requestId: string; kind: string; citizenId: string; fingerprint: string },
    work: (client: PoolClient) => Promise<T>,
  ): Promise<{ response: T; replayed: boolean } | { conflict: StoredRequest }> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const inserted = await client.query(
        `INSERT INTO npd.requests (request_id, kind, citizen_id, fingerprint, response)
         VALUES ($1, $2, $3, $4, 'null') ON CONFLICT (request_id) DO NOTHING`,
        [request.requestId, request.kind, request.citizenId, request.fingerprint],
      );
      if (inserted.rowCount === 0) {
        const existing = await client.query<StoredRequest>(
          'SELECT kind, fingerprint, response FROM npd.requests WHERE request_id = $1',
          [request.requestId],
        );
        await client.query('COMMIT');
        const stored = existing.rows[0];
        if (stored.fingerprint !== request.fingerprint || stored.kind !== request.kind) {
          return { conflict: stored };
        }
        return { response: stored.response as T, replayed: true };
      }
      const response = await work(client);
      await client.query('UPDATE npd.requests SET response = $2 WHERE request_id = $1', [
        request.requestId,
        JSON.stringify(response),
      ]);
      await client.query('COMMIT');
      return { response, replayed: false };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
