import {
  Body,
  Controller,
  Get,
  MessageEvent,
  Param,
  Post,
  Query,
  Req,
  Res,
  Sse,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { concat, defer, EMPTY, from, map, mergeMap, type Observable, of } from 'rxjs';
import { type Run, RunState, type StartRunRequest } from '@vss/contracts';
import { AppError, ErrorClass, httpStatusOf } from '@vss/platform';
import { FindingReviewsService, RunsService } from '@vss/reconciliation';
import { callerOf, operatorHolds, SignedIn } from '@vss/security';
import { ConsoleErrorFilter } from '../console-error.filter';
import { CsrfGuard } from '../sessions/csrf.guard';
import { send } from '../sign-in/sign-in.controller';
import { pageContext } from '../views/page';
import {
  EMPTY_START_FORM,
  provincesTable,
  runLive,
  runPage,
  runsPage,
  type StartRunForm,
  stateOf,
} from './runs.views';

type Form = Record<string, string | undefined>;

/** The form's fields as StartRun's request: the same rules and messages as the RPC (RunsService). */
export function startRunRequest(form: StartRunForm): StartRunRequest {
  const scope =
    form.scope === 'all'
      ? { all: true }
      : form.scope === 'changed'
        ? { changedSince: form.changedSince }
        : { provinceCode: form.provinceCode };
  return { scope, dryRun: form.dryRun, findMissingIdCandidates: form.findCandidates };
}

function formOf(body: Form): StartRunForm {
  const scope = body.scope === 'all' || body.scope === 'changed' ? body.scope : 'province';
  return {
    scope,
    provinceCode: (body.province_code ?? '').trim(),
    changedSince: (body.changed_since ?? '').trim(),
    dryRun: body.dry_run === '1',
    findCandidates: body.find_candidates === '1',
    errors: {},
  };
}

/** A refusal's message next to the field it names (`scope.province_code` → the province input). */
function errorsOf(error: AppError): StartRunForm['errors'] {
  const field = error.field?.replace(/^scope\./, '');
  if (field === 'province_code' || field === 'changed_since' || field === 'scope')
    return { [field]: error.message };
  return { form: error.message };
}

/**
 * Reconciliation runs in the console: the list and the start form, a run's page whose
 * progress is pushed by server-sent events (fed by the runs' change notifications through
 * RunsService.watch, as WatchRun is), and cancel. Operators start and cancel; every operator
 * role may look.
 */
@Controller('console/runs')
@UseFilters(ConsoleErrorFilter)
@UseGuards(CsrfGuard)
export class RunsPagesController {
  constructor(
    private readonly runs: RunsService,
    private readonly reviews: FindingReviewsService,
  ) {}

  @Get()
  @SignedIn()
  async list(@Req() req: Request, @Res() res: Response, @Query('page') page?: string): Promise<void> {
    const draft = req.session.draft?.page === '/console/runs' ? req.session.draft.fields : undefined;
    if (draft) delete req.session.draft;
    const form = operatorHolds(callerOf(req), 'operator')
      ? draft
        ? formOf(draft)
        : EMPTY_START_FORM
      : undefined;
    await this.render(req, res, 200, form, page);
  }

  @Post()
  @SignedIn('operator')
  async start(@Req() req: Request, @Res() res: Response, @Body() body: Form): Promise<void> {
    const form = formOf(body);
    try {
      const run = await this.runs.start(callerOf(req), startRunRequest(form));
      res.redirect(303, `/console/runs/${run.runId}`);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      if (
        error.errorClass !== ErrorClass.InvalidArgument &&
        error.errorClass !== ErrorClass.FailedPrecondition
      ) {
        throw error;
      }
      await this.render(req, res, httpStatusOf(error.errorClass), {
        ...form,
        errors: errorsOf(error),
      });
    }
  }

  @Get(':id')
  @SignedIn()
  async show(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const [run, partitions, provinces] = await Promise.all([
      this.runs.get(id),
      this.runs.partitions(id),
      this.runs.findingsByProvince(id),
    ]);
    const canCancel = operatorHolds(callerOf(req), 'operator');
    const review = stateOf(run) === 'COMPLETED' ? await this.reviews.progress(run.runId) : undefined;
    send(res, 200, runPage(pageContext(req), run, partitions, provinces, canCancel, undefined, review).text);
  }

  /**
   * The run's progress as it moves: a `progress` event with the live part of the page at each
   * change; at the end, the findings per province and `done` (the page closes the stream).
   */
  @Sse(':id/events')
  @SignedIn()
  events(@Req() req: Request, @Param('id') id: string): Observable<MessageEvent> {
    // Forms in what is pushed belong to the run's page, not to this stream.
    const ctx = { ...pageContext(req), path: `/console/runs/${id}` };
    const canCancel = operatorHolds(callerOf(req), 'operator');
    let last: Run | undefined;
    const progress = this.runs.watch(id).pipe(
      mergeMap(({ run }) => {
        last = run;
        return from(this.runs.partitions(id)).pipe(
          map((partitions): MessageEvent => ({
            type: 'progress',
            data: runLive(ctx, run, partitions, canCancel).text,
          })),
        );
      }),
    );
    const end = defer(() =>
      last && stateOf(last) !== 'QUEUED' && stateOf(last) !== 'RUNNING'
        ? from(this.runs.findingsByProvince(id)).pipe(
            mergeMap((provinces) =>
              of(
                { type: 'provinces', data: provincesTable(ctx, provinces).text } as MessageEvent,
                { type: 'done', data: stateOf(last!) } as MessageEvent,
              ),
            ),
          )
        : EMPTY,
    );
    return concat(progress, end);
  }

  @Post(':id/cancel')
  @SignedIn('operator')
  async cancel(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    try {
      await this.runs.cancel(callerOf(req), id);
      res.redirect(303, `/console/runs/${id}`);
    } catch (error) {
      if (!(error instanceof AppError) || error.errorClass !== ErrorClass.FailedPrecondition) throw error;
      const [run, partitions, provinces] = await Promise.all([
        this.runs.get(id),
        this.runs.partitions(id),
        this.runs.findingsByProvince(id),
      ]);
      send(
        res,
        httpStatusOf(error.errorClass),
        runPage(pageContext(req), run, partitions, provinces, true, error.message).text,
      );
    }
  }

  private async render(
    req: Request,
    res: Response,
    status: number,
    form: StartRunForm | undefined,
    page?: string,
  ): Promise<void> {
    const list = await this.runs.list({
      pageSize: 50,
      pageToken: page ?? '',
      state: RunState.RUN_STATE_UNSPECIFIED,
    });
    send(res, status, runsPage(pageContext(req), list.runs, form, list.nextPageToken).text);
  }
}
