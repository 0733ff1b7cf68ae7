import { Pool } from 'pg';
import type { Candidate } from '@vss/domain/reconciliation-candidates';
import type { NewFinding } from '../src/findings.repository';
import { type ChunkCommit, type PartitionRecord, PartitionsRepository } from '../src/partitions.repository';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { newPartition, newRun } from './factories';

/**
 * A chunk's commit on a real database: one statement that moves the partition's checkpoint and
 * writes the chunk's findings, candidate lists and added total, or writes nothing at all when
 * the partition moved on without this worker or the run stopped.
 */
let db: TestDatabase;
let pool: Pool;
let runs: PartitionsRepository;

beforeAll(async () => {
  db = await createTestDatabase('commitchunk');
  pool = new Pool({ connectionString: db.url, max: 4 });
  runs = new PartitionsRepository(pool);
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

async function runningPartition(kind: PartitionRecord['kind'] = 'REGISTRY_RANGE'): Promise<PartitionRecord> {
  const runId = await newRun(pool, { state: 'RUNNING', findMissingIdCandidates: true });
  await newPartition(pool, { runId, kind });
  return { runId, partitionNo: 0, kind, lowerBound: '', upperBound: '', checkpoint: null, done: false };
}

function finding(sic: string): NewFinding {
  return {
    outcome: 'NOT_IN_REGISTRY',
    socialInsuranceCode: sic,
    citizenId: '001090000001',
    provinceCode: '001',
    differences: [],
    resolvedCitizenId: null,
    candidates: [],
    duplicateCodes: [],
    dateOfDeath: null,
    evidence: [],
    detail: 'the registry has no citizen with this ID',
    pairFingerprint: `fp-${sic}`,
  };
}

const candidate = { citizenId: '001090000002', fullName: 'Lê Văn A', score: 0.9 } as unknown as Candidate;

function chunk(
  partition: PartitionRecord,
  through: string,
  sics: string[],
  extra: Partial<ChunkCommit> = {},
) {
  return {
    partition,
    through,
    done: false,
    processed: sics.length,
    counts: { NOT_IN_REGISTRY: sics.length },
    addTotal: 0,
    findings: sics.map(finding),
    candidates: [{ socialInsuranceCode: '9000000001', candidates: [candidate] }],
    ...extra,
  } satisfies ChunkCommit;
}

async function written(runId: string) {
  const { rows } = await pool.query<{
    checkpoint: string | null;
    processed: string;
    chunks: number;
    counts: Record<string, number>;
    findings: number;
    lists: number;
    total: string | null;
  }>(
    `SELECT p.checkpoint, p.processed, p.chunks, p.counts,
            (SELECT count(*)::int FROM vss.reconciliation_findings f WHERE f.run_id = $1) AS findings,
            (SELECT count(*)::int FROM vss.reconciliation_candidates c WHERE c.run_id = $1) AS lists,
            r.records_total AS total
       FROM vss.reconciliation_partitions p JOIN vss.reconciliation_runs r USING (run_id) WHERE p.run_id = $1`,
    [runId],
  );
  return rows[0];
}

describe('PartitionsRepository.commit', () => {
  it('moves the checkpoint and writes the findings, lists and counts of a chunk together', async () => {
    const partition = await runningPartition();
    expect(await runs.commit(chunk(partition, '001', ['0000000001', '0000000002']))).toBe('COMMITTED');
    const after = { ...partition, checkpoint: '001' };
    expect(await runs.commit(chunk(after, '002', ['0000000003']))).toBe('COMMITTED');
    expect(await written(partition.runId)).toEqual({
      checkpoint: '002',
      processed: '3',
      chunks: 2,
      counts: { NOT_IN_REGISTRY: 3 },
      findings: 3,
      lists: 1,
      total: null,
    });
  });

  it('does not write again a finding a reviewer rejected for the same contents of both sides', async () => {
    await pool.query(
      `INSERT INTO vss.rejected_pairs (social_insurance_code, outcome, pair_fingerprint, rejected_by)
       VALUES ('0000000011', 'NOT_IN_REGISTRY', 'fp-0000000011', 'a reviewer'),
              ('0000000012', 'NOT_IN_REGISTRY', 'an older fingerprint', 'a reviewer')`,
    );
    const partition = await runningPartition();
    expect(await runs.commit(chunk(partition, '001', ['0000000011', '0000000012']))).toBe('COMMITTED');
    const { rows } = await pool.query(
      'SELECT social_insurance_code FROM vss.reconciliation_findings WHERE run_id = $1',
      [partition.runId],
    );
    expect(rows.map((r) => r.social_insurance_code)).toEqual(['0000000012']);
  });

  it('writes nothing for a chunk whose partition moved on without this worker', async () => {
    const partition = await runningPartition();
    expect(await runs.commit(chunk(partition, '001', ['0000000001']))).toBe('COMMITTED');
    const before = await written(partition.runId);
    // The same start again (a second worker handed the same slice): superseded, nothing added.
    expect(await runs.commit(chunk(partition, '002', ['0000000002', '0000000003']))).toBe('SUPERSEDED');
    expect(await written(partition.runId)).toEqual(before);
  });

  it('writes nothing once the run no longer runs', async () => {
    const partition = await runningPartition();
    await pool.query(`UPDATE vss.reconciliation_runs SET state = 'CANCELLED' WHERE run_id = $1`, [
      partition.runId,
    ]);
    expect(await runs.commit(chunk(partition, '001', ['0000000001']))).toBe('SUPERSEDED');
    expect(await written(partition.runId)).toMatchObject({ checkpoint: null, findings: 0, lists: 0 });
  });

  it("adds records a changed-citizens chunk discovered to the run's total", async () => {
    const partition = await runningPartition('CHANGED_CITIZENS');
    expect(await runs.commit(chunk(partition, '001', ['0000000001'], { addTotal: 1 }))).toBe('COMMITTED');
    expect(await runs.commit(chunk(partition, '002', ['0000000002'], { addTotal: 1 }))).toBe('SUPERSEDED');
    expect((await written(partition.runId)).total).toBe('1');
  });

  it('writes nothing when the work added to the transaction fails, and commits it when it succeeds', async () => {
    const partition = await runningPartition();
    await expect(
      runs.commit(chunk(partition, '001', ['0000000001']), async () => {
        throw new Error('the next job could not be queued');
      }),
    ).rejects.toThrow('could not be queued');
    expect(await written(partition.runId)).toMatchObject({ checkpoint: null, findings: 0, lists: 0 });

    let seen = -1;
    expect(
      await runs.commit(chunk(partition, '001', ['0000000001']), async (client) => {
        const { rows } = await client.query(
          `SELECT count(*)::int AS n FROM vss.reconciliation_findings WHERE run_id = $1`,
          [partition.runId],
        );
        seen = rows[0].n;
      }),
    ).toBe('COMMITTED');
    expect(seen).toBe(1); // the added work sees the chunk's writes: one transaction
    expect(await written(partition.runId)).toMatchObject({ checkpoint: '001', findings: 1, lists: 1 });
  });
});
