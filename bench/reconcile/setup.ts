import type { ChannelCredentials } from '@grpc/grpc-js';
import { migrateAll } from '../../tools/schemas';
import { Pool } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { dropDatabase, ensureDatabase } from '@vss/persistence';
import { RegistryClient } from '@vss/registry-client';
import { loadPopulation } from '@vss/synthetic';

/** A fresh database per size, migrated and seeded, and the reads the baseline is made of. */

export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops and recreates the database, migrates every schema and loads `citizens` people. */
export async function freshPopulation(adminUrl: string, name: string, citizens: number, seed: number) {
  await dropDatabase(adminUrl, name).catch(() => undefined);
  await ensureDatabase(adminUrl, name);
  const url = databaseUrl(adminUrl, name);
  await migrateAll(url);
  const pool = new Pool({ connectionString: url, max: 2 });
  try {
    const report = await loadPopulation(pool, { citizens, seed, reset: true });
    // A steady state like production's: tables vacuumed, visibility maps set, statistics fresh.
    await pool.query('VACUUM (ANALYZE) vss.participants, npd.citizens, vss.hi_cards, vss.benefits');
    return { url, report };
  } finally {
    await pool.end();
  }
}

/** Our participants read once, as fast as PostgreSQL can hand them over: COPY TO. */
export async function copyParticipants(url: string): Promise<{ ms: number; bytes: number }> {
  const pool = new Pool({ connectionString: url, max: 1 });
  const client = await pool.connect();
  const started = Date.now();
  let bytes = 0;
  try {
    const stream = client.query(copyTo('COPY vss.participants TO STDOUT'));
    for await (const chunk of stream) bytes += (chunk as Buffer).length;
    return { ms: Date.now() - started, bytes };
  } finally {
    client.release();
    await pool.end();
  }
}

/** The registry's whole export read once over gRPC, in the largest pages it serves. */
export async function exportRegistry(
  address: string,
  credentials: ChannelCredentials,
): Promise<{ ms: number; citizens: number }> {
  const client = new RegistryClient({ address, credentials, deadlineMs: 30 * 60_000 });
  const started = Date.now();
  let citizens = 0;
  try {
    // Read as a run reads it: decoded into what matching uses.
    for await (const page of client.exportSummaries({ pageSize: 5000 })) citizens += page.length;
    return { ms: Date.now() - started, citizens };
  } finally {
    client.close();
  }
}
