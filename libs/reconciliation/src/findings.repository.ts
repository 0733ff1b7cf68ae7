import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import type { Finding } from '@vss/contracts';
import type { ReconciliationOutcome } from '@vss/domain/reconciliation';
import type { FieldEvidence } from '@vss/domain/match-model';
import type { Candidate } from '@vss/domain/reconciliation-candidates';
import { PG_POOL } from '@vss/platform';
import type { NewFinding } from './chunk-classifier';
import { outcomeMessage } from './reconciliation.request';

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

export const FINDING_COLUMNS = `finding_id::text, run_id, outcome, social_insurance_code, citizen_id, province_code,
  differences, resolved_citizen_id, candidates, duplicate_codes, date_of_death::text, detail, applied_at, evidence`;

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
    })),
  );
}

/**
 * The one place findings are written: the INSERT of a findings document (`doc`, of
 * findingsDocument) for a run (`run`), both SQL parameters, writing nothing unless `guard` holds.
 * A finding already written (a replayed chunk) is kept. Other statements embed it (a chunk's
 * commit is one statement).
 */
export function insertFindingsSql(run: string, doc: string, guard = 'true'): string {
  return `INSERT INTO vss.reconciliation_findings (run_id, outcome, social_insurance_code, citizen_id, province_code,
             differences, resolved_citizen_id, candidates, duplicate_codes, date_of_death, detail, evidence)
           SELECT ${run}, f.outcome, f.sic, f.citizen_id, f.province_code, f.differences, f.resolved, f.candidates,
                  f.duplicates, f.date_of_death::date, f.detail, f.evidence
             FROM jsonb_to_recordset(${doc}::jsonb)
                  AS f(outcome text, sic text, citizen_id text, province_code text, differences jsonb, resolved text,
                       candidates jsonb, duplicates text[], date_of_death text, detail text, evidence jsonb)
            WHERE ${guard}
           ON CONFLICT (run_id, social_insurance_code, outcome) DO NOTHING`;
}

/** Writes findings in one statement. */
export async function insertFindings(
  client: PoolClient,
  runId: string,
  findings: readonly NewFinding[],
): Promise<void> {
  if (findings.length === 0) return;
  await client.query({
    name: 'recon-insert-findings-jsonb',
    text: insertFindingsSql('$1', '$2'),
    values: [runId, findingsDocument(findings)],
  });
}

/** Findings read a page at a time, in the order they were written, after a cursor. */
@Injectable()
export class FindingsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

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

  async countApplied(filter: FindingFilter): Promise<number> {
    const cond = findingConditions(filter);
    const { rows } = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM vss.reconciliation_findings WHERE ${cond.sql} AND applied_at IS NOT NULL`,
      cond.values,
    );
    return Number(rows[0].n);
  }
}
