import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import type PgBoss from 'pg-boss';

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

/**
 * Sends a job in the caller's transaction: it exists exactly when the transaction commits.
 * Answers the job's ID.
 */
export async function sendOnTransaction(
  boss: PgBoss,
  client: PoolClient,
  queue: string,
  data: object,
  options: Omit<PgBoss.SendOptions, 'db'> = {},
): Promise<string> {
  const id = await boss.send(queue, data, { ...options, db: queueOnTransaction(client) });
  // pg-boss answers null, without an error, when the queue does not exist.
  if (!id) throw new Error(`the job queue ${queue} does not exist`);
  return id;
}
