import type { Pool, PoolClient } from 'pg';

/**
 * Runs `work` in one transaction on a connection of its own: committed when it returns,
 * rolled back when it throws (or when it answers `rollback(value)`), the connection released
 * either way. A connection broken mid-transaction is destroyed instead of returned to the pool.
 */
interface TransactionScope {
  beforeCommit: Array<() => Promise<void>>;
  locals: Map<symbol, unknown>;
}

/** The open withTransaction of each connection; gone when it commits or rolls back. */
const scopes = new WeakMap<PoolClient, TransactionScope>();

function scopeOf(client: PoolClient, what: string): TransactionScope {
  const scope = scopes.get(client);
  if (!scope) throw new Error(`${what} needs a transaction opened by withTransaction`);
  return scope;
}

/**
 * Runs `step` on this transaction just before it commits (and not at all if it rolls back):
 * for writes that must commit with the change yet take a lock everyone shares, so that the
 * lock is held for the commit only (the audit chain's). Only in a withTransaction.
 */
export function onBeforeCommit(client: PoolClient, step: () => Promise<void>): void {
  scopeOf(client, 'onBeforeCommit').beforeCommit.push(step);
}

/**
 * A value that lives as long as this transaction (not the pooled connection, which outlives
 * it): created by `init` on first use, forgotten at commit or rollback.
 */
export function transactionLocal<T>(client: PoolClient, key: symbol, init: () => T): T {
  const scope = scopeOf(client, 'transactionLocal');
  if (!scope.locals.has(key)) scope.locals.set(key, init());
  return scope.locals.get(key) as T;
}

export async function withTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T | Rollback<T>>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const scope: TransactionScope = { beforeCommit: [], locals: new Map() };
    scopes.set(client, scope);
    const result = await work(client);
    if (result instanceof Rollback) {
      await client.query('ROLLBACK');
      return result.value;
    }
    for (const step of scope.beforeCommit) await step();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    throw error;
  } finally {
    scopes.delete(client);
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
