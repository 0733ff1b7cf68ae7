import { Body, Controller, Get, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AuditChainReader } from '@vss/audit';
import { ProceduresService } from '@vss/civil-events';
import { PersonService } from '@vss/coverage';
import { AppError, ErrorClass, httpStatusOf } from '@vss/platform';
import { FindingReviewsService } from '@vss/reconciliation';
import { callerOf, personLabel, SignedIn } from '@vss/security';
import { ConsoleErrorFilter } from '../console-error.filter';
import { CsrfGuard } from '../sessions/csrf.guard';
import { saveSession } from '../sessions/console-sessions';
import { send } from '../sign-in/sign-in.controller';
import { pageContext } from '../views/page';
import { accessReportPage, personPage, personSearchPage } from './people.views';

type Form = Record<string, string | undefined>;

declare module 'express-session' {
  interface SessionData {
    /** The citizen whose page is open: kept in the session, never in an address. */
    person?: string;
  }
}

/**
 * A person's page, reached by citizen ID only (no search by name here): coverage as a clinic
 * would see it, records, procedures, findings, and every access to the person's data — each
 * opening recorded in that same history — with a printable access report for the citizen.
 * Auditors answer citizens' requests; operators look a person up to settle a case.
 */
@Controller('console/people')
@UseFilters(ConsoleErrorFilter)
@UseGuards(CsrfGuard)
export class PeoplePagesController {
  constructor(
    private readonly people: PersonService,
    private readonly procedures: ProceduresService,
    private readonly findings: FindingReviewsService,
    private readonly chain: AuditChainReader,
  ) {}

  @Get()
  @SignedIn('auditor', 'operator')
  search(@Req() req: Request, @Res() res: Response): void {
    send(res, 200, personSearchPage(pageContext(req)).text);
  }

  /** Opens a person's page: the ID is checked here, then kept in the session. */
  @Post()
  @SignedIn('auditor', 'operator')
  async open(@Req() req: Request, @Res() res: Response, @Body() body: Form): Promise<void> {
    const citizenId = (body.citizen_id ?? '').trim();
    try {
      // The same checks as ListAccessHistory (12 digits, a valid province and birth year).
      await this.people.check(citizenId);
    } catch (error) {
      if (!(error instanceof AppError) || error.errorClass !== ErrorClass.InvalidArgument) throw error;
      send(
        res,
        httpStatusOf(error.errorClass),
        personSearchPage(pageContext(req), citizenId, error.message).text,
      );
      return;
    }
    req.session.person = citizenId;
    // Saved before the redirect is sent: the browser follows it as soon as the headers arrive,
    // and the page it asks for must find the person in the session.
    await saveSession(req);
    res.redirect(303, '/console/people/view');
  }

  @Get('view')
  @SignedIn('auditor', 'operator')
  async view(@Req() req: Request, @Res() res: Response, @Query('page') page?: string): Promise<void> {
    const citizenId = req.session.person;
    if (!citizenId) {
      res.redirect(303, '/console/people');
      return;
    }
    const caller = callerOf(req);
    const view = await this.people.view(caller, citizenId, page ?? '');
    const codes = view.records.participants.map((p) => p.socialInsuranceCode);
    const [procedures, findings] = await Promise.all([
      this.procedures.about(caller, citizenId),
      this.findings.aboutRecords(caller, codes),
    ]);
    send(res, 200, personPage(pageContext(req), { view, procedures, findings, pageToken: page ?? '' }).text);
  }

  @Get('report')
  @SignedIn('auditor', 'operator')
  async report(@Req() req: Request, @Res() res: Response): Promise<void> {
    const citizenId = req.session.person;
    if (!citizenId) {
      res.redirect(303, '/console/people');
      return;
    }
    const caller = callerOf(req);
    const report = await this.people.report(caller, citizenId);
    const [checkpoint] = await this.chain.checkpoints(1);
    send(
      res,
      200,
      accessReportPage(
        pageContext(req),
        report,
        checkpoint,
        caller.operator ? personLabel(caller.operator) : caller.id,
        new Date().toISOString(),
      ).text,
    );
  }
}
