import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import type { Finding } from '@vss/contracts';
import type {
  InsuranceRecord,
  RecordClassification,
  ReconciliationOutcome,
} from '@vss/domain/reconciliation';
import type { FieldEvidence } from '@vss/domain/match-model';
import type { Candidate } from '@vss/domain/reconciliation-candidates';
import { PG_POOL, withTransaction } from '@vss/platform';
import { RECORD_COLUMNS, recordOfValues, type ScopedRecord } from '@vss/insurance-records';
import { outcomeMessage } from './reconciliation.request';

/** A finding as written to vss.reconciliation_findings. */
export interface NewFinding {
  outcome: ReconciliationOutcome;
  socialInsuranceCode: string;
  citizenId: string | null;
  provinceCode: string;
  differences: RecordClassification['differences'];
  resolvedCitizenId: string | null;
  candidates: readonly Candidate[];
  duplicateCodes: string[];
  dateOfDeath: string | null;
  /** FIELD_MISMATCH: the model's per-field evidence (MISSING_ID candidates carry their own). */
  evidence: readonly FieldEvidence[];
  detail: string;
  /** The digest of both sides' contents (pairFingerprint): a rejected pair is not written again. */
  pairFingerprint: string;
}

export type OutcomeCounts = Partial<Record<ReconciliationOutcome, number>>;

export interface FindingFilter {
  runId: string;
  outcomes: readonly ReconciliationOutcome[];
  provinceCode: string | null;
  findingIds?: readonly string[];
}

export interface FindingRow {
  finding_id: string;
  run_id: string;
  outcome: ReconciliationOutcome;
  social_insurance_code: string;
  citizen_id: string | null;
  province_code: string;
  differences: { field: string; insuranceValue: string; registryValue: string }[];
  resolved_citizen_id: string | null;
  candidates: Candidate[];
  duplicate_codes: string[];
  date_of_death: string | null;
  detail: string;
  applied_at: Date | null;
  evidence: FieldEvidence[];
}

/** A finding's columns, of the findings table as `f`. */
export const FINDING_COLUMNS = `f.finding_id::text, f.run_id, f.outcome, f.social_insurance_code, f.citizen_id,
  f.province_code, f.differences, f.resolved_citizen_id, f.candidates, f.duplicate_codes, f.date_of_death::text,
  f.detail, f.applied_at, f.evidence`;

/** The filter as SQL conditions on vss.reconciliation_findings; parameters from $1. */
export function findingConditions(filter: FindingFilter): { sql: string; values: unknown[] } {
  return {
    sql: `run_id = $1 AND (cardinality($2::text[]) = 0 OR outcome = ANY($2::text[]))
          AND ($3::text IS NULL OR province_code = $3)
          AND (cardinality($4::bigint[]) = 0 OR finding_id = ANY($4::bigint[]))`,
    values: [filter.runId, filter.outcomes, filter.provinceCode, filter.findingIds ?? []],
  };
}

export function toFinding(row: FindingRow): Finding {
  return {
    findingId: row.finding_id,
    runId: row.run_id,
    outcome: outcomeMessage(row.outcome),
    socialInsuranceCode: row.social_insurance_code,
    citizenId: row.citizen_id ?? '',
    provinceCode: row.province_code,
    differences: row.differences.map((d) => ({
      field: d.field,
      insuranceValue: d.insuranceValue,
      registryValue: d.registryValue,
    })),
    resolvedCitizenId: row.resolved_citizen_id ?? '',
    candidates: row.candidates.map((c) => ({
      citizenId: c.citizenId,
      fullName: c.fullName,
      dateOfBirth: c.dateOfBirth,
      score: c.score,
      // Candidates of runs from before the model was versioned carry no evidence.
      matchWeight: c.matchWeight ?? 0,
      evidence: c.evidence ?? [],
    })),
    duplicateSocialInsuranceCodes: row.duplicate_codes,
    dateOfDeath: row.date_of_death ?? '',
    detail: row.detail,
    appliedAt: row.applied_at?.toISOString() ?? '',
    evidence: row.evidence,
  };
}

/**
 * A chunk's findings as one JSON document: arrays of JSON texts would have every quote escaped
 * twice; as jsonb it is parsed once, its values already jsonb (a third cheaper than json).
 */
export function findingsDocument(findings: readonly NewFinding[]): string {
  return JSON.stringify(
    findings.map((f) => ({
      outcome: f.outcome,
      sic: f.socialInsuranceCode,
      citizen_id: f.citizenId,
      province_code: f.provinceCode,
      differences: f.differences,
      resolved: f.resolvedCitizenId,
      candidates: f.candidates,
      duplicates: f.duplicateCodes,
      date_of_death: f.dateOfDeath,
      detail: f.detail,
      evidence: f.evidence,
      fp: f.pairFingerprint,
    })),
  );
}

/**
 * The one place findings are written: the INSERT of a findings document (`doc`, of
 * findingsDocument) for a run (`run`), both SQL parameters, writing nothing unless `guard` holds.
 * A finding already written (a replayed chunk) is kept; one a reviewer rejected for the same
 * contents of both sides (vss.rejected_pairs) is not proposed again. Other statements embed it
 * (a chunk's commit is one statement).
 */
export function insertFindingsSql(run: string, doc: string, guard = 'true'): string {
  return `INSERT INTO vss.reconciliation_findings (run_id, outcome, social_insurance_code, citizen_id, province_code,
             differences, resolved_citizen_id, candidates, duplicate_codes, date_of_death, detail, evidence,
             pair_fingerprint)
           SELECT ${run}, f.outcome, f.sic, f.citizen_id, f.province_code, f.differences, f.resolved, f.candidates,
                  f.duplicates, f.date_of_death::date, f.detail, f.evidence, f.fp
             FROM jsonb_to_recordset(${doc}::jsonb)
                  AS f(outcome text, sic text, citizen_id text, province_code text, differences jsonb, resolved text,
                       candidates jsonb, duplicates text[], date_of_death text, detail text, evidence jsonb, fp text)
            WHERE ${guard}
              AND NOT EXISTS (SELECT 1 FROM vss.rejected_pairs r
                               WHERE r.social_insurance_code = f.sic AND r.outcome = f.outcome
                                 AND r.pair_fingerprint = f.fp)
           ON CONFLICT (run_id, social_insurance_code, outcome) DO NOTHING`;
}

/**
 * Where the finisher keeps the candidates of records whose legacy ID the registry lacks: beside
 * the partitions' lists (partition numbers start at 0), merged with them into the findings.
 */
export const LEGACY_SEARCH_PARTITION = -1;

/** Candidate lists as one JSON document (no quote escaped twice). */
export function listsDocument(
  lists: readonly { socialInsuranceCode: string; candidates: readonly Candidate[] }[],
): string {
  return JSON.stringify(lists.map((l) => ({ sic: l.socialInsuranceCode, candidates: l.candidates })));
}

/** The upsert of a lists document for a run's partition (SQL parameters), writing nothing unless `guard` holds. */
export function saveCandidatesSql(run: string, partitionNo: string, doc: string, guard = 'true'): string {
  return `INSERT INTO vss.reconciliation_candidates (run_id, partition_no, social_insurance_code, candidates)
           SELECT ${run}, ${partitionNo}, c.sic, c.candidates
             FROM jsonb_to_recordset(${doc}::jsonb) AS c(sic text, candidates jsonb)
            WHERE ${guard}
           ON CONFLICT (run_id, partition_no, social_insurance_code) DO UPDATE SET candidates = EXCLUDED.candidates`;
}

/** Upserts candidate lists of one partition. */
async function saveCandidates(
  client: PoolClient,
  runId: string,
  partitionNo: number,
  lists: readonly { socialInsuranceCode: string; candidates: readonly Candidate[] }[],
): Promise<void> {
  await client.query({
    name: 'recon-save-candidates-jsonb',
    text: saveCandidatesSql('$1', '$2', '$3'),
    values: [runId, partitionNo, listsDocument(lists)],
  });
}

/**
 * The one writer of a run's findings and candidate lists (the chunk's commit, one statement
 * with the partition's checkpoint, embeds their SQL from here: partitions.repository.ts): the
 * finisher's findings and saved searches, the lists cleared once the run completes, findings
 * marked applied; and their reads — pages for listing and export, what applying locks.
 */
@Injectable()
export class FindingsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Writes findings in one statement, on the caller's transaction. */
  async insertFindings(client: PoolClient, runId: string, findings: readonly NewFinding[]): Promise<void> {
    if (findings.length === 0) return;
    await client.query({
      name: 'recon-insert-findings-jsonb',
      text: insertFindingsSql('$1', '$2'),
      values: [runId, findingsDocument(findings)],
    });
  }

  /** Saved candidate lists of a partition, to resume candidate search where it stopped. */
  async candidateState(runId: string, partitionNo: number): Promise<Map<string, Candidate[]>> {
    const { rows } = await this.pool.query<{ sic: string; candidates: Candidate[] }>(
      `SELECT social_insurance_code AS sic, candidates FROM vss.reconciliation_candidates
        WHERE run_id = $1 AND partition_no = $2`,
      [runId, partitionNo],
    );
    return new Map(rows.map((r) => [r.sic, r.candidates]));
  }
  /**
   * The next records, after `after`, without a citizen ID whose legacy CMND nothing in the run
   * resolved (no finding) and that the finisher has not searched yet.
   */
  async unresolvedLegacy(runId: string, after: string, limit: number): Promise<InsuranceRecord[]> {
    const { rows } = await this.pool.query<unknown[]>({
      text: `SELECT ${RECORD_COLUMNS} FROM vss.participants p
        WHERE p.citizen_id IS NULL AND p.legacy_id IS NOT NULL AND p.social_insurance_code > $2
          -- Probes of the two keys per record, not joins with every finding and list of the run.
          AND (SELECT 1 FROM vss.reconciliation_findings f
                WHERE f.run_id = $1 AND f.social_insurance_code = p.social_insurance_code LIMIT 1) IS NULL
          AND (SELECT 1 FROM vss.reconciliation_candidates c
                WHERE c.run_id = $1 AND c.social_insurance_code = p.social_insurance_code
                  AND c.partition_no = $3) IS NULL
        ORDER BY p.social_insurance_code LIMIT $4`,
      values: [runId, after, LEGACY_SEARCH_PARTITION, limit],
      rowMode: 'array',
    });
    return rows.map(recordOfValues);
  }
  /**
   * Saves the finisher's search of one page, an empty list included (searched, nobody found).
   * `within` adds work to the same transaction (the next job).
   */
  async saveSearched(
    runId: string,
    searched: readonly { socialInsuranceCode: string; candidates: readonly Candidate[] }[],
    within?: (client: PoolClient) => Promise<void>,
  ): Promise<void> {
    await withTransaction(this.pool, async (client) => {
      await saveCandidates(client, runId, LEGACY_SEARCH_PARTITION, searched);
      await within?.(client);
    });
  }
  /**
   * The next page of records without a citizen ID that nothing in the run resolved (no
   * finding), after `after`, on the finish's transaction. A probe of the findings' key per
   * record: a join could read every finding of the run for each page, as the planner chose while
   * the run's findings were new.
   */
  async unresolvedWithoutId(
    client: PoolClient,
    runId: string,
    after: string,
    limit: number,
  ): Promise<ScopedRecord[]> {
    const { rows } = await client.query<unknown[]>({
      text: `SELECT ${RECORD_COLUMNS} FROM vss.participants p
        WHERE p.citizen_id IS NULL AND p.social_insurance_code > $2
          AND (SELECT 1 FROM vss.reconciliation_findings f
                WHERE f.run_id = $1 AND f.social_insurance_code = p.social_insurance_code LIMIT 1) IS NULL
        ORDER BY p.social_insurance_code LIMIT $3`,
      values: [runId, after, limit],
      rowMode: 'array',
    });
    return rows.map(recordOfValues);
  }

  /** The candidate lists of every partition for the records after `after` through `through`. */
  async candidateListsBetween(
    client: PoolClient,
    runId: string,
    after: string,
    through: string,
  ): Promise<Map<string, Candidate[][]>> {
    const { rows } = await client.query<{ sic: string; candidates: Candidate[] }>(
      `SELECT social_insurance_code AS sic, candidates FROM vss.reconciliation_candidates
        WHERE run_id = $1 AND social_insurance_code > $2 AND social_insurance_code <= $3`,
      [runId, after, through],
    );
    const lists = new Map<string, Candidate[][]>();
    for (const { sic, candidates } of rows) {
      const known = lists.get(sic);
      if (known) known.push(candidates);
      else lists.set(sic, [candidates]);
    }
    return lists;
  }

  async countOfOutcome(client: PoolClient, runId: string, outcome: ReconciliationOutcome): Promise<number> {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM vss.reconciliation_findings WHERE run_id = $1 AND outcome = $2`,
      [runId, outcome],
    );
    return rows[0].n;
  }

  /** Clears the run's running candidate lists, on the transaction that completes it (they are in the findings now). */
  async clearCandidateLists(client: PoolClient, runId: string): Promise<void> {
    await client.query(`DELETE FROM vss.reconciliation_candidates WHERE run_id = $1`, [runId]);
  }

  /**
   * The next unapplied findings of the filter after `after`, locked for the caller's transaction,
   * so that two administrators applying the same run cannot both apply a finding.
   */
  async lockUnapplied(
    client: PoolClient,
    filter: FindingFilter,
    after: string,
    size: number,
  ): Promise<FindingRow[]> {
    const cond = findingConditions(filter);
    const { rows } = await client.query<FindingRow>(
      `SELECT ${FINDING_COLUMNS} FROM vss.reconciliation_findings f
        WHERE ${cond.sql} AND f.applied_at IS NULL AND f.finding_id > $5::bigint
        ORDER BY f.finding_id LIMIT $6 FOR UPDATE`,
      [...cond.values, after, size],
    );
    return rows;
  }

  async markApplied(client: PoolClient, findingId: string): Promise<void> {
    await client.query(`UPDATE vss.reconciliation_findings SET applied_at = now() WHERE finding_id = $1`, [
      findingId,
    ]);
  }

  async page(filter: FindingFilter, after: string, limit: number): Promise<FindingRow[]> {
    const cond = findingConditions(filter);
    const { rows } = await this.pool.query<FindingRow>(
      // Ordered by the column, not by the text of FINDING_COLUMNS' finding_id::text (which an
      // unqualified ORDER BY finding_id would pick): the cursor compares numbers.
      `SELECT ${FINDING_COLUMNS} FROM vss.reconciliation_findings f
        WHERE ${cond.sql} AND f.finding_id > $5::bigint ORDER BY f.finding_id LIMIT $6`,
      [...cond.values, after, limit],
    );
    return rows;
  }

  /** The requested IDs that are not findings of the run with the chosen outcomes. */
  async unknownIds(filter: FindingFilter): Promise<string[]> {
    const ids = filter.findingIds ?? [];
    if (ids.length === 0) return [];
    const cond = findingConditions(filter);
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT finding_id::text AS id FROM vss.reconciliation_findings WHERE ${cond.sql}`,
      cond.values,
    );
    const known = new Set(rows.map((r) => r.id));
    return ids.filter((id) => !known.has(String(BigInt(id))));
  }

  /** A finding's outcome and run, for naming what a search is for; undefined when there is none. */
  async outcomeOf(findingId: string): Promise<{ outcome: ReconciliationOutcome; runId: string } | undefined> {
    const { rows } = await this.pool.query<{ outcome: ReconciliationOutcome; run_id: string }>(
      'SELECT outcome, run_id FROM vss.reconciliation_findings WHERE finding_id = $1',
      [findingId],
    );
    return rows[0] ? { outcome: rows[0].outcome, runId: rows[0].run_id } : undefined;
  }

  async countUnapplied(filter: FindingFilter): Promise<number> {
    const cond = findingConditions(filter);
    const { rows } = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM vss.reconciliation_findings WHERE ${cond.sql} AND applied_at IS NULL`,
      cond.values,
    );
    return Number(rows[0].n);
  }

  /** The unapplied DECEASED_BUT_ACTIVE findings the filter selects: whose deaths to check again. */
  async unappliedDeaths(
    filter: FindingFilter,
    client: Pool | PoolClient = this.pool,
  ): Promise<Array<{ findingId: string; citizenId: string | null }>> {
    const cond = findingConditions(filter);
    const { rows } = await client.query<{ finding_id: string; citizen_id: string | null }>(
      `SELECT finding_id::text, citizen_id FROM vss.reconciliation_findings
       WHERE ${cond.sql} AND applied_at IS NULL AND outcome = 'DECEASED_BUT_ACTIVE'`,
      cond.values,
    );
    return rows.map((r) => ({ findingId: r.finding_id, citizenId: r.citizen_id }));
  }

  async countApplied(filter: FindingFilter): Promise<number> {
    const cond = findingConditions(filter);
    const { rows } = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM vss.reconciliation_findings WHERE ${cond.sql} AND applied_at IS NOT NULL`,
      cond.values,
    );
    return Number(rows[0].n);
  }
}
