import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ConsoleErrorCode, consoleError } from '../console.errors';
import { csrf } from './console-sessions';

/**
 * Every change the console accepts (any method but GET and HEAD) carries the session's CSRF
 * token, as the `_csrf` form field or the `x-csrf-token` header htmx sends. Runs after the
 * AuthGuard: a change from a session that has ended is answered "sign in" and keeps its draft.
 */
@Injectable()
export class CsrfGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    if (req.method === 'GET' || req.method === 'HEAD') return true;
    if (!req.session || !csrf.isRequestValid(req)) {
      throw consoleError(
        ConsoleErrorCode.BadCsrfToken,
        'this form was not sent by a console page of this session (its CSRF token is missing or old); reload the page and try again',
      );
    }
    return true;
  }
}
