import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import type { ReconciliationOutcome } from '@vss/domain/reconciliation';
import { PG_POOL } from '@vss/platform';
import { FINDING_COLUMNS, type FindingRow } from './findings.repository';

/** How long a finding stays with the reviewer who opened it, unless they decide it first. */
export const CLAIM_MINUTES = 30;

export type ReviewDecision = 'ACCEPTED' | 'REJECTED';

/** Which findings a reviewer's list shows: one run's, narrowed by outcome, province and state. */
export interface ReviewFilter {
  runId: string;
  outcome: ReconciliationOutcome | null;
  provinceCode: string | null;
  /** open: nobody decided it yet (and it was not applied otherwise); decided: the others. */
  state: 'open' | 'decided' | 'all';
}

export interface ReviewState {
  claimedBy: string | null;
  claimedByOperator: string | null;
  claimedAt: Date | null;
  decision: ReviewDecision | null;
  note: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
}

export type ReviewedFinding = FindingRow & { pair_fingerprint: string | null; review: ReviewState };

interface ReviewColumns {
  claimed_by: string | null;
  claimed_by_operator: string | null;
  claimed_at: Date | null;
  decision: ReviewDecision | null;
  note: string | null;
  decided_by: string | null;
  decided_at: Date | null;
}

const REVIEW_COLUMNS = `r.claimed_by, r.claimed_by_operator::text, r.claimed_at, r.decision, r.note, r.decided_by, r.decided_at`;

function reviewed(row: FindingRow & ReviewColumns & { pair_fingerprint: string | null }): ReviewedFinding {
  const { claimed_by, claimed_by_operator, claimed_at, decision, note, decided_by, decided_at, ...finding } =
    row;
  return {
    ...finding,
    review: {
      claimedBy: claimed_by,
      claimedByOperator: claimed_by_operator,
      claimedAt: claimed_at,
      decision,
      note,
      decidedBy: decided_by,
      decidedAt: decided_at,
    },
  };
}

/** The filter as SQL on findings `f` joined with their reviews `r`; parameters from $1. */
function conditions(filter: ReviewFilter): { sql: string; values: unknown[] } {
  const values: unknown[] = [filter.runId];
  const parts = ['f.run_id = $1'];
  if (filter.outcome) parts.push(`f.outcome = $${values.push(filter.outcome)}`);
  if (filter.provinceCode) parts.push(`f.province_code = $${values.push(filter.provinceCode)}`);
  if (filter.state === 'open') parts.push('r.decision IS NULL AND f.applied_at IS NULL');
  if (filter.state === 'decided') parts.push('(r.decision IS NOT NULL OR f.applied_at IS NOT NULL)');
  return { sql: parts.join(' AND '), values };
}

/**
 * The one writer of `vss.finding_reviews` and `vss.rejected_pairs`: who has a finding open,
 * what a reviewer decided, and the pairs they rejected (which later runs do not propose again
 * unless a side changed: insertFindingsSql reads them).
 */
@Injectable()
export class FindingReviewsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async finding(findingId: string): Promise<ReviewedFinding | undefined> {
    const { rows } = await this.pool.query({
      name: 'review-finding',
      text: `SELECT ${FINDING_COLUMNS}, f.pair_fingerprint, ${REVIEW_COLUMNS}
               FROM vss.reconciliation_findings f LEFT JOIN vss.finding_reviews r USING (finding_id)
              WHERE f.finding_id = $1`,
      values: [findingId],
    });
    return rows[0] ? reviewed(rows[0]) : undefined;
  }

  /** The findings about these records (social insurance codes), newest first. */
  async aboutRecords(codes: readonly string[], limit: number): Promise<ReviewedFinding[]> {
    if (codes.length === 0) return [];
    const { rows } = await this.pool.query({
      text: `SELECT ${FINDING_COLUMNS}, f.pair_fingerprint, ${REVIEW_COLUMNS}
               FROM vss.reconciliation_findings f LEFT JOIN vss.finding_reviews r USING (finding_id)
              WHERE f.social_insurance_code = ANY($1::text[])
              ORDER BY f.finding_id DESC LIMIT $2`,
      values: [codes, limit],
    });
    return rows.map(reviewed);
  }

  /** A page of the filter's findings after `after` (a finding ID), in ID order. */
  async page(filter: ReviewFilter, after: string, limit: number): Promise<ReviewedFinding[]> {
    const cond = conditions(filter);
    const { rows } = await this.pool.query({
      text: `SELECT ${FINDING_COLUMNS}, f.pair_fingerprint, ${REVIEW_COLUMNS}
               FROM vss.reconciliation_findings f LEFT JOIN vss.finding_reviews r USING (finding_id)
              WHERE ${cond.sql} AND f.finding_id > $${cond.values.length + 1}
              ORDER BY f.finding_id LIMIT $${cond.values.length + 2}`,
      values: [...cond.values, after || '0', limit],
    });
    return rows.map(reviewed);
  }

  /** The findings of the filter just before and just after `findingId`, for a reviewer's j and k. */
  async neighbours(filter: ReviewFilter, findingId: string): Promise<{ previous?: string; next?: string }> {
    const cond = conditions(filter);
    const at = `$${cond.values.length + 1}`;
    const from = `FROM vss.reconciliation_findings f LEFT JOIN vss.finding_reviews r USING (finding_id) WHERE ${cond.sql}`;
    const { rows } = await this.pool.query<{ previous: string | null; next: string | null }>({
      text: `SELECT (SELECT max(f.finding_id)::text ${from} AND f.finding_id < ${at}) AS previous,
                    (SELECT min(f.finding_id)::text ${from} AND f.finding_id > ${at}) AS next`,
      values: [...cond.values, findingId],
    });
    return { previous: rows[0].previous ?? undefined, next: rows[0].next ?? undefined };
  }

  /**
   * The IDs of the filter's findings, in ID order, at most `limit` (bulk decisions), leaving out
   * those another reviewer has open (held less than CLAIM_MINUTES ago).
   */
  async ids(
    filter: ReviewFilter,
    limit: number,
    operatorId: string,
  ): Promise<Array<{ findingId: string; outcome: ReconciliationOutcome }>> {
    const cond = conditions(filter);
    const n = cond.values.length;
    const { rows } = await this.pool.query<{ finding_id: string; outcome: ReconciliationOutcome }>({
      text: `SELECT f.finding_id::text, f.outcome
               FROM vss.reconciliation_findings f LEFT JOIN vss.finding_reviews r USING (finding_id)
              WHERE ${cond.sql}
                AND (r.claimed_by_operator IS NULL OR r.claimed_by_operator = $${n + 2}::uuid
                     OR r.claimed_at < now() - make_interval(mins => $${n + 3}))
              ORDER BY f.finding_id LIMIT $${n + 1}`,
      values: [...cond.values, limit, operatorId, CLAIM_MINUTES],
    });
    return rows.map((r) => ({ findingId: r.finding_id, outcome: r.outcome }));
  }

  /** Findings of a run, and how many of them are decided (by a reviewer, or applied otherwise). */
  async progress(runId: string): Promise<{ findings: number; decided: number }> {
    const { rows } = await this.pool.query<{ findings: string; decided: string }>({
      name: 'review-progress',
      text: `SELECT count(*) AS findings,
                    count(*) FILTER (WHERE r.decision IS NOT NULL OR f.applied_at IS NOT NULL) AS decided
               FROM vss.reconciliation_findings f LEFT JOIN vss.finding_reviews r USING (finding_id)
              WHERE f.run_id = $1`,
      values: [runId],
    });
    return { findings: Number(rows[0].findings), decided: Number(rows[0].decided) };
  }

  /**
   * Gives the finding to `operator` unless another reviewer opened it less than CLAIM_MINUTES
   * ago or it is decided; answers who holds it now.
   */
  async claim(
    finding: { findingId: string; runId: string },
    operator: { operatorId: string; label: string },
  ): Promise<{ claimedByOperator: string | null; claimedBy: string | null }> {
    const { rows } = await this.pool.query<{ claimed_by_operator: string | null; claimed_by: string | null }>(
      {
        name: 'review-claim',
        text: `INSERT INTO vss.finding_reviews AS r (finding_id, run_id, claimed_by, claimed_by_operator, claimed_at)
             VALUES ($1, $2, $3, $4, now())
             ON CONFLICT (finding_id) DO UPDATE
               SET claimed_by = EXCLUDED.claimed_by, claimed_by_operator = EXCLUDED.claimed_by_operator,
                   claimed_at = now()
             WHERE r.decision IS NULL
               AND (r.claimed_by_operator IS NULL OR r.claimed_by_operator = EXCLUDED.claimed_by_operator
                    OR r.claimed_at < now() - make_interval(mins => $5))
             RETURNING claimed_by_operator::text, claimed_by`,
        values: [finding.findingId, finding.runId, operator.label, operator.operatorId, CLAIM_MINUTES],
      },
    );
    if (rows[0]) return { claimedByOperator: rows[0].claimed_by_operator, claimedBy: rows[0].claimed_by };
    const current = await this.finding(finding.findingId);
    return {
      claimedByOperator: current?.review.claimedByOperator ?? null,
      claimedBy: current?.review.claimedBy ?? null,
    };
  }

  /**
   * Records a decision on findings nobody decided yet, within the caller's transaction; answers
   * the IDs it decided (those decided meanwhile by someone else are left as they are).
   */
  async decide(
    client: PoolClient,
    findings: ReadonlyArray<{ findingId: string; runId: string }>,
    decision: { decision: ReviewDecision; note: string | null; by: string; byOperator: string },
  ): Promise<string[]> {
    if (findings.length === 0) return [];
    const { rows } = await client.query<{ finding_id: string }>(
      `INSERT INTO vss.finding_reviews AS r (finding_id, run_id, decision, note, decided_by, decided_by_operator, decided_at)
       SELECT unnest($1::bigint[]), unnest($2::uuid[]), $3, $4, $5, $6, now()
       ON CONFLICT (finding_id) DO UPDATE
         SET decision = EXCLUDED.decision, note = EXCLUDED.note, decided_by = EXCLUDED.decided_by,
             decided_by_operator = EXCLUDED.decided_by_operator, decided_at = now()
       WHERE r.decision IS NULL
       RETURNING finding_id::text`,
      [
        findings.map((f) => f.findingId),
        findings.map((f) => f.runId),
        decision.decision,
        decision.note,
        decision.by,
        decision.byOperator,
      ],
    );
    return rows.map((r) => r.finding_id);
  }

  /** Remembers rejected pairs by their fingerprints (findings written before fingerprints have none). */
  async rejectPairs(client: PoolClient, findingIds: readonly string[], by: string): Promise<void> {
    await client.query(
      `INSERT INTO vss.rejected_pairs (social_insurance_code, outcome, pair_fingerprint, finding_id, rejected_by)
       SELECT social_insurance_code, outcome, pair_fingerprint, finding_id, $2
         FROM vss.reconciliation_findings
        WHERE finding_id = ANY($1::bigint[]) AND pair_fingerprint IS NOT NULL
       ON CONFLICT DO NOTHING`,
      [findingIds, by],
    );
  }
}
