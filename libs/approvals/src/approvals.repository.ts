import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { PG_POOL } from '@vss/platform';

export type ApprovalState = 'PENDING' | 'APPROVED' | 'REJECTED';
export type ApprovalSubjectKind = 'PROCEDURE' | 'FINDINGS' | 'CALLER';

/** Something held for a second person, and what became of it. */
export interface ApprovalRecord {
  approvalId: string;
  subjectKind: ApprovalSubjectKind;
  subjectId: string;
  hold: string;
  reason: string;
  detail: Record<string, unknown>;
  officeCode: string | null;
  requestedBy: string;
  requestedByOperator: string | null;
  state: ApprovalState;
  decidedBy: string | null;
  decidedByOperator: string | null;
  decidedAt: Date | null;
  note: string | null;
  outcome: string | null;
  seq: string;
  createdAt: Date;
}

/** What a feature asks to hold. */
export interface ApprovalRequest {
  subjectKind: ApprovalSubjectKind;
  subjectId: string;
  hold: string;
  reason: string;
  detail?: Record<string, unknown>;
  officeCode?: string;
  /** The credential that asked (its audit label), and its operator when it has one. */
  requestedBy: string;
  requestedByOperator?: string;
}

interface ApprovalRow {
  approval_id: string;
  subject_kind: ApprovalSubjectKind;
  subject_id: string;
  hold: string;
  reason: string;
  detail: Record<string, unknown>;
  office_code: string | null;
  requested_by: string;
  requested_by_operator: string | null;
  state: ApprovalState;
  decided_by: string | null;
  decided_by_operator: string | null;
  decided_at: Date | null;
  note: string | null;
  outcome: string | null;
  seq: string;
  created_at: Date;
}

const COLUMNS = `approval_id, subject_kind, subject_id, hold, reason, detail, office_code, requested_by,
  requested_by_operator, state, decided_by, decided_by_operator, decided_at, note, outcome, seq::text, created_at`;

/**
 * The one writer of `vss.approvals`. A request is written in the transaction of the feature
 * that holds (so a hold never exists without its request, nor a request without its hold); a
 * decision changes a PENDING row once, under a row lock, in the transaction of its effect.
 */
@Injectable()
export class ApprovalsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /**
   * Records a request; idempotent per (subject, hold): a step held again (run twice, or after a
   * restart) finds its pending request, and one already decided is answered as it stands.
   */
  async request(client: PoolClient, request: ApprovalRequest): Promise<ApprovalRecord> {
    const { rows } = await client.query<ApprovalRow>(
      `INSERT INTO vss.approvals (approval_id, subject_kind, subject_id, hold, reason, detail, office_code,
         requested_by, requested_by_operator)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (subject_kind, subject_id, hold) DO UPDATE SET reason = EXCLUDED.reason, detail = EXCLUDED.detail
         WHERE vss.approvals.state = 'PENDING'
       RETURNING ${COLUMNS}`,
      [
        randomUUID(),
        request.subjectKind,
        request.subjectId,
        request.hold,
        request.reason,
        JSON.stringify(request.detail ?? {}),
        request.officeCode ?? null,
        request.requestedBy,
        request.requestedByOperator ?? null,
      ],
    );
    if (rows[0]) return recordOf(rows[0]);
    const existing = await client.query<ApprovalRow>(
      `SELECT ${COLUMNS} FROM vss.approvals WHERE subject_kind = $1 AND subject_id = $2 AND hold = $3`,
      [request.subjectKind, request.subjectId, request.hold],
    );
    return recordOf(existing.rows[0]);
  }

  async get(approvalId: string, client: Pool | PoolClient = this.pool): Promise<ApprovalRecord | undefined> {
    const { rows } = await client.query<ApprovalRow>(
      `SELECT ${COLUMNS} FROM vss.approvals WHERE approval_id = $1`,
      [approvalId],
    );
    return rows[0] ? recordOf(rows[0]) : undefined;
  }

  /** The row, locked for a decision: a second approver waits here and then finds it decided. */
  async lock(client: PoolClient, approvalId: string): Promise<ApprovalRecord | undefined> {
    const { rows } = await client.query<ApprovalRow>(
      `SELECT ${COLUMNS} FROM vss.approvals WHERE approval_id = $1 FOR UPDATE`,
      [approvalId],
    );
    return rows[0] ? recordOf(rows[0]) : undefined;
  }

  /** Decides a pending approval (locked by the caller); the row's checks refuse a self-approval too. */
  async decide(
    client: PoolClient,
    approvalId: string,
    decision: { state: 'APPROVED' | 'REJECTED'; decidedBy: string; decidedByOperator: string; note?: string },
  ): Promise<ApprovalRecord> {
    const { rows } = await client.query<ApprovalRow>(
      `UPDATE vss.approvals SET state = $2, decided_by = $3, decided_by_operator = $4, decided_at = now(), note = $5
       WHERE approval_id = $1 AND state = 'PENDING' RETURNING ${COLUMNS}`,
      [approvalId, decision.state, decision.decidedBy, decision.decidedByOperator, decision.note ?? null],
    );
    if (!rows[0]) throw new Error(`approval ${approvalId} was not pending under its lock`);
    return recordOf(rows[0]);
  }

  /** Records what a decision did (in the decision's transaction). */
  async setOutcome(client: PoolClient, approvalId: string, outcome: string): Promise<ApprovalRecord> {
    const { rows } = await client.query<ApprovalRow>(
      `UPDATE vss.approvals SET outcome = $2 WHERE approval_id = $1 RETURNING ${COLUMNS}`,
      [approvalId, outcome],
    );
    return recordOf(rows[0]);
  }

  /** A page of approvals in one state, newest first, before `beforeSeq`. */
  async list(filter: { state: ApprovalState; beforeSeq?: string; limit: number }): Promise<ApprovalRecord[]> {
    const { rows } = await this.pool.query<ApprovalRow>(
      `SELECT ${COLUMNS} FROM vss.approvals
       WHERE state = $1 AND ($2::bigint IS NULL OR seq < $2)
       ORDER BY seq DESC LIMIT $3`,
      [filter.state, filter.beforeSeq ?? null, filter.limit],
    );
    return rows.map(recordOf);
  }

  /** The login of an operator, for naming who decided. */
  async loginOf(
    operatorId: string | null,
    client: Pool | PoolClient = this.pool,
  ): Promise<string | undefined> {
    if (!operatorId) return undefined;
    const { rows } = await client.query<{ login: string }>(
      'SELECT login FROM vss.operators WHERE operator_id = $1',
      [operatorId],
    );
    return rows[0]?.login;
  }
}

function recordOf(row: ApprovalRow): ApprovalRecord {
  return {
    approvalId: row.approval_id,
    subjectKind: row.subject_kind,
    subjectId: row.subject_id,
    hold: row.hold,
    reason: row.reason,
    detail: row.detail,
    officeCode: row.office_code,
    requestedBy: row.requested_by,
    requestedByOperator: row.requested_by_operator,
    state: row.state,
    decidedBy: row.decided_by,
    decidedByOperator: row.decided_by_operator,
    decidedAt: row.decided_at,
    note: row.note,
    outcome: row.outcome,
    seq: row.seq,
    createdAt: row.created_at,
  };
}
