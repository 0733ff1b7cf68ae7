import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import {
  BENEFIT_PAYMENTS,
  BENEFITS,
  CITIZENS,
  type CopyTable,
  HI_CARDS,
  type LoadedTable,
  PARTICIPANTS,
  TRUTH,
} from './copy-format';
import type { PersonRecords } from './rows';

/** Batches of generated rows as COPY data, and the COPY statements that send them. */

const CHUNK_BYTES = 256 * 1024;

/**
 * COPY text for one table, encoded into buffers as rows arrive. Each row's string dies young;
 * keeping a batch as strings and joining them promoted megabytes into the old generation and
 * made garbage collection a third of the process's time.
 */
export class TableLines<Row> {
  rows = 0;
  private chunks: Buffer[] = [];
  private current = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;

  constructor(readonly format: CopyTable<Row>) {}

  add(rows: readonly Row[]): void {
    for (const row of rows) this.push(this.format.line(row));
  }

  push(line: string): void {
    this.rows += 1;
    // Worst case 3 bytes per UTF-16 unit; a line never comes near a chunk.
    if (this.used + line.length * 3 > CHUNK_BYTES) this.seal();
    this.used += this.current.write(line, this.used);
  }

  /** Hands over the encoded rows and starts empty again. */
  take(): Buffer[] {
    this.seal();
    const chunks = this.chunks;
    this.chunks = [];
    this.rows = 0;
    return chunks;
  }

  private seal(): void {
    if (this.used === 0) return;
    this.chunks.push(this.current.subarray(0, this.used));
    this.current = Buffer.allocUnsafe(CHUNK_BYTES);
    this.used = 0;
  }
}

/** The rows of a batch of citizens, table by table, in load order. */
export class PersonBatch {
  citizens = 0;
  readonly tables = {
    citizens: new TableLines(CITIZENS),
    participants: new TableLines(PARTICIPANTS),
    cards: new TableLines(HI_CARDS),
    benefits: new TableLines(BENEFITS),
    payments: new TableLines(BENEFIT_PAYMENTS),
    truth: new TableLines(TRUTH),
  };

  add(person: PersonRecords): void {
    this.citizens += 1;
    this.tables.citizens.push(CITIZENS.line(person.citizen));
    for (const other of person.alsoInRegistry ?? []) this.tables.citizens.push(CITIZENS.line(other));
    this.tables.participants.add(person.participants);
    this.tables.cards.add(person.cards);
    this.tables.benefits.add(person.benefits);
    this.tables.payments.add(person.payments);
    this.tables.truth.add(person.truth);
  }
}

/** Foreign keys point backwards in this order, so each COPY finds the rows it references. */
export async function copyBatch(
  client: PoolClient,
  batch: PersonBatch,
  rows: Record<LoadedTable, number>,
): Promise<void> {
  for (const table of Object.values(batch.tables) as TableLines<unknown>[]) {
    rows[table.format.table as LoadedTable] += await copy(client, table);
  }
}

/** One COPY of the table's rows; empties it and returns the rows written. */
export async function copy<Row>(client: PoolClient, table: TableLines<Row>): Promise<number> {
  const count = table.rows;
  if (count === 0) return 0;
  const chunks = table.take();
  const { table: name, columns } = table.format;
  const stream = client.query(copyFrom(`COPY ${name} (${columns.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(chunks), stream);
  return count;
}
