/** The Chromium test/support/global-setup.ts found (Debian's, CHROMIUM_PATH, PATH or Playwright's), driven by playwright-core. */
import { mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { startLocal, type TLocalServer } from '../../shared/local/server.js';
import { inject } from 'vitest';
import { locateChromium } from './chromium.js';

/** The path global-setup handed over; looked up here too when a suite runs without it (an editor's test runner). */
const chromiumPath = (): string => inject('chromiumPath') || locateChromium();

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
}

/** A cheap phone: small screen, touch, Chinese locale. */
export const PHONE = {
  viewport: { width: 360, height: 740 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'zh-CN',
} as const;

/** Runs axe-core (WCAG 2.x A/AA rules) in the page; returns the serious and critical violations. */
export async function axeViolations(page: import('playwright-core').Page): Promise<{ id: string; impact: string; nodes: string[] }[]> {
  const { createRequire } = await import('node:module');
  const { readFileSync } = await import('node:fs');
  const source = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source); // evaluated through the DevTools protocol, so the page's strict CSP stays on
  const result = (await page.evaluate(() =>
    (window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<unknown> } }).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    }),
  )) as { violations: { id: string; impact: string; nodes: { target: string[] }[] }[] };
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }));
}

/** Where browser suites save their screenshots (gitignored). */
export const SHOTS = new URL('../.tmp/', import.meta.url).pathname;

/**
 * The real local server (in memory, `env` on top) with Chromium beside it, for a browser suite's beforeAll;
 * `score` runs the nightly job over the seeded days first. `close` stops both (afterAll).
 */
export async function localWithChromium(
  env: Record<string, string>,
  opts: { score?: boolean } = {},
): Promise<{ local: TLocalServer; browser: Browser; close: () => Promise<void> }> {
  mkdirSync(SHOTS, { recursive: true });
  const local = await startLocal({ DATA_DIR: ':memory:', PORT: '0', LOG_LEVEL: 'SILENT', ...env });
  if (opts.score) await local.scoreNow();
  const browser = await launchChromium();
  return {
    local,
    browser,
    close: async () => {
      await browser.close();
      await local.close();
    },
  };
}
