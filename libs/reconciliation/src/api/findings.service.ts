import { Injectable } from '@nestjs/common';
import { Observable } from 'rxjs';
import type {
  ApplyFindingsRequest,
  ApplyFindingsResponse,
  ListFindingsRequest,
  ListFindingsResponse,
} from '@vss/contracts';
import { RECONCILIATION_OUTCOMES, type ReconciliationOutcome } from '@vss/domain/reconciliation';
import { AuditAction, AuditTrail } from '@vss/audit';
import { sendPaced, type WritableCall } from '@vss/platform';
import { type Caller } from '@vss/security';
import { FindingsApplier } from './findings-applier';
import { FindingsRepository, toFinding } from '../findings.repository';
import { ReconciliationErrorCode, reconciliationError } from '../reconciliation.errors';
import { outcomeMessage, parseApplyQuery, parseFindingsQuery } from '../reconciliation.request';
import { RunsService } from './runs.service';

const APPLY_BATCH = 200;

/** Listing findings as a resumable stream, and applying the chosen ones to the records. */
@Injectable()
export class FindingsService {
  constructor(
    private readonly runs: RunsService,
    private readonly findings: FindingsRepository,
    private readonly applier: FindingsApplier,
    private readonly audit: AuditTrail,
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

  async apply(caller: Caller, request: ApplyFindingsRequest): Promise<ApplyFindingsResponse> {
    const query = parseApplyQuery(request);
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
    const filter = {
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
    let skipped = await this.findings.countApplied(filter);
    const applied: Partial<Record<ReconciliationOutcome, number>> = {};
    let after = '0';
    for (;;) {
      const batch = await this.applier.applyBatch(filter, after, APPLY_BATCH, caller);
      skipped += batch.stale;
      for (const [outcome, n] of Object.entries(batch.applied)) {
        const key = outcome as ReconciliationOutcome;
        applied[key] = (applied[key] ?? 0) + n;
      }
      if (batch.lastFindingId === null) break;
      after = batch.lastFindingId;
    }
    await this.audit.record({
      caller,
      action: AuditAction.FindingsApplied,
      purpose: 'reconciliation',
      outcome: 'APPLIED',
      detail: {
        runId: run.runId,
        outcomes: query.outcomes,
        findingIds: query.findingIds.length,
        applied,
        skipped,
      },
    });
    return {
      applied: RECONCILIATION_OUTCOMES.filter((o) => query.outcomes.includes(o)).map((o) => ({
        outcome: outcomeMessage(o),
        count: String(applied[o] ?? 0),
      })),
      skipped: String(skipped),
    };
  }
}
