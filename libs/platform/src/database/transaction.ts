import type { Pool, PoolClient } from 'pg';

/**
 * Runs `work` in one transaction on a connection of its own: committed when it returns,
 * rolled back when it throws (or when it answers `rollback(value)`), the connection released
 * either way. A connection broken mid-transaction is destroyed instead of returned to the pool.
 */
export async function withTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T | Rollback<T>>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    if (result instanceof Rollback) {
      await client.query('ROLLBACK');
      return result.value;
    }
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    throw error;
  } finally {
    client.release(broken);
  }
}

/** What a transaction answers when it decided to write nothing. */
export class Rollback<T> {
  constructor(readonly value: T) {}
}

/** Ends the transaction without writing anything, answering `value`. */
export function rollback<T>(value: T): Rollback<T> {
  return new Rollback(value);
}
