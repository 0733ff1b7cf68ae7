import { Controller, Get, Inject, MessageEvent, Req, Res, Sse, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import { from, interval, map, type Observable, startWith, switchMap } from 'rxjs';
import { ApprovalsService } from '@vss/approvals';
import { ProceduresService, OPEN_STATES } from '@vss/civil-events';
import { ApprovalState, RunState } from '@vss/contracts';
import { PROCEDURE_STEP_QUEUE } from '@vss/domain/linked-procedures';
import { RECONCILIATION_QUEUE } from '@vss/domain/reconciliation-runs';
import { JOB_QUEUE, type PgBoss, queueDepths } from '@vss/platform';
import { RunsService } from '@vss/reconciliation';
import { type Caller, callerOf, SignedIn } from '@vss/security';
import { ConsoleErrorFilter } from '../console-error.filter';
import { send } from '../sign-in/sign-in.controller';
import { pageContext, type PageContext } from '../views/page';
import { CallRateSampler } from './call-rates';
import { type Overview, overviewPage, overviewTiles } from './overview.views';

/** How often the open overview is pushed again. */
const PUSH_MS = 5_000;

/**
 * The overview: lookups a minute (answered, refused by limit, refused by authentication),
 * open procedures by state, the job queues' depth, runs in progress and approvals waiting —
 * pushed again every 5 s while the page is open; each tile links to its page.
 */
@Controller('console/overview')
@UseFilters(ConsoleErrorFilter)
export class OverviewPagesController {
  constructor(
    private readonly rates: CallRateSampler,
    private readonly procedures: ProceduresService,
    private readonly runs: RunsService,
    private readonly approvals: ApprovalsService,
    @Inject(JOB_QUEUE) private readonly jobs: PgBoss,
  ) {}

  private async overview(ctx: PageContext, caller: Caller): Promise<Overview> {
    const [open, depths, running, queued, waiting] = await Promise.all([
      this.procedures.openCounts(),
      queueDepths(this.jobs, [PROCEDURE_STEP_QUEUE, RECONCILIATION_QUEUE]),
      this.runs.list({ state: RunState.RUN_STATE_RUNNING, pageSize: 100, pageToken: '' }),
      this.runs.list({ state: RunState.RUN_STATE_QUEUED, pageSize: 100, pageToken: '' }),
      this.approvals.list(caller, {
        state: ApprovalState.APPROVAL_STATE_PENDING,
        pageSize: 100,
        pageToken: '',
      }),
    ]);
    return {
      rates: this.rates.rates(),
      procedures: OPEN_STATES.map((state) => ({ state, count: open.get(state) ?? 0 })),
      queues: [
        { name: 'procedures', label: ctx.t('procedureSteps'), depth: depths.get(PROCEDURE_STEP_QUEUE) ?? 0 },
        {
          name: 'reconciliation',
          label: ctx.t('reconciliationSlices'),
          depth: depths.get(RECONCILIATION_QUEUE) ?? 0,
        },
      ],
      runsInProgress: running.runs.length + queued.runs.length,
      approvalsWaiting: waiting.approvals.length,
      approvalsMore: waiting.nextPageToken !== '',
    };
  }

  @Get()
  @SignedIn()
  async show(@Req() req: Request, @Res() res: Response): Promise<void> {
    const ctx = pageContext(req);
    send(res, 200, overviewPage(ctx, await this.overview(ctx, callerOf(req))).text);
  }

  @Sse('events')
  @SignedIn()
  events(@Req() req: Request): Observable<MessageEvent> {
    const ctx = { ...pageContext(req), path: '/console/overview' };
    const caller = callerOf(req);
    return interval(PUSH_MS).pipe(
      startWith(0),
      switchMap(() => from(this.overview(ctx, caller))),
      map((o): MessageEvent => ({ type: 'tiles', data: overviewTiles(ctx, o).text })),
    );
  }
}
