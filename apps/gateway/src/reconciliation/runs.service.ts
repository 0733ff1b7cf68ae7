import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { ListRunsRequest, ListRunsResponse, Run, StartRunRequest } from '@vss/contracts';
import { RECONCILIATION_OUTCOMES } from '@vss/domain/reconciliation';
import {
  planPartitions,
  RECONCILIATION_QUEUE,
  runProgress,
  type RunState,
  scopeKey,
} from '@vss/domain/reconciliation-runs';
import { Clock, type GatewayConfig, type PgBoss } from '@vss/platform';
import { AuditTrail, type Caller } from '@vss/security';
import { GATEWAY_CONFIG, JOB_QUEUE } from '../core/tokens';
import { ReconciliationErrorCode, reconciliationError } from './reconciliation.errors';
import {
  outcomeMessage,
  pageSizeOf,
  parseScope,
  requireRunId,
  runStateFilter,
  runStateMessage,
  scopeMessage,
} from './reconciliation.request';
import { RunsRepository, type RunView } from './runs.repository';

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
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

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
      },
      async (client) => {
        const db = { executeSql: (text: string, values: unknown[]) => client.query(text, values) };
        for (const p of partitions) {
          await this.jobs.send(
            RECONCILIATION_QUEUE,
            { runId, partitionNo: p.partitionNo },
            { db, expireInSeconds: this.config.JOB_EXPIRE_SECONDS },
          );
        }
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
    await this.audit.record({
      caller,
      action: 'reconciliation.run.start',
      purpose: 'reconciliation',
      outcome: 'QUEUED',
      detail: { runId, scope: scopeKey(scope), dryRun: request.dryRun === true },
    });
    return this.get(runId);
  }

  async view(runIdText: string): Promise<RunView> {
    const runId = requireRunId(runIdText);
    const view = await this.runs.find(runId);
    if (!view) {
      throw reconciliationError(
        ReconciliationErrorCode.RunNotFound,
        `no reconciliation run ${runId}`,
        'run_id',
      );
    }
    return view;
  }

  async get(runId: string): Promise<Run> {
    return toRun(await this.view(runId), Date.now());
  }

  async list(request: ListRunsRequest): Promise<ListRunsResponse> {
    const limit = pageSizeOf(request.pageSize, 50);
    let after: { createdAt: string; runId: string } | undefined;
    if (request.pageToken) {
      const [createdAt, runId] = Buffer.from(request.pageToken, 'base64url').toString().split('|');
      if (
        !createdAt ||
        !runId ||
        !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}(:\d{2})?$/.test(createdAt)
      ) {
        throw reconciliationError(
          ReconciliationErrorCode.InvalidPageToken,
          'page_token is not one this service returned',
          'page_token',
        );
      }
      after = { createdAt, runId: requireRunId(runId) };
    }
    const views = await this.runs.list(runStateFilter(request.state), after, limit + 1);
    const page = views.slice(0, limit);
    const last = page[page.length - 1];
    const now = Date.now();
    return {
      runs: page.map((v) => toRun(v, now)),
      nextPageToken:
        views.length > limit && last
          ? Buffer.from(`${last.createdKey}|${last.runId}`).toString('base64url')
          : '',
    };
  }

  async cancel(caller: Caller, runIdText: string): Promise<Run> {
    const view = await this.view(runIdText);
    if (!(await this.runs.cancel(view.runId))) {
      const now = await this.view(view.runId);
      throw reconciliationError(
        ReconciliationErrorCode.RunNotCancellable,
        `run ${view.runId} is ${now.state}; only a queued or running run can be cancelled`,
        'run_id',
      );
    }
    await this.audit.record({
      caller,
      action: 'reconciliation.run.cancel',
      purpose: 'reconciliation',
      outcome: 'CANCELLED',
      detail: { runId: view.runId, processed: view.recordsProcessed },
    });
    return this.get(view.runId);
  }

  /** The run now, then each time its progress moves, until it ends or the caller goes. */
  watch(runIdText: string): Observable<{ run: Run }> {
    return new Observable((subscriber) => {
      let stopped = false;
      let timer: NodeJS.Timeout | undefined;
      let last = '';
      const tick = async () => {
        const view = await this.view(runIdText);
        const signature = `${view.state}|${view.recordsProcessed}|${view.recordsTotal}`;
        if (signature !== last) {
          last = signature;
          subscriber.next({ run: toRun(view, Date.now()) });
        }
        return isFinished(view.state);
      };
      const loop = () => {
        tick().then(
          (finished) => {
            if (finished) {
              stopped = true;
              subscriber.complete();
            } else if (!stopped) {
              timer = setTimeout(loop, this.config.RECONCILE_WATCH_POLL_MS);
            }
          },
          (error: unknown) => subscriber.error(error),
        );
      };
      loop();
      return () => {
        stopped = true;
        if (timer) clearTimeout(timer);
      };
    });
  }
}
