import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { PgBoss } from '@vss/platform';

/**
 * pg-boss's `db` option bound to a transaction's connection, so that a job is inserted in the
 * transaction that makes it necessary. Its statements run as named prepared statements (named
 * by their text), so the connection plans pg-boss's insert once, not on every job.
 */
export function queueOnTransaction(client: PoolClient): PgBoss.Db {
  return {
    executeSql: (text: string, values: unknown[]) =>
      client.query({
        name: `pgboss-${createHash('sha1').update(text).digest('hex').slice(0, 16)}`,
        text,
        values,
      }),
  };
}
