// Every page each kind of person can reach, in Vietnamese, at a laptop's and a phone's size: no raw
// identifier or English engine message in what they read, no sideways scrolling on the phone, and
// nothing axe-core's WCAG 2 A/AA rules object to. The pages are found as a person finds them: the
// header's links, then the links on each page (one page of each kind), so a new page is walked as
// soon as something links to it. Screenshots of each under test-results/browser/walk/.
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { demoInBrowser, login, RESULTS, shot } from './support.ts';
import { describeFinding, scanPage } from './visible-text.ts';

const require = createRequire(import.meta.url);
// evaluated rather than added as a script tag: the app's Content-Security-Policy (script-src 'self')
// refuses inline scripts, and the walk must see the page under its real policy, not a bypassed one
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const SUITE = 'walk';

const PERSONAS = [
  { login: 'admin', who: 'Sở administrator' },
  { login: 'giamsat.so', who: 'Sở supervisor' },
  { login: 'giamsat.phong', who: 'Phòng supervisor' },
  { login: 'truong.thcs', who: 'school staff' },
] as const;
const SIZES = [
  { name: 'wide', width: 1366, height: 768 },
  { name: 'narrow', width: 390, height: 844 },
] as const;

/** Not words for people: the YAML source in the editor's CodeMirror. */
const NOT_WORDS = ['.cm-editor'];

/** A unit list with the mistakes people make: an unknown kind and parent, a bad e-mail, a code twice. */
const BAD_UNITS_CSV = [
  'Mã đơn vị,Tên đơn vị,Loại đơn vị,Mã đơn vị cấp trên,Cấp học,Email,Điện thoại',
  'thu-1,Trường thử một,Loại lạ,khong-co-ma-nay,,email-sai,',
  'thu-1,Trường thử hai,THCS,,,,',
  ',Không mã,THCS,,,,',
].join('\n');

/** Buttons that open a dialog, by page: the dialog is walked too (opened, read, closed unchanged). */
const DIALOGS: Record<string, string[]> = {
  '#/units/:id': ['unit-edit', 'unit-add', 'unit-move', 'unit-close'],
  '#/users/:id': ['user-reset'],
};

/** Path segments that name a page rather than a record (#/units/import, #/users/new). */
const LITERAL = new Set(['import', 'new', 'bulk']);

/** The kind of page a link opens: #/tasks/abc → #/tasks/:id. */
export function pageKind(hash: string): string {
  const parts = hash.split('?')[0]!.split('/');
  return parts.map((p, i) => (i >= 2 && !LITERAL.has(p) ? ':id' : p)).join('/');
}

/**
 * Pages other people are changing in this round (tasks, task, instance, board, campaigns,
 * definitions, editor): what the walk finds there is listed here, so that this test passes now and
 * fails on anything new; whoever fixes a finding removes its line. Each entry is a check and what it
 * found (`text:event|snake|english`, `axe:RULE`, `scroll`), then why it is here.
 */
const KNOWN_ELSEWHERE: Record<string, string[]> = {};

const OTHERS = new Set([
  '#/tasks',
  '#/tasks/:id',
  '#/instances/:id',
  '#/board',
  '#/campaigns',
  '#/campaigns/:id',
  '#/definitions',
  '#/definitions/:id',
  '#/definitions/new',
]);

interface Finding {
  check: 'text' | 'scroll' | 'axe';
  /** What KNOWN_ELSEWHERE names: `text:event`, `axe:color-contrast`, `scroll`. */
  id: string;
  kind: string;
  persona: string;
  size: string;
  detail: string;
}

const findings: Finding[] = [];
/** The first line of each audit entry's actor cell, as the walk read them. */
const actors: string[] = [];
/** What the password page said to a wrong current password. */
const refusals: string[] = [];
const visited = new Map<string, Set<string>>();

function isKnown(f: Finding): boolean {
  return (KNOWN_ELSEWHERE[f.kind] ?? []).some((entry) => entry.split(' — ')[0] === f.id);
}

function report(check: Finding['check']): string[] {
  return findings.filter((f) => f.check === check && !isKnown(f)).map((f) => `${f.kind} (${f.persona}, ${f.size}): ${f.detail}`);
}

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[];
}

// Run in the page, sent as source (the tests are compiled without the DOM's types).
/** The page is drawn and no longer says it is loading. */
const DRAWN = `(() => {
  const main = document.getElementById('main');
  return Boolean(main && main.firstElementChild) && !(main.querySelector('[role="status"]')?.textContent ?? '').includes('Đang tải');
})()`;
/** How wide the page is, and the first elements that stick out (to say what to fix). */
const WIDTHS = `(() => {
  const inner = window.innerWidth;
  const wide = Array.from(document.querySelectorAll('body *'))
    .filter((e) => e.getBoundingClientRect().right > inner + 1 && e.checkVisibility())
    .slice(0, 4)
    .map((e) => e.tagName.toLowerCase() + (e.dataset.testid ? '[' + e.dataset.testid + ']' : e.className ? '.' + String(e.className).split(' ')[0] : ''));
  return { scroll: document.documentElement.scrollWidth, inner, wide };
})()`;
/** axe-core with the WCAG 2.0 and 2.1 A and AA rules; only the violations (the passes' details are most of its time on a long table). */
const AXE_RUN = `axe.run(document, {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  resultTypes: ['violations'],
})`;

/** Waits for the page to be drawn and its requests answered, then a little longer for the drawing. */
async function settle(page: Page, inflight: () => number): Promise<void> {
  const until = Date.now() + 15_000;
  while (Date.now() < until && !(await page.evaluate<boolean>(DRAWN))) await page.waitForTimeout(50);
  let quiet = 0;
  while (Date.now() < until && quiet < 3) {
    await page.waitForTimeout(60);
    quiet = inflight() === 0 ? quiet + 1 : 0;
  }
}

async function check(page: Page, kind: string, persona: string, size: (typeof SIZES)[number]): Promise<void> {
  const seen = visited.get(`${persona}/${size.name}`) ?? new Set<string>();
  seen.add(kind);
  visited.set(`${persona}/${size.name}`, seen);
  const add = (check: Finding['check'], id: string, detail: string) => findings.push({ check, id, kind, persona, size: size.name, detail });
  for (const f of await scanPage(page, NOT_WORDS)) add('text', `text:${f.kind}`, describeFinding(f));
  if (size.width < 500) {
    const { scroll, inner, wide } = await page.evaluate<{ scroll: number; inner: number; wide: string[] }>(WIDTHS);
    if (scroll > inner) add('scroll', 'scroll', `scrollWidth ${scroll} > ${inner}; wider: ${wide.join(', ')}`);
  }
  if (!(await page.evaluate<boolean>(`'axe' in window`))) await page.evaluate(AXE);
  const axe = await page.evaluate<AxeResult>(AXE_RUN);
  for (const v of axe.violations)
    add(
      'axe',
      `axe:${v.id}`,
      `${v.id} (${v.impact}) ${v.help}: ${v.nodes
        .map((n) => n.target.join(' '))
        .slice(0, 5)
        .join(' | ')}`,
    );
}

async function walk(browser: Browser, url: string, persona: string, size: (typeof SIZES)[number], withLogin: boolean): Promise<string[]> {
  const context: BrowserContext = await browser.newContext({ viewport: { width: size.width, height: size.height }, locale: 'vi-VN' });
  const problems: string[] = [];
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    let pending = 0;
    page.on('request', () => pending++);
    page.on('requestfinished', () => pending--);
    page.on('requestfailed', () => pending--);
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    const inflight = () => pending;
    if (withLogin) {
      await page.goto(`${url}/#/login`);
      await page.getByTestId('login-form').waitFor();
      await settle(page, inflight);
      await check(page, '#/login', 'signed out', size);
      await shot(page, SUITE, `signed-out-${size.name}-login`);
      // a refused sign-in: the refusal in words, not the API's English and code
      await page.getByTestId('login-name').fill(persona);
      await page.getByTestId('login-password').fill('not-the-password');
      await page.getByTestId('login-submit').click();
      await page.getByTestId('login-error').waitFor();
      await check(page, '#/login (refused)', 'signed out', size);
      await shot(page, SUITE, `signed-out-${size.name}-login-refused`);
    }
    await login(page, url, persona);
    // something in the audit log to read: the administrator creates an account first
    if (persona === 'admin' && size.name === 'wide') {
      await page.evaluate(`location.hash = '#/users/new'`);
      await page.getByTestId('nu-name').fill('Nguyễn Thị Lan');
      await page.getByTestId('nu-login').fill('walk.lan');
      await page.getByTestId('nu-email').fill('walk_lan@example.edu.vn');
      await page.getByTestId('nu-unit').click();
      await page.getByTestId('unit-picker').getByTestId('picker-choose').first().click();
      await page.getByTestId('nu-submit').click();
      await page
        .getByTestId('user-created')
        .waitFor()
        .catch(async (e) => {
          await shot(page, SUITE, 'failed-new-user');
          throw e;
        });
    }
    const queue: string[] = [await page.evaluate<string>('location.hash')];
    queue.push(...(await page.locator('#header a[href^="#/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')!))));
    // the sign-in page is walked signed out; '#/' only sends each person to their home page
    const done = new Set<string>(['#/login', '#/']);
    while (queue.length) {
      const hash = queue.shift()!;
      const kind = pageKind(hash);
      if (done.has(kind)) continue;
      done.add(kind);
      await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
      await settle(page, inflight);
      // the board's drill-down opens in place: open the first unit's, to walk its instance links too
      const row = page.locator('[data-testid="board-unit-row"]').first();
      if (kind === '#/board' && (await row.count())) {
        await row.click();
        await settle(page, inflight);
      }
      // the dialogs a page opens are pages too: each checked open, then closed with Esc
      for (const opener of DIALOGS[kind] ?? []) {
        const button = page.getByTestId(opener);
        if (!(await button.count())) continue;
        await button.first().click();
        await page.locator('dialog[open]').waitFor();
        await settle(page, inflight);
        await check(page, `${kind} › ${opener}`, persona, size);
        await shot(page, SUITE, `${persona}-${size.name}-${kind.replace(/^#\//, '').replace(/[/:]+/g, '-')}-${opener}`);
        await page.keyboard.press('Escape');
        await page
          .locator('dialog[open]')
          .waitFor({ state: 'detached' })
          .catch(() => page.locator('dialog[open]').waitFor({ state: 'hidden' }));
      }
      // the unit import's answer to a list with mistakes in it: the problems, each in words
      if (kind === '#/units/import') {
        await page.getByTestId('import-file').setInputFiles({ name: 'don-vi-loi.csv', mimeType: 'text/csv', buffer: Buffer.from(BAD_UNITS_CSV) });
        await page.locator('[data-testid="import-problems-card"], [data-testid="import-preview"]').first().waitFor({ timeout: 30_000 });
        await settle(page, inflight);
        await check(page, `${kind} › problems`, persona, size);
        await shot(page, SUITE, `${persona}-${size.name}-units-import-problems`);
      }
      // a wrong current password: the refusal in words
      if (kind === '#/password') {
        await page.getByTestId('pw-current').fill('not-the-password');
        await page.getByTestId('pw-new').fill('mot-mat-khau-moi-dai');
        await page.getByTestId('pw-repeat').fill('mot-mat-khau-moi-dai');
        await page.getByTestId('pw-submit').click();
        await page.getByTestId('password-error').waitFor();
        refusals.push((await page.getByTestId('password-error').textContent()) ?? '');
        await check(page, `${kind} › refused`, persona, size);
        await shot(page, SUITE, `${persona}-${size.name}-password-refused`);
      }
      // who did what: the person's name, the login only beneath it
      if (kind === '#/audit') actors.push(...(await page.getByTestId('audit-actor').evaluateAll((cells) => cells.map((c) => c.firstChild?.textContent ?? ''))));
      const links = await page.locator('a[href^="#/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
      queue.push(...links.filter((l) => !done.has(pageKind(l))));
      const t0 = Date.now();
      await check(page, kind, persona, size);
      if (process.env.WALK_TIMING) console.log(`${persona} ${size.name} ${kind} checked in ${Date.now() - t0} ms`);
      await shot(page, SUITE, `${persona}-${size.name}-${kind.replace(/^#\//, '').replace(/[/:]+/g, '-') || 'home'}`);
    }
  } finally {
    await context.close();
  }
  return problems;
}

describe('browser: every page in Vietnamese, at 1366 and 390 px, for each kind of person', function () {
  this.timeout(180_000);
  const demo = demoInBrowser();
  // this walk's pictures only: a page no longer walked leaves none behind
  before(() => rmSync(join(RESULTS, SUITE), { recursive: true, force: true }));

  // Two lanes side by side, as most of a walk is waiting for the app: the administrator in one, the
  // others in the other. Not one person twice at once: the editor's draft checks are limited per user.
  const problems = new Map<string, string[]>();
  before(async function () {
    this.timeout(240_000);
    const browser = demo.page.context().browser()!;
    const lane = async (personas: readonly (typeof PERSONAS)[number][]) => {
      for (const persona of personas)
        for (const size of SIZES) {
          const seen = await walk(browser, demo.url, persona.login, size, persona.login === 'admin');
          problems.set(persona.login, [...(problems.get(persona.login) ?? []), ...seen]);
        }
    };
    await Promise.all([lane(PERSONAS.slice(0, 1)), lane(PERSONAS.slice(1))]);
  });

  for (const persona of PERSONAS)
    it(`walks the ${persona.who}'s pages at 1366×768 and 390×844`, () => {
      expect(problems.get(persona.login), 'page errors or dialogs').to.deep.equal([]);
      for (const size of SIZES) expect(visited.get(`${persona.login}/${size.name}`)?.size ?? 0).to.be.greaterThan(3);
    });

  it('walked every kind of page', () => {
    const all = new Set([...visited.values()].flatMap((s) => [...s]));
    for (const kind of [
      '#/login',
      '#/login (refused)',
      '#/password',
      '#/inbox',
      '#/tasks',
      '#/tasks/:id',
      '#/instances/:id',
      '#/board',
      '#/definitions',
      '#/definitions/:id',
      '#/calendar',
    ])
      expect([...all], kind).to.include(kind);
    for (const kind of [
      '#/campaigns',
      '#/units',
      '#/units/:id',
      '#/units/import',
      '#/units/import › problems',
      '#/users',
      '#/users/:id',
      '#/users/new',
      '#/users/bulk',
      '#/audit',
      '#/cohort',
      '#/campaigns/:id',
    ])
      expect([...all], kind).to.include(kind);
    expect([...visited.get('truong.thcs/wide')!]).to.include.members(['#/tasks', '#/tasks/:id', '#/instances/:id', '#/inbox', '#/password']);
    expect([...visited.get('giamsat.phong/wide')!]).to.include.members(['#/board', '#/instances/:id', '#/inbox', '#/password']);
  });

  it('names people by their full names, not their logins', () => {
    expect(actors).to.include('Quản trị hệ thống (Sở GDĐT)');
    expect(actors).not.to.include('admin');
  });

  it('tells a wrong current password as such', () => {
    expect(refusals).to.have.length(PERSONAS.length * SIZES.length);
    for (const r of refusals) expect(r).to.equal('Mật khẩu hiện tại không đúng.');
  });

  it('shows no raw identifier or English engine message', () => {
    expect(report('text'), 'raw text on pages').to.deep.equal([]);
  });

  it('scrolls no page sideways at 390 px', () => {
    expect(report('scroll'), 'pages wider than the phone').to.deep.equal([]);
  });

  it('has no WCAG 2 A/AA violation that axe-core finds', () => {
    expect(report('axe'), 'axe-core violations').to.deep.equal([]);
  });

  it('lists as known elsewhere only pages owned elsewhere, and only findings still seen', () => {
    for (const kind of Object.keys(KNOWN_ELSEWHERE)) expect(OTHERS, kind).to.include(kind);
    const stale = Object.entries(KNOWN_ELSEWHERE).flatMap(([kind, entries]) =>
      entries.filter((e) => !findings.some((f) => f.kind === kind && f.id === e.split(' — ')[0])).map((e) => `${kind}: ${e}`),
    );
    expect(stale, 'fixed: remove these from KNOWN_ELSEWHERE').to.deep.equal([]);
  });
});
