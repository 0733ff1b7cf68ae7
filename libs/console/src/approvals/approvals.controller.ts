import { Body, Controller, Get, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApprovalsService } from '@vss/approvals';
import { ProceduresService } from '@vss/civil-events';
import { FindingReviewsService } from '@vss/reconciliation';
import { type Approval, ApprovalState, ApprovalSubject } from '@vss/contracts';
import { AppError, ErrorClass, httpStatusOf } from '@vss/platform';
import { callerOf, operatorHolds, SignedIn } from '@vss/security';
import { ConsoleErrorFilter } from '../console-error.filter';
import { CsrfGuard } from '../sessions/csrf.guard';
import { send } from '../sign-in/sign-in.controller';
import { pageContext } from '../views/page';
import { approvalPage, approvalsPage, type Evidence } from './approvals.views';

type Form = Record<string, string | undefined>;

/** Approvers decide procedures and findings; a second security administrator decides callers. */
function mayDecide(caller: Parameters<typeof operatorHolds>[0], approval: Approval): boolean {
  return approval.subject === ApprovalSubject.APPROVAL_SUBJECT_CALLER
    ? operatorHolds(caller, 'security-admin')
    : operatorHolds(caller, 'approver');
}

/**
 * The approvals inbox: what waits for a second person, why and who asked; approve or reject
 * with a note through ApprovalsService (the rules of the RPCs: approvers decide, never their own
 * request; auditors look).
 */
@Controller('console/approvals')
@UseFilters(ConsoleErrorFilter)
@UseGuards(CsrfGuard)
export class ApprovalsPagesController {
  constructor(
    private readonly approvals: ApprovalsService,
    private readonly procedures: ProceduresService,
    private readonly findings: FindingReviewsService,
  ) {}

  /** The evidence of an approval, read through the services of the feature that held it (audited). */
  private async evidence(req: Request, approval: Approval): Promise<Evidence> {
    const caller = callerOf(req);
    if (approval.subject === ApprovalSubject.APPROVAL_SUBJECT_PROCEDURE) {
      return { kind: 'PROCEDURE', procedure: await this.procedures.get(caller, approval.subjectId) };
    }
    if (approval.subject === ApprovalSubject.APPROVAL_SUBJECT_FINDINGS) {
      return { kind: 'FINDINGS', findings: await this.findings.heldFindings(caller, approval.approvalId) };
    }
    return { kind: 'NONE' };
  }

  @Get()
  @SignedIn('approver', 'auditor', 'security-admin')
  async list(
    @Req() req: Request,
    @Res() res: Response,
    @Query('state') state?: string,
    @Query('page') page?: string,
  ): Promise<void> {
    const decided = state === 'decided';
    const caller = callerOf(req);
    const pages = decided
      ? await Promise.all(
          [ApprovalState.APPROVAL_STATE_APPROVED, ApprovalState.APPROVAL_STATE_REJECTED].map((s) =>
            this.approvals.list(caller, { state: s, pageToken: '', pageSize: 100 }),
          ),
        )
      : [
          await this.approvals.list(caller, {
            state: ApprovalState.APPROVAL_STATE_PENDING,
            pageToken: page ?? '',
            pageSize: 100,
          }),
        ];
    const approvals = pages
      .flatMap((p) => p.approvals)
      .sort((a, b) =>
        decided ? b.decidedAt.localeCompare(a.decidedAt) : a.createdAt.localeCompare(b.createdAt),
      );
    const next = decided ? '' : pages[0].nextPageToken;
    send(res, 200, approvalsPage(pageContext(req), decided ? 'decided' : 'pending', approvals, next).text);
  }

  @Get(':id')
  @SignedIn('approver', 'auditor', 'security-admin')
  async show(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const caller = callerOf(req);
    const approval = await this.approvals.get(caller, id);
    const draft =
      req.session.draft?.page === `/console/approvals/${id}` ? req.session.draft.fields : undefined;
    if (draft) delete req.session.draft;
    send(
      res,
      200,
      approvalPage(pageContext(req), approval, {
        canDecide: mayDecide(caller, approval),
        evidence: await this.evidence(req, approval),
        note: draft?.note,
      }).text,
    );
  }

  @Post(':id/decide')
  @SignedIn('approver', 'security-admin')
  async decide(
    @Req() req: Request,
    @Res() res: Response,
    @Param('id') id: string,
    @Body() body: Form,
  ): Promise<void> {
    const caller = callerOf(req);
    const note = body.note ?? '';
    try {
      if (body.decision === 'reject') await this.approvals.reject(caller, id, note);
      else if (body.decision === 'approve') await this.approvals.approve(caller, id, note);
      else
        throw new AppError(
          'CONSOLE_DECISION',
          ErrorClass.InvalidArgument,
          'choose Approve or Reject',
          'decision',
        );
      res.redirect(303, `/console/approvals/${id}`);
    } catch (error) {
      if (!(error instanceof AppError) || error.errorClass === ErrorClass.NotFound) throw error;
      if (error.errorClass === ErrorClass.Internal || error.errorClass === ErrorClass.Unavailable)
        throw error;
      const approval = await this.approvals.get(caller, id);
      send(
        res,
        httpStatusOf(error.errorClass),
        approvalPage(pageContext(req), approval, {
          canDecide: true,
          evidence: await this.evidence(req, approval),
          note,
          error: { field: error.field, message: error.message },
        }).text,
      );
    }
  }
}
