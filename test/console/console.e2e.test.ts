import type { Browser, Page } from 'playwright-core';
import { OperatorCredentialsRepository, OperatorsRepository } from '@vss/authority';
import { Outcome } from '@vss/contracts';
import { ReconciliationClient } from '../../tools/cli/reconcile-client';
import { insertFixtures } from '../reconciliation/fixtures';
import { startSystem, type System } from '../reconciliation/support';
import { testCredentials } from '../support/tls';
import { roleLimits } from '../support/system';
import { ApiKeys } from '@vss/api-keys';
import { accessibilityViolations, launchBrowser, screenshot } from './browser';
import {
  ConsoleBrowser,
  type ConsoleOperator,
  consoleOperator,
  expectOnRuns,
  nextCode,
  openEventStream,
  signIn,
  submit,
} from './support';

/**
 * The operator console in Debian's chromium against the real gateway, worker and registry:
 * sign-in with password and TOTP, a run started and watched to its end without a reload, the
 * approvals inbox decided by a second person, and every refusal the console must make. Records
 * are opened by their ID, never by clicking through live lists.
 */

let system: System;
let browser: Browser;
let pages: ConsoleBrowser;

beforeAll(async () => {
  // No worker at first: a started run waits, so that its page is seen moving when one starts.
  system = await startSystem('console', {
    worker: false,
    seed: insertFixtures,
    // Two streams at once per caller: what an operator's live pages count against.
    gatewayConfig: { CALLER_LIMITS_ADMIN: roleLimits('admin', 'rate=5000,burst=5000,daily=off,streams=2') },
  });
  browser = await launchBrowser();
  pages = new ConsoleBrowser(browser, () => system.gateway.httpAddress);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

afterEach(() => pages.closePages());

const newPage = () => pages.page();
const signedIn = (person: ConsoleOperator) => pages.signedIn(person);

async function expectAccessible(page: Page): Promise<void> {
  expect(await accessibilityViolations(page)).toEqual([]);
}

describe('sign-in', () => {
  it('signs an operator in with password and TOTP, in Vietnamese by default, and names them', async () => {
    const person = await consoleOperator(system.pool, ['operator', 'reviewer']);
    const page = await newPage();
    await page.goto('/console/sign-in');
    expect(await page.getAttribute('html', 'lang')).toBe('vi');
    await expectAccessible(page);
    await screenshot(page, 'sign-in');
    await signIn(page, person);
    expect(await page.textContent('h1')).toBe('Lượt đối soát');
    expect(await page.textContent('.who')).toContain(`Operator ${person.login}`);
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === '__Host-vss-console')!;
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });
    expect(session.domain).toBe('127.0.0.1');
  });

  it('refuses a wrong code without saying which part was wrong, and locks the login after five', async () => {
    const person = await consoleOperator(system.pool, ['operator']);
    const page = await newPage();
    for (let i = 0; i < 5; i++) {
      await signIn(page, person, '000000');
      expect(await page.textContent('[role=alert]')).toContain(
        'the login, the password or the code is not right',
      );
    }
    await signIn(page, person);
    expect(await page.textContent('[role=alert]')).toMatch(/locked after 5 failed sign-ins/);
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    await new OperatorCredentialsRepository(system.pool).unlock(person.login);
    await signIn(page, person);
    await expectOnRuns(page);
  });

  it('sets a password and second factor by the one-time enrolment link, and the link works once', async () => {
    const operator = await consoleOperator(system.pool, ['reviewer']);
    const sent = await new OperatorCredentialsRepository(system.pool).sendEnrolment(operator.login);
    const page = await newPage();
    await page.goto(`/console/enrol/${sent.token}`);
    await expectAccessible(page);
    await screenshot(page, 'enrol');
    const secret = (await page.getAttribute('[data-secret]', 'data-secret'))!;
    await page.fill('#password', 'aaaaaaaaaaaaaaaa');
    await page.fill('#code', '123456');
    await submit(page, 'form button[type=submit]');
    expect(await page.textContent('#password-error')).toMatch(/at least 5 different characters/);
    const person = { ...operator, password: 'một mật khẩu đủ dài', secret, signIns: 0 };
    await page.fill('#password', person.password);
    await page.fill('#code', nextCode(person));
    await Promise.all([page.waitForURL(/sign-in\?m=enrolled/), page.click('form button[type=submit]')]);
    const again = await page.goto(`/console/enrol/${sent.token}`);
    expect(again!.status()).toBe(404);
    await signIn(page, person);
    await expectOnRuns(page);
  });

  it('sends a request without a session to sign in, and a change without the CSRF token is refused', async () => {
    const page = await newPage();
    await page.goto('/console/runs');
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    const person = await consoleOperator(system.pool, ['operator']);
    await signIn(page, person);
    await expectOnRuns(page);
    const refused = await page.request.post('/console/runs', {
      form: { scope: 'province', province_code: '001' },
      maxRedirects: 0,
    });
    expect(refused.status()).toBe(403);
    expect(await refused.text()).toMatch(/CSRF token is missing or old/);
  });

  it('signs out, after which the same browser is asked to sign in again', async () => {
    const page = await signedIn(await consoleOperator(system.pool, ['auditor']));
    await Promise.all([page.waitForURL(/m=signed-out/), page.click('.who button')]);
    await page.goto('/console/runs');
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    // In English when asked, and from then on.
    await page.goto('/console/sign-in?lang=en');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent('h1')).toBe('Sign in');
    await page.goto('/console/sign-in');
    expect(await page.textContent('label[for=code]')).toBe('Authenticator code (6 digits)');
  });

  it('ends a session unused for 15 minutes, and any session 8 hours after sign-in', async () => {
    const idle = await consoleOperator(system.pool, ['auditor']);
    const idlePage = await signedIn(idle);
    await system.pool.query(
      `UPDATE vss.console_sessions SET expire = now() - interval '1 second'
        WHERE operator_id = (SELECT operator_id FROM vss.operators WHERE login = $1)`,
      [idle.login],
    );
    await idlePage.goto('/console/runs');
    expect(new URL(idlePage.url()).pathname).toBe('/console/sign-in');
    const long = await consoleOperator(system.pool, ['auditor']);
    const longPage = await signedIn(long);
    await system.pool.query(
      `UPDATE vss.console_sessions
          SET sess = jsonb_set(sess::jsonb, '{signedInAt}', to_jsonb((extract(epoch FROM now()) * 1000)::bigint - 8 * 3600 * 1000))::json
        WHERE operator_id = (SELECT operator_id FROM vss.operators WHERE login = $1)`,
      [long.login],
    );
    await longPage.goto('/console/runs');
    expect(new URL(longPage.url()).pathname).toBe('/console/sign-in');
  });

  it("ends a disabled operator's session at once", async () => {
    const person = await consoleOperator(system.pool, ['operator']);
    const page = await signedIn(person);
    await new OperatorsRepository(system.pool).disable(person.login, 'test');
    await page.goto('/console/runs');
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
  });
});

describe('live streams', () => {
  it("counts an operator's live pages against their streams, and ends them when the operator is disabled", async () => {
    // No worker yet: the run stays queued and its page keeps its stream open.
    const run = await system.admin.startRun({ scope: { provinceCode: '048' } });
    const person = await consoleOperator(system.pool, ['operator']);
    const page = await signedIn(person);
    const path = `/console/runs/${run.runId}/events`;
    const streams = [await openEventStream(page, path), await openEventStream(page, path)];
    for (const s of streams) {
      expect(s.status).toBe(200);
      await s.received(/event: progress/);
    }
    const third = await openEventStream(page, path);
    await third.ended;
    expect(third.status).toBe(429);
    expect(third.body).toMatch(/streams/);
    await new OperatorsRepository(system.pool).disable(person.login, 'test');
    await Promise.all(streams.map((s) => s.ended));
    await system.admin.cancelRun(run.runId);
  });

  it('cancels a queued run from its page, which then says so', async () => {
    const run = await system.admin.startRun({ scope: { provinceCode: '092' } });
    const page = await signedIn(await consoleOperator(system.pool, ['operator']));
    await page.goto(`/console/runs/${run.runId}`);
    await submit(page, 'form[action$="/cancel"] button');
    expect(await page.getAttribute('#run-live', 'data-state')).toBe('CANCELLED');
    expect(await page.locator('form[action$="/cancel"]').count()).toBe(0);
    expect((await system.admin.getRun(run.runId)).state).toBe('RUN_STATE_CANCELLED');
  });
});

describe('reconciliation runs', () => {
  it('answers a bad scope next to its field with the message StartRun gives, and starts nothing', async () => {
    const page = await signedIn(await consoleOperator(system.pool, ['operator']));
    await page.check('input[name=scope][value=province]');
    await page.fill('#province_code', '099');
    const [response] = await Promise.all([
      page.waitForResponse('**/console/runs'),
      page.click('#start-run button'),
    ]);
    expect(response.status()).toBe(400);
    expect(await page.textContent('#province_code-error')).toMatch(/not one of the 63 province codes/);
    expect(await page.getAttribute('#province_code', 'aria-invalid')).toBe('true');
    expect(await page.inputValue('#province_code')).toBe('099');
    await expectAccessible(page);
  });

  it('starts a run and shows its progress pushed to the page until the end, without a reload', async () => {
    const page = await signedIn(await consoleOperator(system.pool, ['operator', 'reviewer']));
    await page.check('input[name=scope][value=all]');
    await Promise.all([page.waitForURL(/\/console\/runs\/[0-9a-f-]{36}$/), page.click('#start-run button')]);
    const runId = page.url().split('/').pop()!;
    expect(await page.getAttribute('#run-live', 'data-state')).toBe('QUEUED');
    await page.evaluate(() => ((globalThis as unknown as { unreloaded: boolean }).unreloaded = true));
    await system.startWorker();
    await page.waitForSelector('#run-live[data-state="COMPLETED"]', { timeout: 60_000 });
    expect(await page.evaluate(() => (globalThis as unknown as { unreloaded?: boolean }).unreloaded)).toBe(
      true,
    );
    expect(await page.textContent('#run-state')).toBe('Hoàn thành');
    expect(await page.locator('#run-counts tbody tr').count()).toBeGreaterThan(0);
    await page.waitForSelector('#run-provinces table');
    const run = await system.admin.getRun(runId);
    expect(await page.textContent('#run-processed')).toBe(
      Number(run.recordsProcessed).toLocaleString('vi-VN'),
    );
    await expectAccessible(page);
    await screenshot(page, 'run');
    await page.goto('/console/runs');
    await expectAccessible(page);
    await screenshot(page, 'runs');
  });

  it('shows an auditor the runs without the start form, and refuses their start', async () => {
    const page = await signedIn(await consoleOperator(system.pool, ['auditor']));
    expect(await page.locator('#start-run').count()).toBe(0);
    const csrf = await page.getAttribute('input[name=_csrf]', 'value');
    const refused = await page.request.post('/console/runs', {
      form: { _csrf: csrf!, scope: 'all' },
      maxRedirects: 0,
    });
    expect(refused.status()).toBe(403);
    expect(await refused.text()).toMatch(/needs the operator role/);
  });

  it('keeps what was typed when the session ended, and asks to sign in again', async () => {
    const person = await consoleOperator(system.pool, ['operator']);
    const page = await signedIn(person);
    await page.check('input[name=scope][value=province]');
    await page.fill('#province_code', '079');
    await system.pool.query(
      `DELETE FROM vss.console_sessions WHERE sess ->> 'operatorId' IS NOT NULL
                             AND operator_id = (SELECT operator_id FROM vss.operators WHERE login = $1)`,
      [person.login],
    );
    await Promise.all([page.waitForURL(/sign-in\?m=ended/), page.click('#start-run button')]);
    expect(await page.textContent('[role=status]')).toMatch(/Phiên làm việc đã kết thúc/);
    await signIn(page, person);
    await expectOnRuns(page);
    expect(await page.inputValue('#province_code')).toBe('079');
  });
});

describe('approvals', () => {
  beforeAll(async () => {
    await system.startWorker();
  });

  it('lets a second person approve what one asked, shows the requester their own request without the buttons', async () => {
    const requester = await consoleOperator(system.pool, ['operator', 'approver']);
    const approver = await consoleOperator(system.pool, ['approver', 'auditor']);
    const key = (
      await new ApiKeys(system.pool).issue({ role: 'admin', label: 'k', operatorLogin: requester.login })
    ).apiKey;
    const client = new ReconciliationClient(system.gateway.grpcAddress, key, testCredentials());
    const run = await system.runToEnd({ scope: { provinceCode: '040' }, findMissingIdCandidates: false });
    const held = await client.applyFindings({
      runId: run.runId,
      outcomes: [Outcome.OUTCOME_DECEASED_BUT_ACTIVE],
    });
    expect(held.awaitingApproval).toBe(true);

    const own = await signedIn(requester);
    await own.goto(`/console/approvals/${held.approvalId}`);
    expect(await own.textContent('[role=status]')).toMatch(/chính bạn/);
    expect(await own.locator('button[value=approve]').count()).toBe(0);
    const csrf = await own.getAttribute('input[name=_csrf]', 'value');
    const refused = await own.request.post(`/console/approvals/${held.approvalId}/decide`, {
      form: { _csrf: csrf!, decision: 'approve', note: 'mine' },
      maxRedirects: 0,
    });
    expect(refused.status()).toBe(403);
    expect(await refused.text()).toMatch(/you asked for this yourself/);

    const page = await signedIn(approver);
    await page.goto('/console/approvals');
    await expectAccessible(page);
    await screenshot(page, 'approvals');
    await page.goto(`/console/approvals/${held.approvalId}`);
    // The evidence: the deaths it would record, each a link to the finding side by side.
    expect(await page.textContent('#evidence')).toContain('4000000010');
    await expectAccessible(page);
    await screenshot(page, 'approval');
    await submit(page, 'button[value=reject]');
    expect(await page.textContent('#note-error')).toMatch(/note is required|is required/);
    await page.fill('#note', 'Đã đối chiếu với CSDL dân cư');
    await Promise.all([
      page.waitForURL(`**/console/approvals/${held.approvalId}`),
      page.click('button[value=approve]'),
    ]);
    expect(await page.textContent('#approval-state')).toBe('Đã phê duyệt');
    expect(await page.textContent('#approval-outcome')).toMatch(
      /^queued for the worker: application \S+ applies 1 finding/,
    );
  });

  it('refuses the approvals inbox to an operator who is neither approver nor auditor', async () => {
    const page = await signedIn(await consoleOperator(system.pool, ['operator']));
    const response = await page.goto('/console/approvals');
    expect(response!.status()).toBe(403);
    expect(await page.textContent('[role=alert]')).toMatch(
      /needs the approver, auditor or security-admin role/,
    );
  });
});
