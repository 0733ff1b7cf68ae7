import { Controller, Get, MessageEvent, Query, Req, Res, Sse, UseFilters, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Observable } from 'rxjs';
import { AuditChainReader } from '@vss/audit';
import { SignedIn } from '@vss/security';
import { ConsoleErrorFilter } from '../console-error.filter';
import { CsrfGuard } from '../sessions/csrf.guard';
import { send } from '../sign-in/sign-in.controller';
import { pageContext } from '../views/page';
import { auditPage, verifyProgress } from './audit.views';

/**
 * The audit chain: its head, the signed checkpoints, and verification on demand — the verifier
 * of `audit verify`, with the keys this gateway trusts — its progress pushed as it walks the
 * chain. Auditors and security administrators.
 */
@Controller('console/audit')
@UseFilters(ConsoleErrorFilter)
@UseGuards(CsrfGuard)
export class AuditPagesController {
  constructor(private readonly chain: AuditChainReader) {}

  @Get()
  @SignedIn('auditor', 'security-admin')
  async show(@Req() req: Request, @Res() res: Response, @Query('before') before?: string): Promise<void> {
    const older = before && /^[0-9]{1,19}$/.test(before) ? before : undefined;
    const [head, checkpoints] = await Promise.all([this.chain.head(), this.chain.checkpoints(50, older)]);
    send(res, 200, auditPage(pageContext(req), head, checkpoints, this.chain.trustsKeys, older).text);
  }

  /**
   * Walks the whole chain: `progress` after every 10,000 entries, then `result` and `done`. The
   * walk stops when the page is closed.
   */
  @Sse('verify/events')
  @SignedIn('auditor', 'security-admin')
  verify(@Req() req: Request): Observable<MessageEvent> {
    const ctx = pageContext(req);
    return new Observable<MessageEvent>((subscriber) => {
      let closed = false;
      void (async () => {
        const head = (await this.chain.head())?.seq ?? '0';
        const report = await this.chain.verify({
          onProgress: (r) =>
            subscriber.next({ type: 'progress', data: verifyProgress(ctx, r, head, false).text }),
          stopped: () => closed,
        });
        if (closed) return;
        subscriber.next({ type: 'progress', data: verifyProgress(ctx, report, head, true).text });
        subscriber.next({
          type: 'done',
          data: report.problem?.kind === 'unanchored' ? 'unanchored' : report.problem ? 'broken' : 'intact',
        });
        subscriber.complete();
      })().catch((error: unknown) => subscriber.error(error));
      return () => {
        closed = true;
      };
    });
  }
}
