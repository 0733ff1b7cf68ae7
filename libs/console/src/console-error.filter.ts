import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import {
  AppError,
  databaseUnavailable,
  ErrorClass,
  httpStatusOf,
  incidentOf,
  isDatabaseUnavailable,
  LOGGER,
} from '@vss/platform';
import { NOT_SIGNED_IN } from './sessions/console-sessions';
import { html } from './views/html';
import { layout, pageContext } from './views/page';

/** Where a path may send the browser after sign-in: a console page of ours, nothing else. */
export function safeReturnPath(value: unknown): string | undefined {
  return typeof value === 'string' && /^\/console\/[A-Za-z0-9/_.-]*$/.test(value) && !value.includes('..')
    ? value
    : undefined;
}

/**
 * Errors of console pages become pages: no session → the sign-in page (what was typed kept for
 * after), a refusal → its status with the service's own message, our fault → 500 with an
 * incident ID to quote. htmx requests get the fragment, or an HX-Redirect to sign in.
 */
@Catch()
export class ConsoleErrorFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) {
      res.end();
      return;
    }
    res.setHeader('Cache-Control', 'no-store');
    if (!(exception instanceof AppError) && isDatabaseUnavailable(exception))
      exception = databaseUnavailable();
    if (exception instanceof AppError && exception.errorClass === ErrorClass.Unauthenticated) {
      this.signInAgain(req, res, exception.message !== NOT_SIGNED_IN);
      return;
    }
    let status: number;
    let message: string;
    if (exception instanceof AppError) {
      status = httpStatusOf(exception.errorClass);
      message = exception.message;
      if (exception.details.retryAfterSeconds !== undefined) {
        res.setHeader('Retry-After', String(exception.details.retryAfterSeconds));
      }
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      message = exception.message;
    } else {
      status = 500;
      message = `internal error; quote incident ${incidentOf(exception, this.logger)} when reporting it`;
    }
    if (req.headers.accept === 'text/event-stream') {
      res.status(status).type('text/plain').send(message);
      return;
    }
    const ctx = pageContext(req);
    const title =
      status === 404
        ? ctx.t('notFound')
        : status === 403
          ? ctx.t('forbidden')
          : status === 503
            ? ctx.t('unavailable')
            : status >= 500
              ? ctx.t('error')
              : ctx.t('badRequest');
    const body = html`<div class="notice error" role="alert"><p>${message}</p></div>
      <p><a href="/console/">${ctx.t('back')}</a></p>`;
    res.status(status).type('html');
    res.send(req.headers['hx-request'] ? body.text : layout(ctx, title, body).text);
  }

  /** GET: to the sign-in page and back after. A change: its fields kept in the session for the form. */
  private signInAgain(req: Request, res: Response, ended: boolean): void {
    const page = safeReturnPath(
      req.method === 'GET' ? req.path : (req.body as Record<string, unknown>)?._page,
    );
    if (req.session) {
      req.session.returnTo = page;
      if (req.method !== 'GET' && page) {
        const fields: Record<string, string> = {};
        for (const [name, value] of Object.entries((req.body ?? {}) as Record<string, unknown>)) {
          if (typeof value === 'string' && !name.startsWith('_') && name !== 'password') fields[name] = value;
        }
        req.session.draft = { page, fields };
      }
    }
    // "Your session has ended" only to someone who had one: a session over its limit, an operator
    // disabled, or a change sent from a page whose session expired meanwhile.
    const to = ended || req.method !== 'GET' ? '/console/sign-in?m=ended' : '/console/sign-in';
    if (req.session) {
      req.session.save(() => this.answerSignIn(req, res, to));
    } else {
      this.answerSignIn(req, res, to);
    }
  }

  private answerSignIn(req: Request, res: Response, to: string): void {
    if (req.headers['hx-request']) {
      res.status(401).setHeader('HX-Redirect', to);
      res.end();
    } else if (req.headers.accept === 'text/event-stream') {
      res.status(401).type('text/plain').send('sign in to the console first');
    } else {
      res.redirect(303, to);
    }
  }
}
