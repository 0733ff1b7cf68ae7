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
import { from, map, mergeMap, type Observable, concat, of } from 'rxjs';
import { ProcedureKind, ProcedureState } from '@vss/contracts';
import { ProceduresService } from '@vss/civil-events';
import { AppError, ErrorClass, httpStatusOf } from '@vss/platform';
import { callerOf, operatorHolds, SignedIn } from '@vss/security';
import { ConsoleErrorFilter } from '../console-error.filter';
import { CsrfGuard } from '../sessions/csrf.guard';
import { send } from '../sign-in/sign-in.controller';
import { pageContext } from '../views/page';
import { procedureLive, procedurePage, proceduresPage, procedureStateOf } from './procedures.views';

type Form = Record<string, string | undefined>;

/** States a procedure does not leave. */
const SETTLED = ['COMPLETED', 'RESOLVED', 'REJECTED'];

/** Days the chart of procedures covers. */
const CHART_DAYS = 30;

/** A state from a query string, as ListProcedures takes it; unknown text is no filter. */
function stateFilter(value: string | undefined): ProcedureState {
  const name = `PROCEDURE_STATE_${value ?? ''}`;
  return (Object.values(ProcedureState) as string[]).includes(name) && value
    ? (name as ProcedureState)
    : ProcedureState.PROCEDURE_STATE_UNSPECIFIED;
}

/**
 * Linked procedures in the console: counts per state by day (chart), the review queue (in
 * review, awaiting an approver, stuck), the list, and a procedure's timeline — every attempt
 * at every step, pushed as it moves — with Retry and Resolve (ProceduresService: the rules of
 * RetryProcedure and ResolveProcedure). Operators act; every operator role may look.
 */
@Controller('console/procedures')
@UseFilters(ConsoleErrorFilter)
@UseGuards(CsrfGuard)
export class ProceduresPagesController {
  constructor(private readonly procedures: ProceduresService) {}

  @Get()
  @SignedIn()
  async list(
    @Req() req: Request,
    @Res() res: Response,
    @Query('state') state?: string,
    @Query('page') page?: string,
  ): Promise<void> {
    const caller = callerOf(req);
    const [counts, queue, list] = await Promise.all([
      this.procedures.stateCountsByDay(CHART_DAYS),
      this.procedures.reviewQueue(caller),
      this.procedures.list(caller, {
        state: stateFilter(state),
        kind: ProcedureKind.PROCEDURE_KIND_UNSPECIFIED,
        officeCode: '',
        acceptedFrom: '',
        acceptedTo: '',
        pageToken: page ?? '',
        pageSize: 50,
      }),
    ]);
    send(
      res,
      200,
      proceduresPage(pageContext(req), {
        counts,
        queue,
        state: stateFilter(state) === ProcedureState.PROCEDURE_STATE_UNSPECIFIED ? '' : (state ?? ''),
        list: list.procedures,
        nextPageToken: list.nextPageToken,
      }).text,
    );
  }

  @Get(':id')
  @SignedIn()
  async show(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const draft =
      req.session.draft?.page === `/console/procedures/${id}` ? req.session.draft.fields : undefined;
    if (draft) delete req.session.draft;
    await this.render(req, res, 200, id, { note: draft?.note });
  }

  /** The procedure's live part at each change, then `done` when it has settled. */
  @Sse(':id/events')
  @SignedIn()
  events(@Req() req: Request, @Param('id') id: string): Observable<MessageEvent> {
    const ctx = { ...pageContext(req), path: `/console/procedures/${id}` };
    const caller = callerOf(req);
    let last = '';
    // The live part at each change; Retry and Resolve are taken away once it has settled (and
    // left alone before, so that a note being typed is not wiped by an update).
    const progress = this.procedures.watch(caller, id).pipe(
      mergeMap(() => from(this.procedures.timeline(caller, id))),
      mergeMap(({ procedure, attempts }): MessageEvent[] => {
        last = procedureStateOf(procedure);
        const live: MessageEvent = { type: 'progress', data: procedureLive(ctx, procedure, attempts).text };
        return SETTLED.includes(last) ? [live, { type: 'actions', data: '' }] : [live];
      }),
    );
    return concat(progress, of(0).pipe(map((): MessageEvent => ({ type: 'done', data: last }))));
  }

  @Post(':id/retry')
  @SignedIn('operator')
  async retry(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    try {
      await this.procedures.retry(callerOf(req), id);
      res.redirect(303, `/console/procedures/${id}`);
    } catch (error) {
      await this.refused(req, res, id, error, {});
    }
  }

  @Post(':id/resolve')
  @SignedIn('operator')
  async resolve(
    @Req() req: Request,
    @Res() res: Response,
    @Param('id') id: string,
    @Body() body: Form,
  ): Promise<void> {
    const note = body.note ?? '';
    try {
      await this.procedures.resolve(callerOf(req), id, note);
      res.redirect(303, `/console/procedures/${id}`);
    } catch (error) {
      await this.refused(req, res, id, error, { note });
    }
  }

  /** A refusal the person can act on is shown on the procedure's page, next to its field. */
  private async refused(req: Request, res: Response, id: string, error: unknown, form: { note?: string }) {
    if (
      !(error instanceof AppError) ||
      (error.errorClass !== ErrorClass.InvalidArgument && error.errorClass !== ErrorClass.FailedPrecondition)
    ) {
      throw error;
    }
    // A note's refusal names `note`; a state's names the procedure: shown above both forms.
    const field = error.field === 'note' ? 'note' : undefined;
    await this.render(req, res, httpStatusOf(error.errorClass), id, {
      note: form.note,
      error: { field, message: error.message },
    });
  }

  private async render(
    req: Request,
    res: Response,
    status: number,
    id: string,
    form: { note?: string; error?: { field?: string; message: string } },
  ): Promise<void> {
    const caller = callerOf(req);
    const { procedure, attempts } = await this.procedures.timeline(caller, id);
    send(
      res,
      status,
      procedurePage(pageContext(req), procedure, attempts, {
        canAct: operatorHolds(caller, 'operator'),
        ...form,
      }).text,
    );
  }
}
