import type { Pool, PoolClient } from 'pg';

/** The steps to run once each open withTransaction has committed, by connection. */
const afterCommit = new WeakMap<PoolClient, Array<() => Promise<unknown>>>();

/**
 * Runs `step` once this transaction has committed (not at all if it rolls back), before
 * withTransaction returns: for work that must follow the commit, such as chaining the audit
 * entries the transaction staged. The change is committed whatever the step does, so a step
 * that fails is not the caller's failure (the audit trail chains what is left at its next
 * append). Only in a withTransaction.
 */
export function onAfterCommit(client: PoolClient, step: () => Promise<unknown>): void {
  const steps = afterCommit.get(client);
  if (!steps) throw new Error('onAfterCommit needs a transaction opened by withTransaction');
  steps.push(step);
}

/**
 * Runs `work` in one transaction on a connection of its own: committed when it returns,
 * rolled back when it throws (or when it answers `rollback(value)`), the connection released
 * either way. A connection broken mid-transaction is destroyed instead of returned to the pool.
 * Steps registered with onAfterCommit run once it has committed and released its connection.
 */
export async function withTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T | Rollback<T>>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const steps: Array<() => Promise<unknown>> = [];
  let result: T;
  try {
    await client.query('BEGIN');
    afterCommit.set(client, steps);
    const outcome = await work(client);
    if (outcome instanceof Rollback) {
      await client.query('ROLLBACK');
      return outcome.value;
    }
    await client.query('COMMIT');
    result = outcome;
  } catch (error) {
    steps.length = 0;
    await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    throw error;
  } finally {
    afterCommit.delete(client);
    client.release(broken);
  }
  await Promise.allSettled(steps.map((step) => step()));
  return result;
}

/** What a transaction answers when it decided to write nothing. */
export class Rollback<T> {
  constructor(readonly value: T) {}
}

/** Ends the transaction without writing anything, answering `value`. */
export function rollback<T>(value: T): Rollback<T> {
  return new Rollback(value);
}
