import 'reflect-metadata';
import * as grpc from '@grpc/grpc-js';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { loadSigningKey, signCheckpoint } from '@vss/audit';
import { PKI_FILES } from '@vss/pki';
import { makeCitizenId } from '@vss/domain';
import { serviceClient, unary } from '@vss/registry-client';
import { birthRequest, type Stack, startStack } from '../civil-events/support';
import { waitFor } from '../support/polling';
import { pkiFile, testCredentials } from '../support/tls';
import { accessibilityViolations, launchBrowser, screenshot } from './browser';
import { ConsoleBrowser, type ConsoleOperator, consoleOperator, submit } from './support';

/**
 * The oversight pages in Debian's chromium against the real gateway, worker and registry: a
 * stuck procedure retried and seen to complete without a reload, one in review resolved with a
 * note, a clinic's gRPC lookup found on the person's page (and the page's own reading after a
 * reload), the access report printed, the audit chain verified, and the overview's counters
 * moving under a lookup load. Pages are opened by address, elements by their ID.
 */

let stack: Stack;
let browser: Browser;
let pages: ConsoleBrowser;
let officer: ConsoleOperator;
let auditor: ConsoleOperator;
let coverage: grpc.Client;
let securityAdmin: ConsoleOperator;
let secondAdmin: ConsoleOperator;

const COVERED = '001085012345';

beforeAll(async () => {
  // No worker at first: a birth accepted stays ACCEPTED until one starts.
  stack = await startStack('oversight', {
    worker: false,
    // This gateway holds the CA's key: the callers page signs certificate requests. It signs no
    // tree head by itself: the audit chain's test signs one when it wants one.
    gatewayConfig: { CONSOLE_CA_KEY_FILE: pkiFile(PKI_FILES.caKey), AUDIT_CHECKPOINT_SECONDS: 0 },
  });
  await stack.pool.query(`
    INSERT INTO vss.participants (social_insurance_code, citizen_id, full_name, date_of_birth, gender, province_code)
      VALUES ('0100000001', '${COVERED}', 'Nguyễn Văn An', '1985-03-12', 'M', '001');
    INSERT INTO vss.hi_cards (social_insurance_code, object_group, benefit_level_percent, valid_from, valid_to,
        primary_care_facility_code, suspended)
      VALUES ('0100000001', 'DN', 80, '2020-01-01', '2099-12-31', '01001', false)`);
  browser = await launchBrowser();
  pages = new ConsoleBrowser(browser, () => stack.gateway.httpAddress);
  officer = await consoleOperator(stack.pool, ['operator']);
  auditor = await consoleOperator(stack.pool, ['auditor']);
  securityAdmin = await consoleOperator(stack.pool, ['security-admin']);
  secondAdmin = await consoleOperator(stack.pool, ['security-admin', 'auditor']);
  const Coverage = serviceClient(['vss/gateway/v1/coverage.proto'], 'vss.gateway.v1.CoverageService');
  coverage = new Coverage(stack.gateway.grpcAddress, testCredentials());
}, 120_000);

afterAll(async () => {
  coverage?.close();
  await browser?.close();
  await stack?.stop();
});

afterEach(() => pages.closePages());

/** Each operator stays signed in across tests (a TOTP code is accepted once). */
const signedIn = (person: ConsoleOperator) => pages.signedIn(person, { stay: true });

async function expectAccessible(page: Page): Promise<void> {
  expect(await accessibilityViolations(page)).toEqual([]);
}

let serial = 40_000;
async function acceptedBirth(): Promise<string> {
  serial += 1;
  const accepted = await stack.submitBirth(
    birthRequest({
      citizenId: makeCitizenId({ provinceCode: '001', gender: 'MALE', birthYear: 2025, serial }),
      fullName: 'Trần Văn Bình',
      dateOfBirth: '2025-05-01',
      gender: 'M',
    }),
  );
  return accepted.procedureId;
}

/** Takes a procedure's job away, as a queue that spent its retries does, a while ago. */
async function strand(procedureId: string): Promise<void> {
  await stack.pool.query(`DELETE FROM pgboss.job WHERE data->>'procedureId' = $1`, [procedureId]);
  await stack.pool.query(
    `UPDATE vss.procedures SET updated_at = now() - interval '5 minutes' WHERE procedure_id = $1`,
    [procedureId],
  );
}

function lookUp(citizenId: string, apiKey = stack.keys.clinic): Promise<unknown> {
  const metadata = new grpc.Metadata();
  metadata.set('x-api-key', apiKey);
  return unary(
    coverage,
    'lookupCoverage',
    { citizenId, facilityCode: '01001' },
    { deadlineMs: 10_000, metadata },
  );
}

/** The gRPC status a call ended with (0 when it succeeded). */
async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return grpc.status.OK;
  } catch (error) {
    return (error as grpc.ServiceError).code;
  }
}

describe('procedures', () => {
  it('shows a stuck procedure in the queue; Retry starts it again and its page follows it to COMPLETED', async () => {
    const id = await acceptedBirth();
    await strand(id);
    const page = await signedIn(officer);
    await page.goto('/console/procedures');
    expect(await page.locator(`#queue-stuck a[href="/console/procedures/${id}"]`).count()).toBe(1);
    expect(await page.locator('#procedure-counts tbody tr').count()).toBeGreaterThan(0);
    await expectAccessible(page);
    await screenshot(page, 'procedures');

    await page.goto(`/console/procedures/${id}`);
    expect(await page.getAttribute('#procedure-state', 'data-state')).toBe('ACCEPTED');
    await submit(page, '#retry');
    expect(new URL(page.url()).pathname).toBe(`/console/procedures/${id}`);
    // A worker takes the new job; the page is told of each step without a reload.
    await stack.startWorker();
    await page.waitForSelector('#procedure-state[data-state="COMPLETED"]', { timeout: 30_000 });
    // Settled: Retry and Resolve are gone from the page without a reload.
    expect(await page.locator('#retry').count()).toBe(0);
    // Every step's attempt is on the timeline, ended, with its duration.
    const results = await page.$$eval('#timeline tbody td[class^="result-"]', (tds) =>
      tds.map((td) => td.className),
    );
    expect(results.length).toBeGreaterThanOrEqual(3);
    expect(results.every((c) => c === 'result-done' || c === 'result-skipped')).toBe(true);
    await expectAccessible(page);
    await screenshot(page, 'procedure');
    const audit = await stack.pool.query(
      `SELECT caller FROM vss.audit_events WHERE action = 'civil-event.procedure.retry' AND detail->>'procedureId' = $1`,
      [id],
    );
    expect(audit.rows.map((r) => r.caller)).toEqual([expect.stringContaining(officer.login)]);
  });

  it('resolves a procedure in review only with a note, named beside the field', async () => {
    const id = await acceptedBirth();
    await stack.pool.query(`DELETE FROM pgboss.job WHERE data->>'procedureId' = $1`, [id]);
    await stack.pool.query(
      `UPDATE vss.procedures SET state = 'NEEDS_REVIEW', review_reason = 'the registry refused the residence'
        WHERE procedure_id = $1`,
      [id],
    );
    const page = await signedIn(officer);
    await page.goto('/console/procedures?lang=en');
    expect(await page.textContent(`#queue-review`)).toContain('the registry refused the residence');
    await page.goto(`/console/procedures/${id}`);
    await submit(page, '#resolve');
    expect(await page.getAttribute('#note', 'aria-invalid')).toBe('true');
    expect(await page.textContent('#note-error')).toContain('is required');
    await page.fill('#note', 'Registered by hand with the ward; nothing more to do.');
    await submit(page, '#resolve');
    expect(await page.getAttribute('#procedure-state', 'data-state')).toBe('RESOLVED');
    expect(await page.locator('#resolve').count()).toBe(0);
  });

  it('refuses Retry to an auditor: the page shows, the action does not', async () => {
    const id = await acceptedBirth();
    const page = await signedIn(auditor);
    await page.goto(`/console/procedures/${id}`);
    expect(await page.locator('#retry').count()).toBe(0);
    const refused = await page.request.post(`/console/procedures/${id}/retry`, {
      form: { _csrf: (await page.getAttribute('input[name=_csrf]', 'value')) ?? '' },
      maxRedirects: 0,
    });
    expect(refused.status()).toBe(403);
  });
});

describe("a person's page", () => {
  it('shows a clinic’s lookup in the access history, and its own reading after a reload', async () => {
    await lookUp(COVERED);
    const page = await signedIn(auditor);
    await page.goto('/console/people');
    await page.fill('#citizen_id', COVERED);
    await submit(page, '#person-search button[type=submit]');
    // The ID is in the session, not the address.
    expect(page.url()).not.toContain(COVERED);
    expect(await page.getAttribute('#coverage-status', 'data-status')).toBe('COVERED');
    const first = page.locator('#access-history tbody tr').first();
    expect(await first.getAttribute('data-action')).toBe('coverage.lookup');
    expect(await first.textContent()).toContain('01001');
    await expectAccessible(page);
    await screenshot(page, 'person');

    await page.reload();
    const newest = page.locator('#access-history tbody tr').first();
    expect(await newest.getAttribute('data-action')).toBe('console.person.view');
    expect(await newest.textContent()).toContain(auditor.login);
  });

  it('refuses an ID that is not a citizen ID, naming the field, and reads nothing', async () => {
    const page = await signedIn(auditor);
    await page.goto('/console/people?lang=en');
    await page.fill('#citizen_id', '12345');
    await submit(page, '#person-search button[type=submit]');
    expect(await page.getAttribute('#citizen_id', 'aria-invalid')).toBe('true');
    expect(await page.textContent('#citizen_id-error')).toContain('citizen_id');
  });

  it('pages the access history exactly: every access once, newest first', async () => {
    const person = makeCitizenId({ provinceCode: '001', gender: 'FEMALE', birthYear: 1990, serial: 777 });
    for (let i = 0; i < 60; i++) await lookUp(person);
    const page = await signedIn(auditor);
    await page.goto('/console/people');
    await page.fill('#citizen_id', person);
    await submit(page, '#person-search button[type=submit]');
    // The page is this person's (a page of another, or the search form again, says so here).
    expect({ url: page.url(), shows: (await page.textContent('main'))?.includes(person) }).toEqual({
      url: expect.stringContaining('/console/people/view'),
      shows: true,
    });
    const seen: string[] = [];
    for (;;) {
      seen.push(
        ...(await page.$$eval('#access-history tbody tr td.receipt code:first-child', (cells) =>
          cells.map((c) => c.textContent ?? ''),
        )),
      );
      const next = page.locator('#history-next');
      if ((await next.count()) === 0) break;
      await Promise.all([page.waitForLoadState('load'), next.click()]);
      await page.waitForSelector('#history-first');
    }
    const { rows } = await stack.pool.query<{ seq: string }>(
      `SELECT seq::text FROM vss.audit_events WHERE subject_citizen_id = $1
        ORDER BY occurred_at DESC, event_id DESC`,
      [person],
    );
    // Each page's reading is recorded as it is served; the walk saw what was there at each page.
    const lookups = rows.map((r) => r.seq).filter((s) => seen.includes(s));
    expect(new Set(seen).size).toBe(seen.length);
    expect(lookups.length).toBeGreaterThanOrEqual(60);
    expect(seen.map(Number)).toEqual([...seen.map(Number)].sort((a, b) => b - a));
  });

  it('prints the access report with each entry’s receipt and the last checkpoint', async () => {
    await lookUp(COVERED);
    const page = await signedIn(auditor);
    await page.goto('/console/people');
    await page.fill('#citizen_id', COVERED);
    await submit(page, '#person-search button[type=submit]');
    await page.goto('/console/people/report');
    expect(await page.textContent('#report-citizen')).toBe(COVERED);
    const receipts = await page.$$eval('#report-accesses tbody td.receipt', (tds) =>
      tds.map((td) => td.textContent ?? ''),
    );
    expect(receipts.length).toBeGreaterThan(1);
    expect(receipts.every((r) => /[0-9]+\s+[0-9a-f]{64}/.test(r.trim()))).toBe(true);
    expect(await page.locator('#report-checkpoint').count()).toBe(1);
    await expectAccessible(page);
    await screenshot(page, 'access-report');
    // Printed: the navigation and buttons are left off the paper.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header').isVisible()).toBe(false);
    expect(await page.locator('#print').isVisible()).toBe(false);
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 4).toString()).toBe('%PDF');
    const printed = await stack.pool.query(
      `SELECT count(*)::int AS n FROM vss.audit_events WHERE action = 'console.person.report' AND subject_citizen_id = $1`,
      [COVERED],
    );
    expect(printed.rows[0].n).toBeGreaterThanOrEqual(1);
  });
});

describe('the audit chain', () => {
  it('verifies the chain on demand with its progress: unanchored before a tree head is signed, then intact', async () => {
    await lookUp(COVERED);
    const page = await signedIn(auditor);
    const verified = async () => {
      const shown = await page.goto('/console/audit');
      expect(shown?.status() === 200 ? 200 : await page.textContent('main')).toBe(200);
      expect(Number((await page.textContent('#head-seq'))!.replace(/\D/g, ''))).toBeGreaterThan(0);
      await page.click('#verify-start');
      await page.waitForSelector('#verify-result', { timeout: 30_000 });
      return page.getAttribute('#verify-result', 'data-intact');
    };
    expect(await verified()).toBe('unanchored');
    expect(await page.textContent('#verify-result')).toMatch(/no signed checkpoint to trust/);
    await signCheckpoint(stack.pool, loadSigningKey(readFileSync(pkiFile('audit-signing.key'), 'utf8')));
    expect(await verified()).toBe('true');
    expect(await page.textContent('#checkpoints')).toMatch(/[0-9a-f]{64}/);
    await expectAccessible(page);
    await screenshot(page, 'audit');
  });

  it('is not shown to an operator without the auditor role', async () => {
    const page = await signedIn(officer);
    const response = await page.goto('/console/audit');
    expect(response?.status()).toBe(403);
  });
});

describe('the overview', () => {
  it('moves its lookup counter while a load runs, pushed without a reload', async () => {
    const page = await signedIn(auditor);
    await page.goto('/console/overview');
    await expectAccessible(page);
    const read = async () => Number((await page.textContent('#lookups-answered'))!.replace(/\D/g, ''));
    const before = await read();
    const load = (async () => {
      for (let i = 0; i < 200; i++) await lookUp(COVERED);
    })();
    await waitFor('the overview to count the lookups', async () => (await read()) > before, {
      timeoutMs: 30_000,
      everyMs: 500,
    });
    await load;
    expect(await page.locator('#tile-procedures a[href="/console/procedures"]').count()).toBe(1);
    await screenshot(page, 'overview');
  });
});

describe('callers', () => {
  it('issues a clinic key that works through gRPC; revoked in the console, the next call is refused', async () => {
    const page = await signedIn(securityAdmin);
    await page.goto('/console/callers?tab=keys');
    await page.selectOption('#role', 'clinic');
    await page.fill('#facility_code', '01001');
    await page.fill('#label', 'reception desk 3');
    await submit(page, '#issue');
    const apiKey = (await page.textContent('#issued-key'))!.trim();
    const keyId = (await page.textContent('#issued-key-id'))!.trim();
    expect(await statusOf(lookUp(COVERED, apiKey))).toBe(grpc.status.OK);
    // Its last use is noted (as the gateway checked it) and listed.
    await waitFor('the key’s last use', async () =>
      (
        await stack.pool.query(`SELECT 1 FROM vss.api_keys WHERE key_id = $1 AND last_used_at IS NOT NULL`, [
          keyId,
        ])
      ).rowCount
        ? true
        : undefined,
    );
    await page.goto(`/console/callers?tab=keys&q=${keyId}`);
    expect((await page.textContent(`#keys tr[data-key="${keyId}"] td:nth-child(7)`))!.trim()).toMatch(
      /^\d{4}-\d{2}-\d{2} /,
    );
    await expectAccessible(page);
    await screenshot(page, 'callers');

    await submit(page, `#revoke-${keyId}`);
    expect(await page.textContent('#change')).toContain(keyId);
    expect(await statusOf(lookUp(COVERED, apiKey))).toBe(grpc.status.UNAUTHENTICATED);
    const audit = await stack.pool.query(
      `SELECT action, caller FROM vss.audit_events WHERE action LIKE 'caller.key.%' AND detail->>'keyId' = $1 ORDER BY seq`,
      [keyId],
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['caller.key.issue', 'caller.key.revoke']);
    expect(audit.rows.every((r) => String(r.caller).includes(securityAdmin.login))).toBe(true);
  });

  it('holds an admin key until a second security administrator approves it', async () => {
    const page = await signedIn(securityAdmin);
    await page.goto('/console/callers?tab=keys');
    await page.selectOption('#role', 'admin');
    await page.fill('#operator_login', auditor.login);
    await page.fill('#label', 'audit laptop');
    await submit(page, '#issue');
    const apiKey = (await page.textContent('#issued-key'))!.trim();
    const approvalHref = await page.getAttribute('#change-approval', 'href');
    expect(approvalHref).toMatch(/^\/console\/approvals\//);
    const history = () => {
      const metadata = new grpc.Metadata();
      metadata.set('x-api-key', apiKey);
      return unary(coverage, 'listAccessHistory', { citizenId: COVERED }, { deadlineMs: 10_000, metadata });
    };
    expect(await statusOf(history())).toBe(grpc.status.UNAUTHENTICATED);
    // The one who asked cannot decide it.
    await page.goto(approvalHref!);
    expect(await page.locator('button[value=approve]').count()).toBe(0);

    const second = await signedIn(secondAdmin);
    await second.goto(approvalHref!);
    await submit(second, 'button[value=approve]');
    expect(await statusOf(history())).toBe(grpc.status.OK);
  });

  it('grants the security-admin role only through a second security administrator', async () => {
    const page = await signedIn(securityAdmin);
    await page.goto('/console/callers?tab=operators');
    await page.fill('#login', 'new.admin');
    await page.fill('#display_name', 'Đặng Thị Mai');
    await page.check('#new-auditor');
    await page.check('#new-security-admin');
    await submit(page, '#add');
    expect(await page.textContent('#enrolment-link')).toContain('/console/enrol/');
    const approvalHref = await page.getAttribute('#change-approval', 'href');
    const roles = async () =>
      (await stack.pool.query(`SELECT roles FROM vss.operators WHERE login = 'new.admin'`)).rows[0].roles;
    expect(await roles()).toEqual(['auditor']);
    const second = await signedIn(secondAdmin);
    await second.goto(approvalHref!);
    await submit(second, 'button[value=approve]');
    expect((await roles()).sort()).toEqual(['auditor', 'security-admin']);
  });

  it('issues a client certificate from a request; the calling system uses it, until it is revoked', async () => {
    // The clinic's system makes its own key and request: the key never reaches the gateway.
    x509.cryptoProvider.set(webcrypto as never);
    const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ])) as webcrypto.CryptoKeyPair;
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({
      name: 'CN=his',
      keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    });
    const key = x509.PemConverter.encode(
      await webcrypto.subtle.exportKey('pkcs8', keys.privateKey),
      'PRIVATE KEY',
    );

    const page = await signedIn(securityAdmin);
    await page.goto('/console/callers?tab=certificates');
    await page.fill('#cert-facility', '01001');
    await page.fill('#member', 'BV-01001');
    await page.fill('#subsystem', 'his');
    await page.fill('#csr', 'not a request');
    await submit(page, '#issue-cert');
    expect(await page.textContent('#change-error')).toContain('csr');
    expect(await page.inputValue('#member')).toBe('BV-01001');
    // A system's own subject is never a caller's (the registry serves VSS/gateway by its name).
    await page.fill('#member', 'VSS');
    await page.fill('#subsystem', 'gateway');
    await page.fill('#csr', csr.toString('pem'));
    await submit(page, '#issue-cert');
    expect(await page.textContent('#change-error')).toContain("a system's own subject");
    await page.fill('#member', 'BV-01001');
    await page.fill('#subsystem', 'his');
    await page.fill('#csr', csr.toString('pem'));
    await submit(page, '#issue-cert');
    const cert = await page.inputValue('#issued-certificate');
    const serial = (await page.textContent('#issued-serial'))!.trim();
    expect(cert).toContain('BEGIN CERTIFICATE');
    await expectAccessible(page);

    const Coverage = serviceClient(['vss/gateway/v1/coverage.proto'], 'vss.gateway.v1.CoverageService');
    const mtls = new Coverage(stack.gateway.grpcAddress, testCredentials({ cert, key }));
    const lookUpByCertificate = () =>
      unary(mtls, 'lookupCoverage', { citizenId: COVERED, facilityCode: '01001' }, { deadlineMs: 10_000 });
    try {
      expect(await statusOf(lookUpByCertificate())).toBe(grpc.status.OK);
      await page.goto('/console/callers?tab=certificates');
      await submit(page, `#revoke-cert-${serial}`);
      expect(await page.textContent('#change')).toContain(serial);
      await waitFor('the revoked certificate to be refused', async () =>
        (await statusOf(lookUpByCertificate())) === grpc.status.UNAUTHENTICATED ? true : undefined,
      );
    } finally {
      mtls.close();
    }
  });

  it('shows operators, limits, facilities and offices, each page accessible', async () => {
    const page = await signedIn(securityAdmin);
    for (const tab of ['operators', 'limits', 'offices']) {
      await page.goto(`/console/callers?tab=${tab}&lang=en`);
      expect(await accessibilityViolations(page)).toEqual([]);
    }
    await page.goto('/console/callers?tab=offices&province=001');
    expect(await page.locator('#facilities tbody tr').count()).toBeGreaterThan(0);
    expect(await page.textContent('#offices')).toContain('UBND-001-00001');
    await page.goto('/console/callers?tab=operators');
    expect(await page.locator(`#operators tr[data-operator="${auditor.login}"]`).count()).toBe(1);
    const search = await signedIn(auditor);
    await search.goto('/console/people');
    await expectAccessible(search);
  });

  it('refuses every caller change to an operator who is not a security administrator', async () => {
    const page = await signedIn(officer);
    expect((await page.goto('/console/callers'))?.status()).toBe(403);
    await page.goto('/console/runs');
    const csrf = (await page.getAttribute('input[name=_csrf]', 'value')) ?? '';
    for (const path of [
      '/console/callers/keys',
      '/console/callers/keys/abcdefabcdef/revoke',
      '/console/callers/keys/abcdefabcdef/rotate',
      '/console/callers/certificates',
      '/console/callers/certificates/0a1b/revoke',
      '/console/callers/operators',
      `/console/callers/operators/${auditor.login}/roles`,
      `/console/callers/operators/${auditor.login}/disable`,
      `/console/callers/operators/${auditor.login}/enrol`,
    ]) {
      const refused = await page.request.post(path, {
        form: { _csrf: csrf, role: 'admin', roles: 'security-admin', login: 'x', label: 'x' },
        maxRedirects: 0,
      });
      expect([path, refused.status()]).toEqual([path, 403]);
    }
  });
});
