import https from 'node:https';
import type { Pool } from 'pg';
import type { Page } from 'playwright-core';
import { OperatorCredentialsRepository, newTotpSecret, totpCode } from '@vss/authority';
import type { OperatorRole } from '@vss/domain';
import { newOperator } from '../../libs/authority/test/factories';

export interface ConsoleOperator {
  login: string;
  password: string;
  secret: string;
  roles: OperatorRole[];
  /** Sign-ins so far: each uses the next TOTP step, as a code is accepted once. */
  signIns: number;
}

/** A named operator with a console password and second factor, as enrolment leaves them. */
export async function consoleOperator(
  pool: Pool,
  roles: OperatorRole[],
  login?: string,
): Promise<ConsoleOperator> {
  const operator = await newOperator(pool, { roles, login });
  const person = {
    login: operator.login,
    password: 'correct horse battery staple',
    secret: newTotpSecret(),
    roles,
    signIns: 0,
  };
  await new OperatorCredentialsRepository(pool).provision(person.login, {
    password: person.password,
    totpSecret: person.secret,
  });
  return person;
}

/** The code an authenticator shows for the operator's next sign-in (one step on per sign-in). */
export function nextCode(person: ConsoleOperator): string {
  return totpCode(person.secret, Date.now() + person.signIns++ * 30_000);
}

/** Fills in and sends the sign-in form, as a person would. */
export async function signIn(page: Page, person: ConsoleOperator, code = nextCode(person)): Promise<void> {
  if (!page.url().includes('/console/sign-in')) await page.goto('/console/sign-in');
  await page.fill('#login', person.login);
  await page.fill('#password', person.password);
  await page.fill('#code', code);
  await submit(page, 'form[action="/console/sign-in"] button[type=submit]');
}

/** Clicks a form's button and waits for the page the browser lands on (after any redirect). */
export async function submit(page: Page, button: string): Promise<void> {
  await Promise.all([
    page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame()),
    page.click(button),
  ]);
  await page.waitForLoadState('load');
}

/** A server-sent events stream opened outside the browser, with the browser's session cookie. */
export interface EventStream {
  status: number;
  body: string;
  /** Resolves when the server has sent this much of the stream. */
  received(pattern: RegExp): Promise<void>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

export async function openEventStream(page: Page, path: string): Promise<EventStream> {
  const base = new URL(page.url());
  const cookie = (await page.context().cookies())
    .filter((c) => c.domain === base.hostname)
    .map((c) => `${c.name}=${c.value}`)
    .join('; ');
  return new Promise((resolve, reject) => {
    const request = https.request(
      new URL(path, base),
      { headers: { cookie, accept: 'text/event-stream' }, rejectUnauthorized: false },
      (response) => {
        response.setEncoding('utf8');
        let ended: () => void = () => undefined;
        const stream: EventStream = {
          status: response.statusCode ?? 0,
          body: '',
          received: (pattern) =>
            new Promise((done) => {
              const check = () => (pattern.test(stream.body) ? done() : response.once('data', check));
              check();
            }),
          ended: new Promise<void>((done) => (ended = done)),
          close: () => request.destroy(),
        };
        response.on('data', (chunk: string) => (stream.body += chunk));
        response.on('end', () => ended());
        response.on('close', () => ended());
        resolve(stream);
      },
    );
    request.on('error', reject);
    request.end();
  });
}
