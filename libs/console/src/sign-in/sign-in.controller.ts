import {
  Body,
  Controller,
  Get,
  Inject,
  Optional,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import QRCode from 'qrcode';
import { AuditAction, AuditTrail } from '@vss/audit';
import { newTotpSecret, OperatorCredentialsRepository, SignInErrorCode, totpUri } from '@vss/authority';
import { AppError, ErrorClass } from '@vss/platform';
import { AUTH_THROTTLE, type AuthThrottle, callerOf, personLabel, Public, SignedIn } from '@vss/security';
import { ConsoleErrorFilter, safeReturnPath } from '../console-error.filter';
import { CsrfGuard } from '../sessions/csrf.guard';
import { endSession, renewSession, saveSession } from '../sessions/console-sessions';
import { pageContext } from '../views/page';
import { enrolPage, signInPage } from './sign-in.views';

type Form = Record<string, string | undefined>;

const field = (body: Form, name: string) => (typeof body?.[name] === 'string' ? body[name]! : '');

/**
 * Sign-in with password and TOTP, enrolment by a one-time link, sign-out. Failures are
 * throttled per address (the AuthGuard's throttle) and locked out per login
 * (OperatorCredentialsRepository); each sign-in, refusal and sign-out is in the audit trail.
 */
@Controller('console')
@UseFilters(ConsoleErrorFilter)
@UseGuards(CsrfGuard)
export class SignInController {
  constructor(
    private readonly credentials: OperatorCredentialsRepository,
    private readonly audit: AuditTrail,
    @Optional() @Inject(AUTH_THROTTLE) private readonly throttle?: AuthThrottle,
  ) {}

  @Get()
  @SignedIn()
  home(@Res() res: Response): void {
    res.redirect(303, '/console/runs');
  }

  @Get('sign-in')
  @Public()
  signInForm(@Req() req: Request, @Res() res: Response, @Query('m') m?: string): void {
    const notice = m === 'signed-out' || m === 'ended' || m === 'enrolled' ? m : undefined;
    send(res, 200, signInPage(pageContext(req), { notice }).text);
  }

  @Post('sign-in')
  @Public()
  async signIn(@Req() req: Request, @Res() res: Response, @Body() body: Form): Promise<void> {
    const login = field(body, 'login').trim().toLowerCase();
    const peer = req.socket.remoteAddress ?? 'unknown';
    try {
      this.throttle?.check(peer);
      const operator = await this.credentials.signIn(login, field(body, 'password'), field(body, 'code'));
      const keep = { returnTo: req.session.returnTo, draft: req.session.draft, lang: req.session.lang };
      await renewSession(req);
      Object.assign(req.session, keep, { operatorId: operator.operatorId, signedInAt: Date.now() });
      await this.audit.record({
        caller: { id: `console:${operator.login}`, label: personLabel(operator), role: 'admin' },
        action: AuditAction.ConsoleSignIn,
        purpose: 'console',
        outcome: 'SIGNED_IN',
        detail: { login: operator.login },
      });
      const to = safeReturnPath(req.session.returnTo) ?? '/console/runs';
      delete req.session.returnTo;
      await saveSession(req);
      res.redirect(303, to);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      if (error.code !== SignInErrorCode.Locked) this.throttle?.failed(peer);
      await this.audit.record({
        caller: { id: `console:${login.slice(0, 64) || '-'}`, label: 'console sign-in', role: 'admin' },
        action: AuditAction.ConsoleSignInRefused,
        purpose: 'console',
        outcome: error.code,
        detail: { login: login.slice(0, 64), peer },
      });
      send(
        res,
        error.errorClass === ErrorClass.ResourceExhausted ? 429 : 401,
        signInPage(pageContext(req), { login, error: error.message }).text,
      );
    }
  }

  @Post('sign-out')
  @SignedIn()
  async signOut(@Req() req: Request, @Res() res: Response): Promise<void> {
    const caller = callerOf(req);
    await endSession(req);
    await this.audit.record({
      caller,
      action: AuditAction.ConsoleSignOut,
      purpose: 'console',
      outcome: 'SIGNED_OUT',
    });
    res.redirect(303, '/console/sign-in?m=signed-out');
  }

  @Get('enrol/:token')
  @Public()
  async enrolForm(@Req() req: Request, @Res() res: Response, @Param('token') token: string): Promise<void> {
    await this.credentials.enrolmentOf(token); // refused as NOT_FOUND when spent or expired
    const enrolment =
      req.session.enrolment?.token === token ? req.session.enrolment : { token, secret: newTotpSecret() };
    req.session.enrolment = enrolment;
    send(res, 200, (await this.enrolView(req, token, enrolment.secret, {})).text);
  }

  @Post('enrol/:token')
  @Public()
  async enrol(
    @Req() req: Request,
    @Res() res: Response,
    @Param('token') token: string,
    @Body() body: Form,
  ): Promise<void> {
    const enrolment = req.session.enrolment;
    if (enrolment?.token !== token) {
      res.redirect(303, `/console/enrol/${encodeURIComponent(token)}`);
      return;
    }
    try {
      const operator = await this.credentials.enrol(token, {
        password: field(body, 'password'),
        totpSecret: enrolment.secret,
        code: field(body, 'code'),
      });
      delete req.session.enrolment;
      await saveSession(req);
      await this.audit.record({
        caller: { id: `console:${operator.login}`, label: personLabel(operator), role: 'admin' },
        action: AuditAction.ConsoleEnrolled,
        purpose: 'console',
        outcome: 'ENROLLED',
        detail: { login: operator.login },
      });
      res.redirect(303, '/console/sign-in?m=enrolled');
    } catch (error) {
      if (!(error instanceof AppError) || (error.field !== 'password' && error.field !== 'code')) throw error;
      const errors = { [error.field]: error.message };
      send(res, 400, (await this.enrolView(req, token, enrolment.secret, errors)).text);
    }
  }

  private async enrolView(
    req: Request,
    token: string,
    secret: string,
    errors: { password?: string; code?: string },
  ) {
    const operator = await this.credentials.enrolmentOf(token);
    const qrSvg = await QRCode.toString(totpUri(operator.login, secret), {
      type: 'svg',
      margin: 1,
      width: 200,
    });
    return enrolPage(pageContext(req), {
      displayName: operator.displayName,
      login: operator.login,
      secret,
      qrSvg,
      token,
      errors,
    });
  }
}

/** A page: HTML, never cached (it carries a CSRF token and personal data). */
export function send(res: Response, status: number, body: string): void {
  res.status(status).setHeader('Cache-Control', 'no-store');
  res.type('html').send(body);
}
