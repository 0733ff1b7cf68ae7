import { Inject, Injectable } from '@nestjs/common';
import { Observable } from 'rxjs';
import type {
  ApplyFindingsRequest,
  ApplyFindingsResponse,
  ListFindingsRequest,
  ListFindingsResponse,
} from '@vss/contracts';
import { RECONCILIATION_OUTCOMES, type ReconciliationOutcome } from '@vss/domain/reconciliation';
import { AuditAction, AuditTrail } from '@vss/audit';
import { APP_CONFIG, type GatewayConfig, sendPaced, type WritableCall } from '@vss/platform';
import { type Caller } from '@vss/security';
import { ApplicationQueue } from './application-queue';
import { type FindingFilter, FindingsRepository, toFinding } from '../findings.repository';
import { ReconciliationErrorCode, reconciliationError } from '../reconciliation.errors';
import {
  type ApplyQuery,
  outcomeMessage,
  parseApplyQuery,
  parseFindingsQuery,
} from '../reconciliation.request';
import { FindingsApprovals } from './findings-approvals';
import { RunsService } from './runs.service';

/** Listing findings as a resumable stream, and applying the chosen ones to the records. */
@Injectable()
export class FindingsService {
  constructor(
    private readonly runs: RunsService,
    private readonly findings: FindingsRepository,
    private readonly applications: ApplicationQueue,
    private readonly audit: AuditTrail,
    private readonly approvalsOfFindings: FindingsApprovals,
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /**
   * Pages of findings after the cursor, paced by the client (sendPaced): the next page is read
   * only once the client has taken the last one, so a slow reader of a large run never makes
   * the gateway hold the run.
   */
  list(
    caller: Caller,
    request: ListFindingsRequest,
    call?: WritableCall<ListFindingsResponse>,
  ): Observable<ListFindingsResponse> {
    return new Observable((subscriber) => {
      let stopped = false;
      const run = async () => {
        const query = parseFindingsQuery(request);
        await this.runs.view(query.runId);
        let after = query.after;
        let sent = 0;
        while (!stopped && !call?.cancelled) {
          const want = query.limit > 0 ? Math.min(query.pageSize, query.limit - sent) : query.pageSize;
          if (want <= 0) break;
          const rows = await this.findings.page(query, after, want);
          if (rows.length === 0) break;
          after = rows[rows.length - 1].finding_id;
          sent += rows.length;
          // A finding names a person (and what VSS and the registry hold on them): each one
          // sent is an access to that person's data, committed before it leaves.
          await Promise.all(
            rows.map((row) =>
              this.audit.record({
                caller,
                action: AuditAction.FindingRead,
                subjectCitizenId: row.citizen_id ?? row.resolved_citizen_id ?? undefined,
                purpose: 'reconciliation',
                outcome: row.outcome,
                detail: { runId: row.run_id, findingId: row.finding_id },
              }),
            ),
          );
          await sendPaced(subscriber, call, { findings: rows.map(toFinding), cursor: after });
          if (rows.length < want) break;
        }
      };
      run().then(
        () => subscriber.complete(),
        (error: unknown) => subscriber.error(error),
      );
      return () => {
        stopped = true;
      };
    });
  }

  /**
   * Applies a completed run's findings, or holds the application for an approver when it records
   * deaths (DECEASED_BUT_ACTIVE) or applies more than APPLY_APPROVAL_OVER findings. Refused: a
   * caller that is not a named operator, a run older than APPLY_MAX_RUN_AGE_DAYS, or one a newer
   * completed run of its scope superseded. The worker writes the records (ApplicationQueue); the
   * answer waits for it, and says so when it is still applying.
   */
  async apply(caller: Caller, request: ApplyFindingsRequest): Promise<ApplyFindingsResponse> {
    const query = parseApplyQuery(request);
    if (!caller.operator) {
      throw reconciliationError(
        ReconciliationErrorCode.NoOperator,
        'applying findings changes legal records: it is asked with a credential issued to a named operator (keys issue --operator)',
      );
    }
    const run = await this.runs.view(query.runId);
    if (run.dryRun) {
      throw reconciliationError(
        ReconciliationErrorCode.DryRunNotApplicable,
        `run ${run.runId} was a dry run: its findings can be listed and exported but not applied; start a run without dry_run to apply`,
        'run_id',
      );
    }
    if (run.state !== 'COMPLETED') {
      throw reconciliationError(
        ReconciliationErrorCode.RunNotCompleted,
        `run ${run.runId} is ${run.state}; findings are applied once the run has completed`,
        'run_id',
      );
    }
    await this.requireCurrent(run.runId, run.finishedAt!);
    const filter: FindingFilter = {
      runId: run.runId,
      outcomes: query.outcomes,
      provinceCode: null,
      findingIds: query.findingIds,
    };
    const unknown = await this.findings.unknownIds(filter);
    if (unknown.length > 0) {
      throw reconciliationError(
        ReconciliationErrorCode.FindingNotFound,
        `finding_ids ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ' …' : ''} are not findings of run ${run.runId} with outcome ${query.outcomes.join(' or ')}`,
        'finding_ids',
      );
    }
    const skipped = await this.findings.countApplied(filter);
    const reasons = await this.holdReasons(filter);
    if (reasons.length > 0) return this.hold(caller, query, reasons, skipped);
    const applicationId = await this.applications.ask(caller, {
      runId: run.runId,
      outcomes: query.outcomes,
      findingIds: query.findingIds,
      skipped,
    });
    const application = await this.applications.wait(applicationId);
    return {
      applied: appliedCounts(query.outcomes, application.applied),
      skipped: String(application.skipped + application.stale),
      awaitingApproval: false,
      approvalId: '',
      applicationId,
      inProgress: application.state !== 'DONE',
    };
  }

  /** Refuses a run too old to act on, or one a newer completed run of its scope superseded. */
  private async requireCurrent(runId: string, finishedAt: Date): Promise<void> {
    const maxDays = this.config.APPLY_MAX_RUN_AGE_DAYS;
    const ageDays = (Date.now() - finishedAt.getTime()) / 86_400_000;
    if (ageDays > maxDays) {
      throw reconciliationError(
        ReconciliationErrorCode.RunTooOld,
        `run ${runId} finished on ${finishedAt.toISOString().slice(0, 10)}, ${Math.floor(ageDays)} days ago; ` +
          `findings older than ${maxDays} days are not applied (the records and the registry have moved on): start a new run`,
        'run_id',
      );
    }
    const newer = await this.runs.newerCompleted(runId);
    if (newer) {
      throw reconciliationError(
        ReconciliationErrorCode.RunSuperseded,
        `run ${runId} is superseded by run ${newer.runId} of the same scope, completed at ` +
          `${newer.finishedAt.toISOString()}: apply that run's findings`,
        'run_id',
      );
    }
  }

  private async holdReasons(filter: FindingFilter): Promise<string[]> {
    const reasons: string[] = [];
    if (filter.outcomes.includes('DECEASED_BUT_ACTIVE')) {
      reasons.push('DECEASED_BUT_ACTIVE findings record deaths: coverage ends and benefits stop');
    }
    const over = this.config.APPLY_APPROVAL_OVER;
    const count = await this.findings.countUnapplied(filter);
    if (count > over) reasons.push(`${count} findings to apply, more than ${over}`);
    return reasons;
  }

  /** The application waits for an approver: its request and audit entry, in one transaction. */
  private async hold(
    caller: Caller,
    query: ApplyQuery,
    reasons: string[],
    skipped: number,
  ): Promise<ApplyFindingsResponse> {
    const approval = await this.approvalsOfFindings.request(caller, query, reasons);
    if (approval.state === 'REJECTED') {
      throw reconciliationError(
        ReconciliationErrorCode.ApplicationRejected,
        `this application was rejected by an approver at ${approval.decidedAt!.toISOString()}: ${approval.note}`,
      );
    }
    return {
      applied: appliedCounts(query.outcomes, {}),
      skipped: String(skipped),
      awaitingApproval: approval.state === 'PENDING',
      approvalId: approval.approvalId,
      applicationId: '',
      inProgress: false,
    };
  }
}

function appliedCounts(
  outcomes: ReconciliationOutcome[],
  applied: Partial<Record<ReconciliationOutcome, number>>,
) {
  return RECONCILIATION_OUTCOMES.filter((o) => outcomes.includes(o)).map((o) => ({
    outcome: outcomeMessage(o),
    count: String(applied[o] ?? 0),
  }));
}
