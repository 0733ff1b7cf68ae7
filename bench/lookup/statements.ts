import { Pool } from 'pg';

/**
 * What PostgreSQL did for the calls of a phase, from `pg_stat_statements` (the server must preload
 * it: bench:lookup --profile starts its embedded server so): each statement's execution and
 * planning time, top-level statements apart from those run inside functions (the audit append's
 * INSERTs), and its calls.
 */

export interface Statement {
  query: string;
  toplevel: boolean;
  calls: number;
  /** Execution plus planning, ms. */
  ms: number;
  planMs: number;
}

export const STATEMENT_SETTINGS = {
  shared_preload_libraries: 'pg_stat_statements',
  'pg_stat_statements.track': 'all',
  'pg_stat_statements.track_planning': 'on',
};

/** Installs the extension in the benchmark's database; false when the server did not preload it. */
export async function enableStatements(url: string): Promise<boolean> {
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    await pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await pool.query('SELECT pg_stat_statements_reset()');
    return true;
  } catch {
    return false;
  } finally {
    await pool.end();
  }
}

export async function resetStatements(url: string): Promise<void> {
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    await pool.query('SELECT pg_stat_statements_reset()');
  } finally {
    await pool.end();
  }
}

export async function readStatements(url: string): Promise<Statement[]> {
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    const { rows } = await pool.query<{
      query: string;
      toplevel: boolean;
      calls: string;
      ms: number;
      plan_ms: number;
    }>(
      `SELECT s.query, s.toplevel, s.calls::text, s.total_exec_time + s.total_plan_time AS ms,
              s.total_plan_time AS plan_ms
         FROM pg_stat_statements s
        WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND s.query NOT LIKE '%pg_stat_statements%'`,
    );
    return rows.map((r) => ({
      query: r.query,
      toplevel: r.toplevel,
      calls: Number(r.calls),
      ms: r.ms,
      planMs: r.plan_ms,
    }));
  } finally {
    await pool.end();
  }
}

/** Adds up statements of the same text over several phases. */
export function mergeStatements(all: readonly Statement[]): Statement[] {
  const by = new Map<string, Statement>();
  for (const s of all) {
    const key = `${s.toplevel}\u0000${s.query}`;
    const had = by.get(key);
    if (had) {
      had.calls += s.calls;
      had.ms += s.ms;
      had.planMs += s.planMs;
    } else by.set(key, { ...s });
  }
  return [...by.values()].sort((a, b) => b.ms - a.ms);
}

/** A statement's text on one line, cut to `width` characters. */
export function shortQuery(query: string, width = 72): string {
  const line = query.replace(/\s+/g, ' ').trim();
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}

const BACKGROUND =
  /^postgres: (checkpointer|background writer|walwriter|autovacuum|logical replication|io worker|walsummarizer|archiver|stats|startup|walreceiver|walsender)/;

/** Whether a PostgreSQL process's command line is a client's backend (not a background process). */
export function isBackend(command: string): boolean {
  return command.startsWith('postgres: ') && !BACKGROUND.test(command) && /\(\d+\)/.test(command);
}
