// Browser tests drive the Debian chromium (never a downloaded one) through playwright-core against
// the real app. Without chromium the suite is skipped, loudly — or fails under CI=true. Screenshots
// of each key step go to test-results/browser/ (ignored by git).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { startApp, type App } from '../../adapters/app.ts';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.TIENDO_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const RESULTS = fileURLToPath(new URL('../../test-results/browser/', import.meta.url));
export const PASSWORD = 'demo1234';

/** In before(): the browser, or a skip (a failure under CI) when chromium is not installed. */
export async function launchBrowser(ctx: Mocha.Context): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    const message = `chromium is not installed at ${CHROMIUM} (set TIENDO_CHROMIUM)`;
    if (process.env.CI === 'true') throw new Error(`${message}; CI needs it for the browser tests`);
    console.warn(`\n  !!! SKIPPED: ${message}.\n`);
    ctx.skip();
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

export interface Watched {
  page: Page;
  /** Uncaught page errors and dialogs (an alert() is an injection that worked). */
  problems: string[];
}

/** A page the size of a school office's laptop, that records what must never happen. */
export async function openPage(browser: Browser): Promise<Watched> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, acceptDownloads: true, locale: 'vi-VN' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return { page, problems };
}

/**
 * One suite's setting, registered as its hooks: chromium, the real app with the demo province on an
 * SQLite file of its own, one watched page; after each test, no page error and no dialog.
 */
export function demoInBrowser(): { readonly app: App; readonly url: string; readonly page: Page } {
  let app: App | undefined;
  let browser: Browser | undefined;
  let watched: Watched | undefined;
  let dir: string | undefined;
  before(async function () {
    browser = await launchBrowser(this);
    dir = mkdtempSync(join(tmpdir(), 'tiendo-browser-'));
    app = await startApp({ port: 0, checkAnswers: true, sqliteFile: join(dir, 'tiendo.sqlite'), demo: true, bcryptCost: 4, log: () => {} });
    watched = await openPage(browser);
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => expect(watched?.problems ?? [], 'page errors or dialogs').to.deep.equal([]));
  return {
    get app() {
      return app!;
    },
    get url() {
      return app!.url!;
    },
    get page() {
      return watched!.page;
    },
  };
}

export async function shot(page: Page, suite: string, step: string): Promise<void> {
  const dir = join(RESULTS, suite);
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${step}.png`), fullPage: false });
}

export async function login(page: Page, baseUrl: string, who: string): Promise<void> {
  await page.goto(`${baseUrl}/#/login`);
  await page.getByTestId('login-name').fill(who);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('user-name').waitFor();
}

/**
 * Fills every field of a generated task form with a value its own attributes allow: the minimum
 * of a number, the first choice of a list, a date, ticked boxes, text within its length.
 */
export async function fillTaskForm(page: Page): Promise<void> {
  const fields = page.locator('[data-testid="task-form"] [data-testid^="field-"]');
  for (let i = 0; i < (await fields.count()); i++) {
    const field = fields.nth(i);
    const select = field.locator('select');
    if (await select.count()) {
      await select.selectOption({ index: 1 });
      continue;
    }
    const boxes = field.locator('input[type=checkbox]');
    if (await boxes.count()) {
      await boxes.first().check();
      continue;
    }
    const area = field.locator('textarea');
    if (await area.count()) {
      await area.fill('Trường THCS đã hoàn thành');
      continue;
    }
    const input = field.locator('input').first();
    const type = await input.getAttribute('type');
    if (type === 'number') {
      const min = await input.getAttribute('min');
      await input.fill(min ?? '1');
    } else if (type === 'date') {
      await input.fill('2026-01-15');
    } else if (type === 'datetime-local') {
      await input.fill('2026-01-15T09:00');
    } else if (type === 'email') {
      await input.fill('truong@example.edu.vn');
    } else if (type === 'url') {
      await input.fill('https://example.edu.vn/bao-cao');
    } else {
      const max = Number((await input.getAttribute('maxlength')) ?? 100);
      await input.fill('12/QĐ-THCS'.slice(0, Math.max(1, max)));
    }
  }
}
