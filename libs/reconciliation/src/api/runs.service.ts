import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { ListRunsRequest, ListRunsResponse, Run, StartRunRequest } from '@vss/contracts';
import { RECONCILIATION_OUTCOMES } from '@vss/domain/reconciliation';
import { planPartitions, runProgress, type RunState, scopeKey } from '@vss/domain/reconciliation-runs';
import { Clock, encodePageToken, type GatewayConfig, type PgBoss } from '@vss/platform';
import { AuditAction, AuditTrail } from '@vss/audit';
import { type Caller } from '@vss/security';
import {
  APP_CONFIG,
  CHANGE_HUB,
  type ChangeHub,
  coalesced,
  JOB_QUEUE,
  shuttingDown,
  WATCH_CHANNELS,
} from '@vss/platform';
import { ReconciliationErrorCode, reconciliationError } from '../reconciliation.errors';
import {
  outcomeMessage,
  parseListRuns,
  parseScope,
  requireRunId,
  runStateMessage,
  scopeMessage,
} from '../reconciliation.request';
import { MatchModels } from '../match-models';
import { sendSliceJob } from '../reconciliation.queue';
import { RunsRepository, type RunView } from '../runs.repository';
import { type PartitionProgress, type ProvinceCount, RunReportRepository } from '../run-report.repository';

const FINISHED: readonly RunState[] = ['COMPLETED', 'CANCELLED', 'FAILED'];

export function isFinished(state: RunState): boolean {
  return FINISHED.includes(state);
}

function describeScope(view: RunView): string {
  return scopeKey(view.scope).replace(/:$/, '').toLowerCase();
}

/** A run as the API shows it, with speed and time left computed now. */
export function toRun(view: RunView, nowMs: number): Run {
  const progress = runProgress({
    processed: view.recordsProcessed,
    total: view.recordsTotal,
    startedAtMs: view.startedAt?.getTime() ?? null,
    nowMs: view.finishedAt?.getTime() ?? nowMs,
    finished: isFinished(view.state),
  });
  return {
    runId: view.runId,
    scope: scopeMessage(view.scope),
    state: runStateMessage(view.state),
    dryRun: view.dryRun,
    findMissingIdCandidates: view.findMissingIdCandidates,
    recordsTotal: String(view.recordsTotal ?? 0),
    recordsProcessed: String(view.recordsProcessed),
    counts: RECONCILIATION_OUTCOMES.filter((o) => view.counts[o] !== undefined).map((o) => ({
      outcome: outcomeMessage(o),
      count: String(view.counts[o]),
    })),
    recordsPerSecond: Math.round(progress.recordsPerSecond * 10) / 10,
    etaSeconds: String(progress.etaSeconds),
    startedBy: view.startedBy,
    createdAt: view.createdAt.toISOString(),
    startedAt: view.startedAt?.toISOString() ?? '',
    finishedAt: view.finishedAt?.toISOString() ?? '',
    error: view.error ?? '',
    modelVersion: view.modelVersion ?? '',
    modelDigest: view.modelDigest ?? '',
  };
}

/** Starting, reading, listing, cancelling and watching runs; the worker does the work. */
@Injectable()
export class RunsService {
  constructor(
    private readonly runs: RunsRepository,
    private readonly clock: Clock,
    private readonly audit: AuditTrail,
    @Inject(JOB_QUEUE) private readonly jobs: PgBoss,
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
    @Inject(CHANGE_HUB) private readonly changes: ChangeHub,
    private readonly models: MatchModels,
    private readonly report: RunReportRepository,
  ) {}

  /** A run's partitions as they progress, for its page. */
  async partitions(runIdText: string): Promise<PartitionProgress[]> {
    return this.report.partitions(requireRunId(runIdText));
  }

  /** A run's findings counted per province, for its page. */
  async findingsByProvince(runIdText: string): Promise<ProvinceCount[]> {
    return this.report.findingsByProvince(requireRunId(runIdText));
  }

  async start(caller: Caller, request: StartRunRequest): Promise<Run> {
    const scope = parseScope(request.scope, this.clock.today());
    const runId = randomUUID();
    const partitions = planPartitions(scope, this.config.RECONCILE_PARTITIONS);
    const result = await this.runs.create(
      {
        runId,
        scope,
        dryRun: request.dryRun === true,
        findMissingIdCandidates: request.findMissingIdCandidates === true,
        startedBy: caller.id,
        startedByLabel: caller.label,
        partitions,
        model: { version: this.models.current().model.version, digest: this.models.current().digest },
      },
      async (client) => {
        for (const p of partitions) {
          await sendSliceJob(
            this.jobs,
            client,
            { runId, partitionNo: p.partitionNo },
            // Largest first: the run ends when its last partition does, and partitions cut at
            // province prefixes differ in size; taken in the queue's arbitrary order, a large
            // one started last kept one worker loop busy alone at the end.
            { expireInSeconds: this.config.JOB_EXPIRE_SECONDS, priority: Math.round(p.share * 1000) },
          );
        }
        await this.audit.recordWithin(client, {
          caller,
          action: AuditAction.RunStarted,
          purpose: 'reconciliation',
          outcome: 'QUEUED',
          detail: { runId, scope: scopeKey(scope), dryRun: request.dryRun === true },
        });
      },
    );
    if ('busy' in result) {
      const busy = result.busy;
      throw reconciliationError(
        ReconciliationErrorCode.ScopeBusy,
        `run ${busy.runId} (${busy.state}, started by ${busy.startedBy}) already covers scope ${describeScope(busy)}; watch it or cancel it before starting another`,
        'scope',
      );
    }
    return this.get(runId);
  }

  async view(runIdText: string): Promise<RunView> {
    const runId = requireRunId(runIdText);
    const view = await this.runs.find(runId);
    if (!view) throw runNotFound(runId);
    return view;
  }

  /** A completed run of the same scope started after this one, if any: it supersedes this one. */
  newerCompleted(runId: string): Promise<{ runId: string; finishedAt: Date } | undefined> {
    return this.runs.newerCompleted(runId);
  }

  async get(runId: string): Promise<Run> {
    return toRun(await this.view(runId), Date.now());
  }

  async list(request: ListRunsRequest): Promise<ListRunsResponse> {
    const { limit, state, filter, after } = parseListRuns(request);
    const views = await this.runs.list(state, after, limit + 1);
    const page = views.slice(0, limit);
    const last = page[page.length - 1];
    const now = Date.now();
    return {
      runs: page.map((v) => toRun(v, now)),
      nextPageToken:
        views.length > limit && last ? encodePageToken([last.createdKey, last.runId], filter) : '',
    };
  }

  async cancel(caller: Caller, runIdText: string): Promise<Run> {
    const view = await this.view(runIdText);
    const cancelled = await this.runs.cancel(view.runId, (client) =>
      this.audit.recordWithin(client, {
        caller,
        action: AuditAction.RunCancelled,
        purpose: 'reconciliation',
        outcome: 'CANCELLED',
        detail: { runId: view.runId, processed: view.recordsProcessed },
      }),
    );
    if (!cancelled) {
      const now = await this.view(view.runId);
      throw reconciliationError(
        ReconciliationErrorCode.RunNotCancellable,
        `run ${view.runId} is ${now.state}; only a queued or running run can be cancelled`,
        'run_id',
      );
    }
    return this.get(view.runId);
  }

  /**
   * The run now, then each time its state or progress moves, until it ends or the caller
   * goes. Pushed: a NOTIFY of the run's change wakes the stream (ChangeHub); reads coalesce.
   */
  watch(runIdText: string): Observable<{ run: Run }> {
    return new Observable((subscriber) => {
      let runId: string;
      try {
        runId = requireRunId(runIdText);
      } catch (error) {
        subscriber.error(error);
        return;
      }
      let ended = false;
      let last = '';
      const fail = (error: unknown) => {
        ended = true;
        subscriber.error(error);
      };
      const look = coalesced(async () => {
        if (ended) return;
        const view = await this.runs.find(runId, 'watch');
        if (!view) throw runNotFound(runId);
        if (ended) return;
        const signature = `${view.state}|${view.recordsProcessed}|${view.recordsTotal}`;
        if (signature !== last) {
          last = signature;
          subscriber.next({ run: toRun(view, Date.now()) });
        }
        if (isFinished(view.state)) {
          ended = true;
          subscriber.complete();
        }
      }, fail);
      const unsubscribe = this.changes.subscribe(WATCH_CHANNELS.runs, runId, {
        onChange: look.run,
        onClose: () => fail(shuttingDown()),
      });
      look.run();
      return () => {
        ended = true;
        look.stop();
        unsubscribe();
      };
    });
  }
}

function runNotFound(runId: string) {
  return reconciliationError(ReconciliationErrorCode.RunNotFound, `no reconciliation run ${runId}`, 'run_id');
}
