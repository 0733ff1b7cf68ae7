import https from 'node:https';
import type { Pool } from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { newContext } from './browser';
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

/** On the runs page, or the page the browser is on instead, with what it says. */
export async function expectOnRuns(page: Page): Promise<void> {
  const landed = new URL(page.url()).pathname;
  expect(landed === '/console/runs' ? landed : `${landed}: ${await page.textContent('main')}`).toBe(
    '/console/runs',
  );
}

/**
 * The browser of a test file: a profile per page, closed after each test (`closePages`), except
 * for the operators asked to stay signed in across tests (`{ stay: true }`).
 */
export class ConsoleBrowser {
  private readonly open: BrowserContext[] = [];
  private readonly staying = new Map<string, Page>();

  constructor(
    private readonly browser: Browser,
    private readonly baseURL: () => string,
  ) {}

  async page(): Promise<Page> {
    const context = await newContext(this.browser, this.baseURL());
    this.open.push(context);
    return context.newPage();
  }

  /** A page signed in as `person`, on the runs page. */
  async signedIn(person: ConsoleOperator, options: { stay?: boolean } = {}): Promise<Page> {
    const kept = this.staying.get(person.login);
    if (kept) return kept;
    const context = await newContext(this.browser, this.baseURL());
    if (!options.stay) this.open.push(context);
    const page = await context.newPage();
    await signIn(page, person);
    await expectOnRuns(page);
    if (options.stay) this.staying.set(person.login, page);
    return page;
  }

  async closePages(): Promise<void> {
    for (const context of this.open.splice(0)) await context.close();
  }
}
