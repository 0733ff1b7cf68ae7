import { Body, Controller, Get, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { RunState } from '@vss/contracts';
import { csvLine } from '@vss/domain';
import { AppError, ErrorClass, httpStatusOf } from '@vss/platform';
import {
  type DecisionResult,
  FindingReviewsService,
  type ReviewFilter,
  RunsService,
} from '@vss/reconciliation';
import { callerOf, operatorHolds, SignedIn } from '@vss/security';
import { ConsoleErrorFilter } from '../console-error.filter';
import { CsrfGuard } from '../sessions/csrf.guard';
import { saveSession } from '../sessions/console-sessions';
import { send } from '../sign-in/sign-in.controller';
import { type PageContext, pageContext } from '../views/page';
import { findingPage } from './finding.views';
import { filterQuery, queuePage, reviewStateText } from './findings.views';

type Query = Record<string, string | undefined>;
type Form = Record<string, string | undefined>;
const PAGE = 50;

/** In words, what a decision did: how many, and whether applying waits for an approver. */
function decisionNotice(ctx: PageContext, result: DecisionResult, decision: 'accept' | 'reject'): string {
  const done = `${ctx.t(decision === 'accept' ? 'accepted' : 'rejected')}: ${result.decided}`;
  return result.awaitingApproval ? `${done}. ${ctx.t('awaitingApproval')}` : done;
}

/**
 * The review workbench: a run's findings filtered by outcome, province and state, each opened
 * side by side with the registry's record and its match weights, decided one by one or by
 * filter with a note, and exported as CSV. Reviewers decide, auditors look; everything through
 * FindingReviewsService (ApplyFindings' rules, the audit of every person shown).
 */
@Controller('console/findings')
@UseFilters(ConsoleErrorFilter)
@UseGuards(CsrfGuard)
export class FindingsPagesController {
  constructor(
    private readonly reviews: FindingReviewsService,
    private readonly runs: RunsService,
  ) {}

  @Get()
  @SignedIn('reviewer', 'auditor')
  async queue(@Req() req: Request, @Res() res: Response, @Query() query: Query): Promise<void> {
    await this.renderQueue(req, res, 200, query);
  }

  @Get('export.csv')
  @SignedIn('reviewer', 'auditor')
  async export(@Req() req: Request, @Res() res: Response, @Query() query: Query): Promise<void> {
    const caller = callerOf(req);
    const filter = this.reviews.parseFilter(filterInput(query));
    const ctx = pageContext(req);
    res.status(200).setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Disposition', `attachment; filename="findings-${filter.runId.slice(0, 8)}.csv"`);
    res.type('text/csv; charset=utf-8');
    // A byte-order mark: spreadsheets then read the Vietnamese as UTF-8.
    res.write('\ufeff');
    res.write(
      csvLine([
        'finding_id',
        'run_id',
        'outcome',
        'province_code',
        'social_insurance_code',
        'citizen_id',
        'detail',
        'review',
        'note',
      ]),
    );
    let after = '';
    for (;;) {
      const rows = await this.reviews.page(caller, filter, after, 1000);
      for (const r of rows) {
        res.write(
          csvLine([
            r.finding_id,
            r.run_id,
            r.outcome,
            r.province_code,
            r.social_insurance_code,
            r.citizen_id,
            r.detail,
            reviewStateText(ctx, r),
            r.review.note,
          ]),
        );
      }
      if (rows.length < 1000) break;
      after = rows[rows.length - 1].finding_id;
    }
    res.end();
  }

  @Get(':id')
  @SignedIn('reviewer', 'auditor')
  async show(
    @Req() req: Request,
    @Res() res: Response,
    @Param('id') id: string,
    @Query() query: Query,
  ): Promise<void> {
    await this.renderFinding(req, res, 200, id, query, {});
  }

  @Post(':id/decide')
  @SignedIn('reviewer')
  async decide(
    @Req() req: Request,
    @Res() res: Response,
    @Param('id') id: string,
    @Query() query: Query,
    @Body() body: Form,
  ): Promise<void> {
    const decision = body.decision === 'reject' ? 'reject' : 'accept';
    try {
      const result = await this.reviews.decide(
        callerOf(req),
        id,
        decision === 'reject' ? 'REJECTED' : 'ACCEPTED',
        body.note ?? '',
      );
      const filter = this.reviews.parseFilter(filterInput(query));
      const { next } = await this.reviews.neighbours(filter, id);
      req.session.flash = decisionNotice(pageContext(req), result, decision);
      await saveSession(req);
      res.redirect(
        303,
        next
          ? `/console/findings/${next}?${filterQuery(filter)}`
          : `/console/findings?${filterQuery(filter)}`,
      );
    } catch (error) {
      if (!(error instanceof AppError) || !isFormError(error)) throw error;
      await this.renderFinding(req, res, httpStatusOf(error.errorClass), id, query, {
        note: body.note,
        error: { field: error.field, message: error.message },
      });
    }
  }

  @Post('bulk')
  @SignedIn('reviewer')
  async bulk(
    @Req() req: Request,
    @Res() res: Response,
    @Query() query: Query,
    @Body() body: Form,
  ): Promise<void> {
    const decision = body.decision === 'reject' ? 'reject' : 'accept';
    try {
      const filter = this.reviews.parseFilter(filterInput(query));
      const result = await this.reviews.decideByFilter(
        callerOf(req),
        filter,
        decision === 'reject' ? 'REJECTED' : 'ACCEPTED',
        body.note ?? '',
      );
      req.session.flash = decisionNotice(pageContext(req), result, decision);
      await saveSession(req);
      res.redirect(303, `/console/findings?${filterQuery(filter)}`);
    } catch (error) {
      if (!(error instanceof AppError) || !isFormError(error)) throw error;
      await this.renderQueue(req, res, httpStatusOf(error.errorClass), query, {
        note: body.note,
        error: { field: error.field, message: error.message },
      });
    }
  }

  private async renderQueue(
    req: Request,
    res: Response,
    status: number,
    query: Query,
    extra: { note?: string; error?: { field?: string; message: string } } = {},
  ): Promise<void> {
    const caller = callerOf(req);
    const list = await this.runs.list({ state: RunState.RUN_STATE_COMPLETED, pageToken: '', pageSize: 50 });
    const runs = list.runs.filter((r) => !r.dryRun);
    const runId = query.run || runs[0]?.runId;
    const ctx = pageContext(req);
    const notice = takeFlash(req);
    if (!runId) {
      send(
        res,
        status,
        queuePage(ctx, {
          runs,
          filter: undefined,
          rows: [],
          progress: undefined,
          nextAfter: '',
          canDecide: false,
          notice,
        }).text,
      );
      return;
    }
    const filter = this.reviews.parseFilter(filterInput({ ...query, run: runId }));
    const rows = await this.reviews.page(caller, filter, query.after ?? '', PAGE + 1);
    send(
      res,
      status,
      queuePage(ctx, {
        runs,
        filter,
        rows: rows.slice(0, PAGE),
        progress: await this.reviews.progress(filter.runId),
        nextAfter: rows.length > PAGE ? rows[PAGE - 1].finding_id : '',
        canDecide: operatorHolds(caller, 'reviewer'),
        notice,
        ...extra,
      }).text,
    );
  }

  private async renderFinding(
    req: Request,
    res: Response,
    status: number,
    id: string,
    query: Query,
    extra: { note?: string; error?: { field?: string; message: string } },
  ): Promise<void> {
    const caller = callerOf(req);
    const opened = await this.reviews.open(caller, id);
    const filter: ReviewFilter = this.reviews.parseFilter(
      filterInput({ ...query, run: query.run || opened.finding.run_id }),
    );
    const around = await this.reviews.neighbours(filter, id);
    // A note typed when the session ended comes back with the page.
    const draft =
      req.session.draft?.page === `/console/findings/${id}` ? req.session.draft.fields : undefined;
    if (draft) delete req.session.draft;
    send(
      res,
      status,
      findingPage(pageContext(req), opened, {
        filter,
        ...around,
        canDecide: operatorHolds(caller, 'reviewer'),
        notice: takeFlash(req),
        note: draft?.note,
        ...extra,
      }).text,
    );
  }
}

function filterInput(query: Query) {
  return { runId: query.run ?? '', outcome: query.outcome, provinceCode: query.province, state: query.state };
}

/** Refusals a reviewer can act on in the form: a note, a finding decided or held meanwhile. */
function isFormError(error: AppError): boolean {
  return (
    error.errorClass === ErrorClass.InvalidArgument || error.errorClass === ErrorClass.FailedPrecondition
  );
}

function takeFlash(req: Request): string | undefined {
  const flash = req.session.flash;
  if (flash) delete req.session.flash;
  return flash;
}
