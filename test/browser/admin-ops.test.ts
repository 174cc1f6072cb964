// The Sở administrator's work that had no screen (issue 16), in chromium against the real app with the
// demo province, at 1366×768 and 390×844: extend the overdue units of one stage by 5 working days
// (dry run, reason, still-overdue counts, confirm), set an anchor date on an instance, and launch a
// campaign over units already running the process — warned, and skipped.
import { ENGINE_EVENTS } from '../../engine/definition/compile.ts';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { FLAGSHIP } from '../../adapters/demo/province.ts';
import { demoInBrowser, login, shot } from './support.ts';

const SUITE = 'admin-ops';
const PROCESS = 'accreditation-general-school';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** dd/mm/yyyy → the end of that day in Vietnamese time (how deadlines are kept). */
const endOfDayVn = (ddmmyyyy: string): number => {
  const [d, m, y] = ddmmyyyy.split('/').map(Number);
  return Date.UTC(y!, m! - 1, d!, 23, 59, 59) - 7 * 3_600_000;
};

// The page's own globals, inside page.evaluate (this file is type-checked without the DOM library).
type PageGlobals = { document: { documentElement: { scrollWidth: number; clientWidth: number } }; axe: Axe };
type Axe = { run: (ctx: unknown, o: unknown) => Promise<{ violations: { id: string; nodes: unknown[] }[] }> };

async function noHorizontalScroll(page: Page): Promise<void> {
  const [scroll, width] = await page.evaluate(() => {
    const root = (globalThis as unknown as PageGlobals).document.documentElement;
    return [root.scrollWidth, root.clientWidth];
  });
  // Named when it fails: the elements reaching past the right edge.
  const wide = await page.locator('body *').evaluateAll((els, w) => {
    return els
      .filter((e) => e.getBoundingClientRect().right > (w as number) + 1)
      .slice(0, 5)
      .map((e) => `${e.tagName}.${e.className} ${e.getAttribute('data-testid') ?? ''}`);
  }, width);
  expect(scroll, `the page scrolls sideways: ${wide.join(' | ')}`).to.be.at.most(width);
}

/** axe-core's WCAG 2 A and AA findings on the page (evaluated, as the app's CSP forbids inline scripts). */
async function axeFindings(page: Page): Promise<{ id: string; nodes: number }[]> {
  await page.evaluate(readFileSync(AXE, 'utf8'));
  return page.evaluate(async () => {
    const r = await (globalThis as unknown as PageGlobals).axe.run((globalThis as unknown as PageGlobals).document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] },
    });
    return r.violations.map((v) => ({ id: v.id, nodes: v.nodes.length }));
  });
}

describe('browser: an administrator extends, sets an anchor date and launches over running units', function () {
  this.timeout(300_000);
  const demo = demoInBrowser();
  let page: Page;
  before(() => {
    page = demo.page;
  });

  let stage = '';
  let overdueInStage: string[] = [];
  let instanceId = '';

  it('finds the stage with the most overdue schools of a process (from the store)', async () => {
    const rows = (await demo.app.runtime
      .db('instances')
      .where({ definition_id: PROCESS, status: 'running' })
      .where('due_at', '<', Date.now())
      .select('id', 'stages')) as {
      id: string;
      stages: string;
    }[];
    const byStage = new Map<string, string[]>();
    for (const r of rows) for (const s of JSON.parse(r.stages) as string[]) byStage.set(s, [...(byStage.get(s) ?? []), r.id]);
    [stage, overdueInStage] = [...byStage].sort((a, b) => b[1].length - a[1].length)[0]!;
    expect(overdueInStage.length, 'the demo has overdue schools in a stage').to.be.greaterThan(1);
  });

  it('previews extending them by 5 working days, sees which stay overdue, and confirms with a reason', async () => {
    await login(page, demo.url, 'admin');
    await page.getByTestId('nav-cohort').click();
    await page.getByTestId('cohort-form').waitFor();
    await page.getByTestId('cohort-process').selectOption(PROCESS);
    await page.getByTestId(`cohort-stage-${stage}`).check();
    await page.getByTestId('cohort-overdue').check();
    await page.getByTestId('cohort-extend-stage').selectOption(stage);
    await page.getByTestId('cohort-extend-amount').fill('5');
    // Without a reason nothing is sent.
    await page.getByTestId('cohort-preview').click();
    expect(await page.getByTestId('cohort-error').textContent()).to.include('ít nhất 5 ký tự');
    await page.getByTestId('cohort-reason').fill('Gia hạn do ảnh hưởng của bão số 9');
    await page.getByTestId('cohort-preview').click();
    await page.getByTestId('cohort-table').waitFor();
    await shot(page, SUITE, '01-cohort-preview');

    const rows = page.getByTestId('cohort-row');
    const ids = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-instance')!));
    expect(ids.sort()).to.deep.equal([...overdueInStage].sort());
    // Each row's verdict agrees with its new deadline, and the count line with the rows.
    const cells = await rows.evaluateAll((els) => els.map((e) => [...e.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    const now = Date.now();
    let still = 0;
    for (const [unit, stageTitle, before, after, verdict] of cells) {
      expect(unit).to.not.equal('');
      expect(stageTitle).to.not.match(/^[a-z0-9_]+$/);
      expect(endOfDayVn(before!)).to.be.below(now);
      expect(endOfDayVn(after!)).to.be.above(endOfDayVn(before!));
      const stillOverdue = endOfDayVn(after!) < now;
      expect(verdict).to.equal(stillOverdue ? 'Vẫn quá hạn' : 'Hết quá hạn');
      if (stillOverdue) still++;
    }
    expect(Number(await page.getByTestId('cohort-still-overdue').getAttribute('data-count'))).to.equal(still);
    expect(await page.getByTestId('cohort-still-overdue').textContent()).to.equal(`Sau khi gia hạn, ${still} trong ${ids.length} hồ sơ vẫn quá hạn.`);

    // A dry run changed nothing.
    const dueOf = async (id: string) => JSON.parse((await demo.app.runtime.db('instances').where({ id }).first()).stage_entries).entries[stage].dueAt as number;
    const before = await Promise.all(ids.map(dueOf));
    expect(endOfDayVn(cells[0]![2]!)).to.be.closeTo(before[0]!, 86_400_000);

    await page.getByTestId('cohort-confirm').click();
    await page.getByTestId('cohort-result-card').waitFor();
    await shot(page, SUITE, '02-cohort-done');
    expect(await page.getByTestId('cohort-result-card').getByTestId('cohort-summary').textContent()).to.include(`${ids.length} hồ sơ thay đổi`);
    const after = await Promise.all(ids.map(dueOf));
    after.forEach((due, i) => expect(due, ids[i]).to.be.greaterThan(before[i]!));
    instanceId = ids[0]!;
  });

  it('sets an anchor date on one of them', async () => {
    await page.goto(`${demo.url}/#/instances/${encodeURIComponent(instanceId)}`);
    const anchor = page.locator('[data-testid="anchor"][data-anchor="visit_date"]');
    await anchor.waitFor();
    expect(await anchor.locator('h3').textContent()).to.not.include('visit_date');
    await anchor.getByTestId('anchor-date').fill('2027-01-15');
    await anchor.getByTestId('anchor-save').click();
    await page.getByTestId('anchor-saved').waitFor();
    expect(await page.locator('[data-testid="anchor"][data-anchor="visit_date"] [data-testid="anchor-value"]').textContent()).to.equal('15/01/2027');
    await shot(page, SUITE, '03-anchor-set');
    const row = await demo.app.runtime.db('instances').where({ id: instanceId }).first();
    expect(JSON.parse(row.snapshot).context.anchors.visit_date).to.equal('2027-01-15');
    // the history says the date as people write it
    const entry = page.locator(`[data-testid="history-row"][data-event="${ENGINE_EVENTS.setAnchor}"]`).first();
    expect(await entry.textContent())
      .to.include('15/01/2027')
      .and.not.include('2027-01-15');
  });

  it('launches over schools already running the process: warned, and they are skipped', async () => {
    const running = (await demo.app.runtime
      .db('instances')
      .join('org_units', 'org_units.id', 'instances.org_unit_id')
      .where({ 'instances.definition_id': PROCESS, 'org_units.kind': 'upper-secondary' })
      .whereIn('instances.status', ['running', 'needs_migration'])
      .whereNull('org_units.closed_at')
      .countDistinct({ n: 'instances.org_unit_id' })
      .first()) as { n: unknown };
    const n = Number(running.n);
    expect(n, 'the demo runs accreditation in upper-secondary schools').to.be.greaterThan(0);

    await page.getByTestId('nav-campaigns').click();
    await page.getByTestId('campaign-form').waitFor();
    await page.getByTestId('campaign-process').selectOption(PROCESS);
    await page.getByTestId('campaign-root').selectOption(FLAGSHIP.department);
    await page.getByTestId('campaign-kind-upper-secondary').check();
    await page.getByTestId('campaign-reason').fill('Đợt kiểm định bổ sung');
    await page.getByTestId('campaign-preview-button').click();
    const warning = page.getByTestId('campaign-running-warning');
    await warning.waitFor();
    expect(Number(await warning.getAttribute('data-count'))).to.equal(n);
    expect(await warning.textContent()).to.include(`${n} đơn vị đang chạy quy trình này`);
    expect(await page.getByTestId('campaign-skipped-unit').count()).to.equal(Math.min(n, 20));
    await shot(page, SUITE, '04-launch-warning');
    await page.getByTestId('campaign-launch').click();
    expect(await page.getByTestId('campaign-launched').textContent()).to.include(`bỏ qua ${n} đơn vị`);

    const twice = (await demo.app.runtime
      .db('instances')
      .where({ definition_id: PROCESS, status: 'running' })
      .select('org_unit_id')
      .count({ c: '*' })
      .groupBy('org_unit_id')
      .havingRaw('count(*) > 1')) as unknown[];
    const row = page.getByTestId('campaign-row').first();
    await page.locator('[data-testid="campaign-row"]:first-child[data-status="done"]').waitFor({ timeout: 60_000 });
    expect(twice, 'no school runs it twice').to.deep.equal([]);
    await row.getByTestId('campaign-open').click();
    await page.getByTestId('campaign-summary').waitFor();
    expect(await page.getByTestId('campaign-skipped').textContent()).to.include(`${n} đơn vị được bỏ qua`);
    expect(Number(await page.getByTestId('campaign-not-started').getAttribute('data-count'))).to.be.at.least(n);
    await shot(page, SUITE, '05-campaign-skipped');
  });

  it('opens a running campaign: units by stage with named progress bars, each opening its list', async () => {
    await page.getByTestId('nav-campaigns').click();
    const demoRow = page.locator(`[data-testid="campaign-row"][data-campaign-id$="-thpt"]`).first();
    await demoRow.getByTestId('campaign-open').click();
    await page.getByTestId('campaign-stages').waitFor();
    const bars = page.locator('[role="progressbar"]');
    for (let i = 0; i < (await bars.count()); i++) {
      expect(await bars.nth(i).getAttribute('aria-label')).to.match(/\S/);
      expect(await bars.nth(i).getAttribute('aria-valuetext')).to.match(/\d+ trên \d+ đơn vị/);
    }
    const violations = await axeFindings(page);
    expect(
      violations.filter((v) => v.id.startsWith('aria-progressbar')),
      JSON.stringify(violations),
    ).to.deep.equal([]);
    await shot(page, SUITE, '06-campaign-page');
    const first = page.getByTestId('campaign-stage-row').first();
    const count = Number(await first.locator('[data-testid="campaign-stage-progress"]').getAttribute('data-done'));
    await first.getByTestId('campaign-stage-link').click();
    await page.getByTestId('campaign-instance-row').first().waitFor();
    expect(await page.getByTestId('campaign-instance-row').count()).to.equal(Math.min(count, 100));
    await shot(page, SUITE, '07-campaign-stage-list');
    await page.getByTestId('campaign-overdue-link').click();
    await page.locator('[data-testid="campaign-list"] h2', { hasText: 'Quá hạn' }).waitFor();
  });

  it('fits a phone: the bulk operations and campaign pages at 390×844', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.getByTestId('campaign-summary').waitFor();
    await noHorizontalScroll(page);
    await shot(page, SUITE, '08-campaign-phone');
    await page.goto(`${demo.url}/#/cohort`);
    await page.getByTestId('cohort-form').waitFor();
    await page.getByTestId('cohort-process').selectOption(PROCESS);
    await page.getByTestId(`cohort-stage-${stage}`).check();
    await page.getByTestId('cohort-overdue').check();
    await page.getByTestId('cohort-extend-stage').selectOption(stage);
    await page.getByTestId('cohort-reason').fill('Gia hạn thêm lần hai');
    await page.getByTestId('cohort-preview').click();
    await page.getByTestId('cohort-summary').waitFor();
    await noHorizontalScroll(page);
    await page.getByTestId('cohort-summary').scrollIntoViewIfNeeded();
    await shot(page, SUITE, '09-cohort-phone');
    await page.goto(`${demo.url}/#/instances/${encodeURIComponent(instanceId)}`);
    const anchor = page.locator('[data-testid="anchor"][data-anchor="visit_date"]');
    await anchor.scrollIntoViewIfNeeded();
    // The timeline's own tables are another part of issue 16: here, the anchors fit the phone.
    const box = (await page.getByTestId('anchors').boundingBox())!;
    expect(box.x + box.width).to.be.at.most(390);
    await shot(page, SUITE, '10-anchor-phone');
    await page.setViewportSize({ width: 1366, height: 768 });
  });
});
