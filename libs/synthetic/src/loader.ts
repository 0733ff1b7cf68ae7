import type { Pool, PoolClient } from 'pg';
import { copy, copyBatch, PersonBatch, TableLines } from './copy-batch';
import { FACILITIES, type LoadedTable, TABLES_IN_LOAD_ORDER } from './copy-format';
import { DEMO_PEOPLE } from './demo-people';
import { createPopulation, type GeneratorOptions, type ResolvedGeneratorOptions } from './generator';

/**
 * Streams a generated population into PostgreSQL with COPY, batch by batch, inside one
 * transaction: a failed or interrupted load leaves the database as it was.
 *
 * Indexes and foreign keys stay in place. Measured at 1 M citizens, the server spends ~76 s
 * on the COPYs with them and ~46 s when they are dropped and rebuilt afterwards; the saving
 * is not worth DDL on tables that other modules own and may add indexes to. The tables are
 * analysed at the end so that the planner sees their new sizes at once.
 */

export interface LoadOptions extends GeneratorOptions {
  /** Empty the population tables first; without it, loading into a seeded database is refused. */
  reset?: boolean;
  /** Citizens per COPY batch (default 5,000): bounds memory, each table gets one COPY per batch. */
  batchSize?: number;
  onProgress?: (progress: LoadProgress) => void;
}

export type RowCounts = Record<LoadedTable, number>;

export interface LoadProgress {
  citizensDone: number;
  citizensTotal: number;
  rows: Readonly<RowCounts>;
  elapsedMs: number;
}

export interface LoadReport {
  options: ResolvedGeneratorOptions;
  rows: RowCounts;
  totalRows: number;
  seconds: number;
  rowsPerSecond: number;
}

const DEFAULT_BATCH_SIZE = 5_000;

/** Tables emptied by a reset: the population, the registry's request answers, the truth. */
const RESET_TABLES = [...TABLES_IN_LOAD_ORDER, 'npd.requests', 'synth.seed_info'];

/** Persons generated between two yields to the event loop. */
const SLICE = 250;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function loadPopulation(pool: Pool, options: LoadOptions): Promise<LoadReport> {
  const started = Date.now();
  const population = createPopulation(options);
  const { citizens: total } = population.options;
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
  const rows = Object.fromEntries(TABLES_IN_LOAD_ORDER.map((t) => [t, 0])) as RowCounts;

  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    if (options.reset) await client.query(`TRUNCATE ${RESET_TABLES.join(', ')} RESTART IDENTITY CASCADE`);
    else await refuseIfSeeded(client);

    const facilities = new TableLines(FACILITIES);
    facilities.add([...population.facilities()]);
    rows[FACILITIES.table] = await copy(client, facilities);

    // While one batch is being copied, the next is generated: the server and this process
    // work side by side instead of taking turns. Generation yields to the event loop every
    // slice so that the socket keeps draining the batch in flight.
    let batch = new PersonBatch();
    let inFlight: Promise<void> = Promise.resolve();
    let done = 0;
    const send = async (ready: PersonBatch, citizensDone: number) => {
      await inFlight;
      inFlight = copyBatch(client, ready, rows).then(() =>
        options.onProgress?.({ citizensDone, citizensTotal: total, rows, elapsedMs: Date.now() - started }),
      );
      // Surface a failed COPY at the next await instead of as an unhandled rejection.
      inFlight.catch(() => undefined);
    };
    for (const person of population.people()) {
      batch.add(person);
      done += 1;
      if (done % SLICE === 0) await yieldToEventLoop();
      if (batch.citizens === batchSize) {
        await send(batch, done);
        batch = new PersonBatch();
      }
    }
    if (batch.citizens > 0 || done === 0) await send(batch, done);
    await inFlight;

    await recordSeedInfo(client, population.options, rows);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }

  // Outside the transaction: statistics for the planner, right after the bulk change.
  await pool.query(`ANALYZE ${[...TABLES_IN_LOAD_ORDER].join(', ')}`);
  const seconds = (Date.now() - started) / 1000;
  const totalRows = Object.values(rows).reduce((sum, n) => sum + n, 0);
  return { options: population.options, rows, totalRows, seconds, rowsPerSecond: totalRows / seconds };
}

/** The target database already holds a population and no reset was asked for. */
export class AlreadySeededError extends Error {
  constructor() {
    super(
      'the database already holds a population (citizens, participants or facilities); reset to replace it',
    );
    this.name = 'AlreadySeededError';
  }
}

async function refuseIfSeeded(client: PoolClient): Promise<void> {
  const { rows } = await client.query<{ seeded: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM npd.citizens) OR EXISTS (SELECT 1 FROM vss.participants)
        OR EXISTS (SELECT 1 FROM vss.facilities) AS seeded`,
  );
  if (rows[0]?.seeded) throw new AlreadySeededError();
}

async function recordSeedInfo(
  client: PoolClient,
  options: ResolvedGeneratorOptions,
  rows: RowCounts,
): Promise<void> {
  const info: Record<string, unknown> = {
    seed: options.seed,
    citizens: options.citizens,
    as_of: options.asOf,
    rates: options.rates,
    rows,
    demo_people: DEMO_PEOPLE,
    loaded_at: new Date().toISOString(),
  };
  for (const [key, value] of Object.entries(info)) {
    await client.query(
      `INSERT INTO synth.seed_info (key, value) VALUES ($1, $2::jsonb)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      [key, JSON.stringify(value)],
    );
  }
}
