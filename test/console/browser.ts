import { readFileSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../../bench/support/browser';

/** Debian's chromium (bench/support/browser.ts: the benchmark drives the same). */
export const launchBrowser = launchChromium;

/**
 * A browser profile of its own: the gateway's development certificate accepted, and the page's
 * Content-Security-Policy bypassed only so that the accessibility checker can be injected.
 */
export function newContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  return browser.newContext({ baseURL, ignoreHTTPSErrors: true, bypassCSP: true, locale: 'vi-VN' });
}

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** The page's serious and critical accessibility violations (axe-core, WCAG 2 A and AA rules). */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run(o: unknown): Promise<{
            violations: Array<{
              id: string;
              impact: string;
              help: string;
              nodes: Array<{ target: unknown }>;
            }>;
          }>;
        };
      }
    ).axe;
    const result = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa'] } });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => JSON.stringify(n.target)),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.targets.join(', ')}`);
}

const SHOTS = join(__dirname, '..', '..', 'docs', 'console');

/** The screenshot the docs show of this page (docs/console/<name>.png). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}
