import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { Outcome } from '@vss/contracts';
import { ApprovalsRepository } from '@vss/approvals';
import { AuditAction, AuditTrail } from '@vss/audit';
import { isProvinceCode } from '@vss/domain';
import { explainRecord, type MatchWaterfall } from '@vss/domain/match-waterfall';
import {
  type InsuranceRecord,
  LINKED_PRIOR,
  RECONCILIATION_OUTCOMES,
  type ReconciliationOutcome,
  type RegistryPerson,
} from '@vss/domain/reconciliation';
import { RecordsScanRepository } from '@vss/insurance-records';
import { PG_POOL, withTransaction } from '@vss/platform';
import { RegistryClient } from '@vss/registry-client';
import { type Caller, type OperatorRole, operatorHolds } from '@vss/security';
import {
  CLAIM_MINUTES,
  type ReviewDecision,
  type ReviewedFinding,
  type ReviewFilter,
  FindingReviewsRepository,
} from '../finding-reviews.repository';
import { MatchModels } from '../match-models';
import { APPLICABLE_OUTCOMES, requireRunId } from '../reconciliation.request';
import { ReconciliationErrorCode, reconciliationError } from '../reconciliation.errors';
import { toRegistryPerson } from '../registry-person';
import { FindingsService } from './findings.service';
import { RunsService } from './runs.service';

/** What a reviewer sees of a finding: both sides, and why the model weighs them as it does. */
export interface FindingCase {
  finding: ReviewedFinding;
  record: InsuranceRecord | null;
  /** The registry's citizen of the record, or the candidates of a record without a citizen ID, best first. */
  citizens: RegistryPerson[];
  /** A waterfall for each scored pair (mismatches, candidates), by citizen ID; none for the other outcomes. */
  waterfalls: Map<string, MatchWaterfall>;
  modelVersion: string;
  /** Held by this reviewer (they may decide it), or by another (named), or by nobody (an auditor looked). */
  claim: 'MINE' | { by: string } | 'NONE';
}

export interface DecisionResult {
  decided: number;
  /** Accepted findings whose application waits for an approver (ApplyFindings' rules). */
  awaitingApproval: boolean;
  approvalIds: string[];
}

const MAX_NOTE = 1000;
/** The most findings one bulk decision takes: a larger filter is decided in several. */
export const MAX_BULK = 5000;

/** Outcomes whose scored pair has a waterfall: the model weighed the record against a citizen. */
const SCORED: readonly ReconciliationOutcome[] = ['FIELD_MISMATCH', 'MISSING_ID_CANDIDATE'];

/**
 * The review workbench: reviewers go through a run's findings, each seen side by side with the
 * registry's record and the match weights, and accept or reject them one by one or by filter,
 * with a note. Accepting applies through FindingsService.apply (ApplyFindings' rules, approvals
 * included); rejecting remembers the pair so that it is not proposed again while both sides
 * stay as they were. A finding is held by the reviewer who opened it, for CLAIM_MINUTES.
 * Every finding shown is a read of the person (two for a pair), audited like ListFindings.
 */
@Injectable()
export class FindingReviewsService {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly reviews: FindingReviewsRepository,
    private readonly findings: FindingsService,
    private readonly runs: RunsService,
    private readonly records: RecordsScanRepository,
    private readonly registry: RegistryClient,
    private readonly models: MatchModels,
    private readonly audit: AuditTrail,
    private readonly approvals: ApprovalsRepository,
  ) {}

  /**
   * The findings an application held for an approver would apply (the first `limit`), each an
   * audited read: the evidence an approver looks at before deciding.
   */
  async heldFindings(caller: Caller, approvalId: string, limit = 100): Promise<ReviewedFinding[]> {
    requireOperator(caller, 'approver', 'auditor', 'reviewer');
    const approval = /^[0-9a-f-]{36}$/.test(approvalId) ? await this.approvals.get(approvalId) : undefined;
    if (!approval || approval.subjectKind !== 'FINDINGS') return [];
    const held = approval.detail as {
      runId: string;
      outcomes: ReconciliationOutcome[];
      findingIds: string[];
    };
    const rows: ReviewedFinding[] = [];
    if (held.findingIds.length > 0) {
      for (const id of held.findingIds.slice(0, limit)) {
        const found = await this.reviews.finding(id);
        if (found) rows.push(found);
      }
    } else {
      for (const outcome of held.outcomes) {
        rows.push(
          ...(await this.reviews.page(
            { runId: held.runId, outcome, provinceCode: null, state: 'all' },
            '',
            limit,
          )),
        );
      }
    }
    const shown = rows.slice(0, limit);
    await this.recordReads(caller, shown, 'list');
    return shown;
  }

  /** The filter of a list from its parts as a form or a query string gives them. */
  parseFilter(input: {
    runId: string;
    outcome?: string;
    provinceCode?: string;
    state?: string;
  }): ReviewFilter {
    const runId = requireRunId(input.runId);
    const outcome = input.outcome || null;
    if (outcome !== null && !(RECONCILIATION_OUTCOMES as readonly string[]).includes(outcome)) {
      throw reconciliationError(
        ReconciliationErrorCode.InvalidOutcome,
        `outcome ${JSON.stringify(outcome)} is not one of ${RECONCILIATION_OUTCOMES.join(', ')}`,
        'outcome',
      );
    }
    const provinceCode = input.provinceCode || null;
    if (provinceCode !== null && !isProvinceCode(provinceCode)) {
      throw reconciliationError(
        ReconciliationErrorCode.InvalidField,
        `province_code ${JSON.stringify(provinceCode)} is not one of the 63 province codes`,
        'province_code',
      );
    }
    const state = input.state === 'decided' || input.state === 'all' ? input.state : 'open';
    return { runId, outcome: outcome as ReconciliationOutcome | null, provinceCode, state };
  }

  /** A page of findings for the list, each an audited read of its person. */
  async page(caller: Caller, filter: ReviewFilter, after: string, limit: number): Promise<ReviewedFinding[]> {
    requireOperator(caller, 'reviewer', 'auditor');
    await this.runs.view(filter.runId);
    const rows = await this.reviews.page(filter, /^[0-9]{1,18}$/.test(after) ? after : '', limit);
    await this.recordReads(caller, rows, 'list');
    return rows;
  }

  /** The findings about a person's records (their social insurance codes), newest first; audited reads. */
  async aboutRecords(caller: Caller, codes: readonly string[], limit = 50): Promise<ReviewedFinding[]> {
    const valid = codes.filter((code) => /^[0-9]{10}$/.test(code));
    const rows = await this.reviews.aboutRecords(valid, limit);
    await this.recordReads(caller, rows, 'list');
    return rows;
  }

  /** The findings before and after one in a reviewer's list. */
  neighbours(filter: ReviewFilter, findingId: string): Promise<{ previous?: string; next?: string }> {
    return this.reviews.neighbours(filter, /^[0-9]{1,18}$/.test(findingId) ? findingId : '0');
  }

  progress(runId: string): Promise<{ findings: number; decided: number }> {
    return this.reviews.progress(requireRunId(runId));
  }

  /** A finding opened: both sides read (audited), the waterfalls computed, and held for a reviewer. */
  async open(caller: Caller, findingId: string): Promise<FindingCase> {
    const operator = requireOperator(caller, 'reviewer', 'auditor');
    const finding = await this.find(findingId);
    const record = (await this.records.record(finding.social_insurance_code)) ?? null;
    const ids =
      finding.outcome === 'MISSING_ID_CANDIDATE'
        ? finding.candidates.map((c) => c.citizenId)
        : [finding.citizen_id ?? finding.resolved_citizen_id].filter((id): id is string => !!id);
    const citizens: RegistryPerson[] = [];
    for (const id of ids) {
      const found = await this.registry.getCitizen(id);
      if (found) citizens.push(toRegistryPerson(found));
    }
    const run = await this.runs.view(finding.run_id);
    const loaded = this.models.get(run.modelVersion ?? null) ?? this.models.current();
    const waterfalls = new Map<string, MatchWaterfall>();
    if (record && SCORED.includes(finding.outcome)) {
      const prior = finding.outcome === 'FIELD_MISMATCH' ? LINKED_PRIOR : undefined;
      for (const c of citizens) waterfalls.set(c.citizenId, explainRecord(loaded.model, record, c, prior));
    }
    await this.recordReads(caller, [finding], 'open', citizens);
    let claim: FindingCase['claim'] = 'NONE';
    if (
      operatorHolds(caller, 'reviewer') &&
      finding.review.decision === null &&
      finding.applied_at === null
    ) {
      const held = await this.reviews.claim(
        { findingId: finding.finding_id, runId: finding.run_id },
        { operatorId: operator.operatorId, label: caller.label },
      );
      claim =
        held.claimedByOperator === operator.operatorId
          ? 'MINE'
          : { by: held.claimedBy ?? 'another reviewer' };
    }
    return { finding, record, citizens, waterfalls, modelVersion: loaded.model.version, claim };
  }

  /** One finding accepted or rejected by the reviewer who holds it, with a note. */
  async decide(
    caller: Caller,
    findingId: string,
    decision: ReviewDecision,
    note: string,
  ): Promise<DecisionResult> {
    const operator = requireOperator(caller, 'reviewer');
    const finding = await this.find(findingId);
    if (finding.review.decision !== null || finding.applied_at !== null) {
      throw reconciliationError(
        ReconciliationErrorCode.FindingDecided,
        `finding ${findingId} was already ${finding.review.decision?.toLowerCase() ?? 'applied'}${finding.review.decidedBy ? ` by ${finding.review.decidedBy}` : ''}`,
      );
    }
    const claimant = finding.review.claimedByOperator;
    const fresh =
      finding.review.claimedAt && Date.now() - finding.review.claimedAt.getTime() < CLAIM_MINUTES * 60_000;
    if (claimant && claimant !== operator.operatorId && fresh) {
      throw reconciliationError(
        ReconciliationErrorCode.FindingClaimed,
        `finding ${findingId} is open with ${finding.review.claimedBy}; it is theirs to decide for now`,
      );
    }
    return this.decideAll(
      caller,
      [{ findingId, runId: finding.run_id, outcome: finding.outcome }],
      decision,
      note,
    );
  }

  /**
   * Every open finding of the filter (up to MAX_BULK) accepted or rejected at once, with one
   * note; those another reviewer has open are left to them.
   */
  async decideByFilter(
    caller: Caller,
    filter: ReviewFilter,
    decision: ReviewDecision,
    note: string,
  ): Promise<DecisionResult> {
    const operator = requireOperator(caller, 'reviewer');
    await this.runs.view(filter.runId);
    // What another reviewer has open is theirs to decide: a bulk decision leaves it.
    const open = await this.reviews.ids({ ...filter, state: 'open' }, MAX_BULK, operator.operatorId);
    return this.decideAll(
      caller,
      open.map((f) => ({ ...f, runId: filter.runId })),
      decision,
      note,
    );
  }

  private async decideAll(
    caller: Caller,
    findings: Array<{ findingId: string; runId: string; outcome: ReconciliationOutcome }>,
    decision: ReviewDecision,
    noteText: string,
  ): Promise<DecisionResult> {
    const operator = requireOperator(caller, 'reviewer');
    const note = parseNote(noteText, decision === 'REJECTED');
    const result: DecisionResult = { decided: 0, awaitingApproval: false, approvalIds: [] };
    if (findings.length === 0) return result;
    if (decision === 'ACCEPTED') {
      // Applied first, through ApplyFindings' own code: its approvals, its checks of the run.
      const byOutcome = new Map<ReconciliationOutcome, string[]>();
      for (const f of findings) {
        if (!APPLICABLE_OUTCOMES.includes(f.outcome)) continue;
        byOutcome.set(f.outcome, [...(byOutcome.get(f.outcome) ?? []), f.findingId]);
      }
      for (const [outcome, findingIds] of byOutcome) {
        const applied = await this.findings.apply(caller, {
          runId: findings[0].runId,
          outcomes: [outcomeEnum(outcome)],
          findingIds,
        });
        if (applied.awaitingApproval) {
          result.awaitingApproval = true;
          result.approvalIds.push(applied.approvalId);
        }
      }
    }
    const decided = await withTransaction(this.pool, async (client) => {
      const ids = await this.reviews.decide(client, findings, {
        decision,
        note,
        by: caller.label,
        byOperator: operator.operatorId,
      });
      if (decision === 'REJECTED') await this.reviews.rejectPairs(client, ids, caller.label);
      await this.audit.recordWithin(client, {
        caller,
        action: decision === 'ACCEPTED' ? AuditAction.FindingAccepted : AuditAction.FindingRejected,
        purpose: 'reconciliation',
        outcome: decision,
        detail: {
          runId: findings[0].runId,
          findingIds: ids.length <= 50 ? ids : ids.slice(0, 50),
          count: ids.length,
          ...(note ? { note } : {}),
          ...(result.approvalIds.length ? { approvalIds: result.approvalIds } : {}),
        },
      });
      return ids;
    });
    result.decided = decided.length;
    return result;
  }

  private async find(findingId: string): Promise<ReviewedFinding> {
    const found = /^[0-9]{1,18}$/.test(findingId) ? await this.reviews.finding(findingId) : undefined;
    if (!found) {
      throw reconciliationError(
        ReconciliationErrorCode.FindingNotFound,
        `no finding has the ID ${JSON.stringify(findingId)}`,
        'finding_id',
      );
    }
    return found;
  }

  /** Each finding shown is a read of its person; opened, also of the registry citizens shown beside it. */
  private async recordReads(
    caller: Caller,
    rows: readonly ReviewedFinding[],
    how: 'list' | 'open',
    citizens: readonly RegistryPerson[] = [],
  ): Promise<void> {
    const entries = rows.map((row) => ({
      subject: row.citizen_id ?? row.resolved_citizen_id ?? undefined,
      row,
    }));
    for (const c of citizens)
      if (!entries.some((e) => e.subject === c.citizenId))
        entries.push({ subject: c.citizenId, row: rows[0] });
    await Promise.all(
      entries.map(({ subject, row }) =>
        this.audit.record({
          caller,
          action: AuditAction.FindingRead,
          subjectCitizenId: subject,
          purpose: 'reconciliation-review',
          outcome: row.outcome,
          detail: {
            runId: row.run_id,
            findingId: row.finding_id,
            socialInsuranceCode: row.social_insurance_code,
            how,
          },
        }),
      ),
    );
  }
}

function requireOperator(caller: Caller, ...roles: OperatorRole[]) {
  if (!caller.operator || !operatorHolds(caller, ...roles)) {
    throw reconciliationError(
      ReconciliationErrorCode.NotAReviewer,
      `reviewing findings needs the ${roles.join(' or ')} role${caller.operator ? `; ${caller.operator.login} holds ${caller.operator.roles.join(', ')}` : ' of a named operator'}`,
    );
  }
  return caller.operator;
}

function parseNote(text: string, required: boolean): string | null {
  const note = text.replace(/\s+/gu, ' ').trim();
  if (note === '') {
    if (required) {
      throw reconciliationError(
        ReconciliationErrorCode.InvalidField,
        'note is required: say why it is rejected',
        'note',
      );
    }
    return null;
  }
  if ([...note].length > MAX_NOTE) {
    throw reconciliationError(
      ReconciliationErrorCode.InvalidField,
      `note is longer than ${MAX_NOTE} characters`,
      'note',
    );
  }
  return note;
}

function outcomeEnum(outcome: ReconciliationOutcome): Outcome {
  return Outcome[`OUTCOME_${outcome}` as keyof typeof Outcome];
}
