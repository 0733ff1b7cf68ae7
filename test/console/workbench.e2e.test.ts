import type { Browser } from 'playwright-core';
import { insertFixtures } from '../reconciliation/fixtures';
import { startSystem, type System } from '../reconciliation/support';
import { accessibilityViolations, launchBrowser, screenshot } from './browser';
import { ConsoleBrowser, type ConsoleOperator, consoleOperator, submit } from './support';

/**
 * The review workbench in chromium against the real gateway, worker and registry: a finding
 * opened by its ID side by side with the registry's record and its match-weight waterfall,
 * decided with the keyboard, in bulk by filter, held by the reviewer who opened it, refused to
 * an auditor, exported as CSV; and a rejected pair not proposed again by the next run.
 */

let system: System;
let browser: Browser;
let runId: string;
let alice: ConsoleOperator;
let pages: ConsoleBrowser;

beforeAll(async () => {
  system = await startSystem('workbench', { seed: insertFixtures });
  browser = await launchBrowser();
  pages = new ConsoleBrowser(browser, () => system.gateway.httpAddress);
  runId = (await system.runToEnd({ scope: { all: true }, findMissingIdCandidates: true })).runId;
  alice = await consoleOperator(system.pool, ['reviewer']);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

afterEach(() => pages.closePages());

/** Alice stays signed in across tests: what she opens is hers to decide. */
const signedIn = (person: ConsoleOperator) => pages.signedIn(person, { stay: person === alice });

/** The finding of `sic` with `outcome` in `run`. */
async function findingOf(sic: string, outcome: string, run = runId): Promise<string> {
  const { rows } = await system.pool.query(
    `SELECT finding_id::text AS id FROM vss.reconciliation_findings
      WHERE run_id = $1 AND social_insurance_code = $2 AND outcome = $3`,
    [run, sic, outcome],
  );
  expect(rows).toHaveLength(1);
  return rows[0].id;
}

const reviewer = () => consoleOperator(system.pool, ['reviewer']);

it('shows a mismatch side by side, the differing field marked, with its waterfall adding up', async () => {
  const id = await findingOf('3100000006', 'FIELD_MISMATCH');
  const page = await signedIn(alice);
  await page.goto(`/console/findings/${id}`);
  const name = page.locator('#side-by-side tr[data-field="fullName"]');
  expect(await name.locator('td').nth(0).textContent()).toContain('Phạm Minh Tấn');
  expect(await name.locator('td').nth(1).textContent()).toContain('Phạm Minh Tuấn');
  expect(await name.locator('td.differs').count()).toBe(1);
  expect(await page.locator('#side-by-side tr[data-field="dateOfBirth"] td.differs').count()).toBe(0);
  // The waterfall: the name's level is the one the run stored as evidence, and the final weight
  // is the prior plus every step's weight.
  const { rows } = await system.pool.query(
    'SELECT evidence FROM vss.reconciliation_findings WHERE finding_id = $1',
    [id],
  );
  const nameLevel = rows[0].evidence.find((e: { field: string }) => e.field === 'full_name').level;
  expect(await page.textContent('.waterfall-table tr[data-comparison="full_name"] td')).toBe(nameLevel);
  const numbers = await page.$$eval('.waterfall-table tbody tr', (trs) =>
    trs.map((tr) => [tr.children[4]?.textContent ?? '', tr.children[5]?.textContent ?? '']),
  );
  const bits = (s: string) => (s.trim() ? Number(s.replace('−', '-').replace('+', '')) : 0);
  const sum = numbers.reduce((acc, [w, tf]) => acc + bits(w) + bits(tf), 0);
  expect(Math.abs(sum - bits((await page.textContent('.final-weight'))!))).toBeLessThan(0.05);
  expect(await accessibilityViolations(page)).toEqual([]);
  await screenshot(page, 'finding');
});

it('accepts a finding with the keyboard and applies it to the record; the next one opens', async () => {
  const id = await findingOf('3100000006', 'FIELD_MISMATCH');
  const page = await signedIn(alice);
  await page.goto(`/console/findings/${id}?run=${runId}&outcome=FIELD_MISMATCH&province=031&state=open`);
  await Promise.all([page.waitForURL((url) => !url.pathname.endsWith(`/${id}`)), page.keyboard.press('a')]);
  const { rows } = await system.pool.query(
    "SELECT full_name FROM vss.participants WHERE social_insurance_code = '3100000006'",
  );
  expect(rows[0].full_name).toBe('Phạm Minh Tuấn');
  expect(await page.textContent('[role=status]')).toMatch(/Đã chấp nhận: 1/);
  const decided = await system.pool.query(
    'SELECT decision, decided_by FROM vss.finding_reviews WHERE finding_id = $1',
    [id],
  );
  expect(decided.rows[0].decision).toBe('ACCEPTED');
});

it('holds a finding for the reviewer who opened it: another sees who has it and cannot decide it', async () => {
  const id = await findingOf('0100000018', 'NOT_IN_REGISTRY');
  const first = await signedIn(await reviewer());
  await first.goto(`/console/findings/${id}`);
  expect(await first.locator('#decide').count()).toBe(1);
  const second = await signedIn(await reviewer());
  await second.goto(`/console/findings/${id}`);
  expect(await second.locator('#decide').count()).toBe(0);
  expect(await second.textContent('#review-state')).toMatch(/Đang được xem bởi/);
  const csrf = await second.getAttribute('input[name=_csrf]', 'value');
  const refused = await second.request.post(`/console/findings/${id}/decide`, {
    form: { _csrf: csrf!, decision: 'accept', note: '' },
    maxRedirects: 0,
  });
  expect(refused.status()).toBe(412);
  const said = await refused.text();
  expect(said.slice(said.indexOf('<main'))).toMatch(/is open with/);
});

it("refuses an auditor's decision, while showing them the findings", async () => {
  const id = await findingOf('3600000008', 'FIELD_MISMATCH');
  const page = await signedIn(await consoleOperator(system.pool, ['auditor']));
  await page.goto(`/console/findings/${id}`);
  expect(await page.locator('#decide').count()).toBe(0);
  const csrf = await page.getAttribute('input[name=_csrf]', 'value');
  const refused = await page.request.post(`/console/findings/${id}/decide`, {
    form: { _csrf: csrf!, decision: 'accept' },
    maxRedirects: 0,
  });
  expect(refused.status()).toBe(403);
  expect(await refused.text()).toMatch(/needs the reviewer role/);
});

it('rejects a finding with a note, the note asked for first', async () => {
  const id = await findingOf('3600000007', 'FIELD_MISMATCH');
  const page = await signedIn(alice);
  await page.goto(`/console/findings/${id}`);
  await submit(page, '#reject');
  expect(await page.textContent('#note-error')).toMatch(/note is required/);
  await page.keyboard.press('r'); // with the note empty: to the note
  expect(
    await page.evaluate(
      () =>
        (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id,
    ),
  ).toBe('note');
  await page.fill('#note', 'Ngày và tháng sinh đảo chỗ trong CSDL; đã xác minh với người dân');
  await page.locator('#note').blur();
  const elsewhere = (url: URL) => !new RegExp(`/findings/${id}(/|$)`).test(url.pathname);
  await Promise.all([page.waitForURL(elsewhere), page.keyboard.press('r')]);
  const { rows } = await system.pool.query(
    'SELECT decision, note FROM vss.finding_reviews WHERE finding_id = $1',
    [id],
  );
  expect(rows[0]).toEqual({
    decision: 'REJECTED',
    note: 'Ngày và tháng sinh đảo chỗ trong CSDL; đã xác minh với người dân',
  });
});

it('accepts every open finding of a filter at once, leaving what another reviewer has open, and counts them reviewed', async () => {
  // Alice has 3600000008 open; another reviewer's bulk decision leaves it to her.
  const held = await findingOf('3600000008', 'FIELD_MISMATCH');
  const mine = await signedIn(alice);
  await mine.goto(`/console/findings/${held}`);
  expect(await mine.locator('#decide').count()).toBe(1);
  const filterUrl = `/console/findings?run=${runId}&outcome=FIELD_MISMATCH&province=036&state=open`;
  const other = await signedIn(await reviewer());
  await other.goto(filterUrl);
  expect(await other.locator('#findings tbody tr').count()).toBe(1);
  await other.fill('#bulk-note', 'Đối chiếu hàng loạt tỉnh 036');
  await submit(other, '#bulk button[value=accept]');
  expect(await other.textContent('[role=status]')).toMatch(/Đã chấp nhận: 0/);

  await mine.goto(filterUrl);
  expect(await accessibilityViolations(mine)).toEqual([]);
  await screenshot(mine, 'findings');
  await mine.fill('#bulk-note', 'Đối chiếu hàng loạt tỉnh 036');
  await submit(mine, '#bulk button[value=accept]');
  expect(await mine.textContent('[role=status]')).toMatch(/Đã chấp nhận: 1/);
  expect(await mine.locator('#findings tbody tr').count()).toBe(0);
  const progress = await mine.textContent('#review-progress');
  const { rows } = await system.pool.query(
    `SELECT count(*) FILTER (WHERE r.decision IS NOT NULL OR f.applied_at IS NOT NULL)::int AS decided,
            count(*)::int AS total
       FROM vss.reconciliation_findings f LEFT JOIN vss.finding_reviews r USING (finding_id) WHERE f.run_id = $1`,
    [runId],
  );
  expect(progress!.replace(/\s+/g, ' ')).toContain(`${rows[0].decided} trên ${rows[0].total}`);
});

it('exports the filtered list as CSV', async () => {
  const page = await signedIn(await reviewer());
  const response = await page.request.get(`/console/findings/export.csv?run=${runId}&state=all`);
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toMatch(/text\/csv/);
  const lines = (await response.text())
    .replace(/^\ufeff/, '')
    .trim()
    .split('\r\n');
  expect(lines[0]).toBe(
    'finding_id,run_id,outcome,province_code,social_insurance_code,citizen_id,detail,review,note',
  );
  const { rows } = await system.pool.query(
    'SELECT count(*)::int AS n FROM vss.reconciliation_findings WHERE run_id = $1',
    [runId],
  );
  expect(lines).toHaveLength(rows[0].n + 1);
  for (const line of lines) expect(line.split(',').every((cell) => !/^[=+\-@]/.test(cell))).toBe(true);
});

it('does not propose a rejected pair again in the next run, and proposes the undecided ones', async () => {
  const next = await system.runToEnd({ scope: { all: true }, findMissingIdCandidates: true });
  const { rows } = await system.pool.query(
    `SELECT social_insurance_code || ' ' || outcome AS finding FROM vss.reconciliation_findings WHERE run_id = $1`,
    [next.runId],
  );
  const findings = rows.map((r) => r.finding);
  expect(findings).not.toContain('3600000007 FIELD_MISMATCH');
  expect(findings).toContain('0100000018 NOT_IN_REGISTRY');
});
