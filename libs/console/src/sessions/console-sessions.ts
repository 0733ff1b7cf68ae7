import { Injectable } from '@nestjs/common';
import connectPgSimple from 'connect-pg-simple';
import { csrfSync } from 'csrf-sync';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import type { Pool } from 'pg';
import { ChangeFeed } from '@vss/platform';
import { OperatorsRepository } from '@vss/authority';
import { SIGN_IN_POLICY } from '@vss/domain';
import {
  type Caller,
  personLabel,
  SecurityErrorCode,
  type SessionAuthenticator,
  securityError,
} from '@vss/security';
import type { Lang } from '../views/i18n';

declare module 'express-session' {
  interface SessionData {
    /** The signed-in operator; absent before sign-in. */
    operatorId?: string;
    /** When they signed in (ms): the absolute limit counts from here. */
    signedInAt?: number;
    lang?: Lang;
    /** An enrolment in progress: the second-factor secret shown, until the code confirms it. */
    enrolment?: { token: string; secret: string };
    /** Where to go after sign-in, and what was typed when the session ended. */
    returnTo?: string;
    draft?: { page: string; fields: Record<string, string> };
    /** What the last change did, told once on the page that follows it. */
    flash?: string;
  }
}

/** The refusal of a request that never had a signed-in session (or whose session expired unseen). */
export const NOT_SIGNED_IN = 'sign in to the console first';

/** The console's session cookie: `__Host-` (this host only, path /, Secure) over TLS. */
export const SESSION_COOKIE = '__Host-vss-console';
const PLAINTEXT_COOKIE = 'vss-console';

/**
 * Server-side sessions for the console (express-session, kept in vss.console_sessions by
 * connect-pg-simple): the cookie carries a random ID only — HttpOnly, Secure, SameSite=Strict —
 * and each use moves the expiry SIGN_IN_POLICY.idleMinutes on (rolling), so an idle session
 * ends; the absolute limit is checked at every request (ConsoleSessionAuthenticator).
 */
export function consoleSessions(options: { pool: Pool; secret: string; tls: boolean }): {
  middleware: RequestHandler;
  close(): void;
} {
  const Store = connectPgSimple(session);
  const store = new Store({
    pool: options.pool,
    schemaName: 'vss',
    tableName: 'console_sessions',
    createTableIfMissing: false,
    pruneSessionInterval: 60,
    errorLog: () => undefined,
  });
  const middleware = session({
    name: options.tls ? SESSION_COOKIE : PLAINTEXT_COOKIE,
    secret: options.secret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    unset: 'destroy',
    cookie: {
      httpOnly: true,
      secure: options.tls,
      sameSite: 'strict',
      path: '/',
      maxAge: SIGN_IN_POLICY.idleMinutes * 60_000,
    },
  });
  return { middleware, close: () => store.close() };
}

/**
 * CSRF tokens, synchronised with the session (csrf-sync): every page's forms and htmx requests
 * carry the session's token, and every change (POST) is refused without it.
 */
export const csrf = csrfSync({
  getTokenFromRequest: (req: Request) => {
    const body = req.body as Record<string, unknown> | undefined;
    const fromBody = typeof body?._csrf === 'string' ? body._csrf : undefined;
    const header = req.headers['x-csrf-token'];
    return fromBody ?? (typeof header === 'string' ? header : undefined);
  },
});

/** Runs the session middleware; a database that cannot be reached answers 503, never a stack trace. */
export function sessionOrUnavailable(middleware: RequestHandler, unavailable: (res: Response) => void) {
  return (req: Request, res: Response, next: NextFunction) =>
    middleware(req, res, (error?: unknown) => (error ? unavailable(res) : next()));
}

/**
 * The signed-in operator of a console request, as a caller of the features' services: an
 * admin acting as that person, accountable by name. Refused — and the session ended — after
 * the absolute limit, or once the operator is disabled (their sessions are also deleted by the
 * database when that happens).
 */
@Injectable()
export class ConsoleSessionAuthenticator implements SessionAuthenticator {
  constructor(private readonly operators: OperatorsRepository) {}

  async authenticate(request: object): Promise<Caller> {
    const req = request as Request;
    const s = req.session;
    if (!s?.operatorId || !s.signedInAt) {
      throw securityError(SecurityErrorCode.NotSignedIn, NOT_SIGNED_IN);
    }
    if (Date.now() - s.signedInAt >= SIGN_IN_POLICY.absoluteHours * 3_600_000) {
      await endSession(req);
      throw securityError(
        SecurityErrorCode.NotSignedIn,
        `your session ended ${SIGN_IN_POLICY.absoluteHours} hours after you signed in; sign in again`,
      );
    }
    const operator = await this.operators.findById(s.operatorId);
    if (!operator?.active) {
      await endSession(req);
      throw securityError(
        SecurityErrorCode.OperatorDisabled,
        'this operator is disabled; the session has ended',
      );
    }
    const identity = {
      operatorId: operator.operatorId,
      login: operator.login,
      displayName: operator.displayName,
      roles: operator.roles,
    };
    return {
      id: consoleCallerId(operator.login),
      label: personLabel(identity),
      role: 'admin',
      via: 'console',
      operator: identity,
    };
  }
}

/** Ends the request's session, keeping nothing of it. */
export function endSession(req: Request): Promise<void> {
  return new Promise((resolve) => req.session.destroy(() => resolve()));
}

/** A new session ID for what follows (sign-in): a session fixed before cannot be taken over. */
export function renewSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) =>
    req.session.regenerate((error) => (error ? reject(error) : resolve())),
  );
}

/**
 * Stores the session now. Before a redirect that follows a change of the session: express-session
 * otherwise stores it while the response is already on its way, and the browser's next request
 * can arrive first and find the session as it was.
 */
export function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((error) => (error ? reject(error) : resolve())));
}

/** The caller ID of an operator's console requests (ConsoleSessionAuthenticator gives it). */
export const consoleCallerId = (login: string) => `console:${login}`;

/**
 * Hears operators' sessions ended by the database (an operator disabled, or their roles
 * changed) and names each operator's console caller to `ended`, so that its open streams can
 * be closed at once; the next request finds no session anyway.
 */
export function watchEndedSessions(
  pool: Pool,
  ended: (callerId: string) => void,
): { close(): Promise<void> } {
  const feed = new ChangeFeed(
    pool,
    { channels: ['vss_console_sessions_ended'], applicationName: 'gateway:console-sessions' },
    { onChange: (_channel, login) => ended(consoleCallerId(login)), onReset: () => undefined },
  );
  void feed.start();
  return { close: () => feed.close() };
}
