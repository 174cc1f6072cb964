// The supervisors' whole job on the overdue board, in chromium against the real app with the demo
// province, as the Sở's and a Phòng's supervisor, at 1366×768 and 390×844: a row's late list opens in
// place (most late first, deadline and days late), two units are reminded (đôn đốc: seen on their
// timeline), two escalations acknowledged at once, the days-late filter, the XLSX and CSV exports,
// and the page as printed.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import type { Locator, Page } from 'playwright-core';
import { demoInBrowser, login, shot } from './support.ts';

const SUITE = 'supervisor-board';
const SIZES = [
  { name: 'desktop', width: 1366, height: 768 },
  { name: 'phone', width: 390, height: 844 },
] as const;
const PERSONAS = [
  { login: 'giamsat.so', office: /^Sở GDĐT/, unit: 'so' },
  { login: 'giamsat.phong', office: /^Phòng GDĐT Châu Thành$/, unit: 'phong' },
] as const;

const daysLate = (page: Page, scope = page.locator('body')) =>
  scope.getByTestId('days-late').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-days'))));

const AXE = readFileSync(fileURLToPath(import.meta.resolve('axe-core/axe.min.js')), 'utf8');

/** What axe-core (WCAG 2 A and AA) finds on the page as it is now: rule ids and where. */
async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    type Result = { violations: { id: string; nodes: { target: string[] }[] }[]; passes: unknown[] };
    const axe = (globalThis as unknown as { axe: { run(o: unknown): Promise<Result> } }).axe;
    const r = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
    // a run that checked nothing would pass anything
    if (r.passes.length < 10) return [`axe-core checked only ${r.passes.length} rules`];
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  return found;
}

/** The page's getComputedStyle (the tests compile without the DOM's types). */
type Styles = { getComputedStyle(e: unknown): Record<string, string> };

/** Opens a board row's list (unless it is open already) and answers the panel under it. */
async function expand(row: Locator, link: string): Promise<Locator> {
  const button = row.getByTestId(link);
  if ((await button.getAttribute('aria-expanded')) !== 'true') await button.click();
  expect(await button.getAttribute('aria-expanded')).to.equal('true');
  const panel = row.locator('xpath=following-sibling::tr[1]').getByTestId('board-drill');
  await panel.getByTestId('drill-row').first().waitFor();
  return panel;
}

describe('browser: the supervisors’ work on the overdue board', function () {
  this.timeout(300_000);
  const demo = demoInBrowser();
  let page: Page;
  before(() => {
    page = demo.page;
  });

  const open = async (who: string, size: (typeof SIZES)[number]) => {
    await page.setViewportSize({ width: size.width, height: size.height });
    await page.context().clearCookies();
    await login(page, demo.url, who);
    await page.goto(`${demo.url}/#/board`);
    await page.getByTestId('board-units').waitFor();
  };

  for (const persona of PERSONAS) {
    for (const size of SIZES) {
      const step = (n: string) => `${persona.unit}-${size.name}-${n}`;
      it(`${persona.login} at ${size.width}×${size.height}: drills down in place, reminds two units, acknowledges two escalations`, async () => {
        await open(persona.login, size);
        await shot(page, SUITE, step('01-board'));
        const hash = new URL(page.url()).hash;

        // the unit with the most overdue work opens its list under its own row
        const rows = page.getByTestId('board-unit-row');
        const overdue = await rows.evaluateAll((els) => els.map((e) => Number(e.querySelector('td:nth-child(2)')?.textContent ?? 0)));
        const worst = overdue.indexOf(Math.max(...overdue));
        const row = rows.nth(worst);
        const name = (await row.getByTestId('board-unit-link').textContent())!;
        const panel = await expand(row, 'board-unit-link');
        // in place: the page did not change, and the list is the next row of the table
        expect(new URL(page.url()).hash).to.equal(hash);
        const late = await daysLate(page, panel);
        expect(late.length).to.equal(Math.min(overdue[worst]!, 500));
        expect(late).to.deep.equal([...late].sort((a, b) => b - a));
        const cells = await panel.getByTestId('drill-row').first().locator('td').allTextContents();
        // the Sở's row is a Phòng (or a school directly under the Sở); a Phòng's, a school
        if (persona.unit === 'so') expect(cells[2] === name || /^Sở GDĐT/.test(cells[2]!), cells[2]).to.equal(true);
        else expect([cells[1], cells[2]]).to.deep.equal([name, 'Phòng GDĐT Châu Thành']);
        expect(cells[5]).to.match(/^\d\d\/\d\d\/\d{4}$/);
        expect(cells[6]).to.match(/^\d+ ngày làm việc$/);
        await panel.scrollIntoViewIfNeeded();
        await shot(page, SUITE, step('02-drill-down'));
        expect(await accessibilityProblems(page), 'axe-core on the board with a list open').to.deep.equal([]);
        // at a phone's width nothing makes the page itself scroll sideways
        expect(await page.locator('html').evaluate((el) => el.scrollWidth)).to.be.at.most(size.width);

        // a stage's list opens the same way (a school has one or two late files; a stage, more)
        const stageRows = page.getByTestId('board-stage-row');
        const byStage = await stageRows.evaluateAll((els) => els.map((e) => Number(e.querySelector('td:nth-child(3)')?.textContent ?? 0)));
        const group = late.length >= 2 ? panel : await expand(stageRows.nth(byStage.indexOf(Math.max(...byStage))), 'board-stage-link');
        const groupLate = await daysLate(page, group);
        expect(groupLate.length).to.be.at.least(2);
        expect(groupLate).to.deep.equal([...groupLate].sort((a, b) => b - a));

        // đôn đốc two units, with a message
        const message = `Đề nghị hoàn thành hồ sơ (${persona.login}, ${size.name})`;
        const boxes = group.getByTestId('drill-select');
        await boxes.nth(0).check();
        await boxes.nth(1).check();
        const remind = group.getByTestId('remind');
        expect(await remind.textContent()).to.equal('Đôn đốc 2 đơn vị đã chọn');
        await group.getByTestId('remind-message').fill(message);
        const reminded = await group.getByTestId('drill-link').nth(0).getAttribute('href');
        await remind.click();
        await group.getByTestId('reminded').waitFor();
        expect(await group.getByTestId('reminded').textContent()).to.equal('Đã đôn đốc 2 đơn vị.');
        expect(await group.getByTestId('drill-select').evaluateAll((els) => els.filter((e) => (e as unknown as { checked: boolean }).checked).length)).to.equal(
          0,
        );
        await group.scrollIntoViewIfNeeded();
        await shot(page, SUITE, step('03-reminded'));

        // "select all in this group" picks every row of the group
        await group.getByTestId('drill-select-all').check();
        expect(await remind.textContent()).to.equal(`Đôn đốc ${groupLate.length} đơn vị đã chọn`);
        await group.getByTestId('drill-select-all').uncheck();
        expect(await remind.isDisabled()).to.equal(true);

        // two escalations acknowledged at once; the single button says what it does
        const esc = page.getByTestId('board-escalations');
        const single = esc.getByTestId('acknowledge').first();
        expect(await single.textContent()).to.equal('Đánh dấu đã xem');
        expect(await single.getAttribute('title')).to.match(/^Xác nhận đã xem cảnh báo này/);
        const before = await esc.locator('[data-testid="escalation-row"][data-acknowledged="true"]').count();
        await esc.getByTestId('escalation-select').nth(0).check();
        await esc.getByTestId('escalation-select').nth(1).check();
        const many = esc.getByTestId('acknowledge-selected');
        expect(await many.textContent()).to.equal('Xác nhận đã xem 2 cảnh báo đã chọn');
        await many.click();
        await esc.getByTestId('acknowledged-many').waitFor();
        expect(await esc.locator('[data-testid="escalation-row"][data-acknowledged="true"]').count()).to.equal(before + 2);
        await esc.scrollIntoViewIfNeeded();
        await shot(page, SUITE, step('04-acknowledged'));

        // the reminder is on the unit's timeline: who, and what was said
        await page.goto(`${demo.url}/${reminded}`);
        await page.getByTestId('history-table').waitFor();
        const entry = page.locator('[data-testid="history-row"][data-event="board.remind"]').first();
        const text = (await entry.textContent())!;
        expect(text).to.match(persona.unit === 'so' ? /Sở GDĐT .* đôn đốc/ : /Phòng GDĐT Châu Thành đôn đốc/);
        expect(text).to.include(message);
        expect(text).to.include(persona.unit === 'so' ? 'Chuyên viên giám sát Sở GDĐT' : 'Lãnh đạo Phòng GDĐT Châu Thành');
        await shot(page, SUITE, step('05-timeline'));
      });
    }

    it(`${persona.login}: the days-late filter, the exports and the printed page`, async () => {
      await open(persona.login, SIZES[0]);
      // a chip with work in it filters the tables and the lists
      const chips = page.getByTestId('age-filter');
      const counts = await chips.evaluateAll((els) => els.map((e) => Number(e.querySelector('.stat-n')?.textContent ?? 0)));
      const k = counts.findIndex((n) => n > 0);
      const chip = chips.nth(k);
      const age = (await chip.getAttribute('data-age'))!;
      expect(await chip.getAttribute('aria-pressed')).to.equal('false');
      await chip.click();
      expect(await page.getByTestId('age-filter').nth(k).getAttribute('aria-pressed')).to.equal('true');
      const panel = await expand(page.getByTestId('board-unit-row').first(), 'board-unit-link');
      const [lo, hi] = age === '>20' ? [21, Infinity] : age.split('-').map(Number);
      for (const n of await daysLate(page, panel)) expect(n).to.be.within(lo!, hi!);
      await shot(page, SUITE, `${persona.unit}-06-filtered`);
      await page.getByTestId('age-filter-clear').click();
      expect(await page.getByTestId('age-filter').nth(k).getAttribute('aria-pressed')).to.equal('false');

      // the XLSX: title, time, Vietnamese headers, most late first
      const xlsxDownload = page.waitForEvent('download');
      await page.getByTestId('export-xlsx').click();
      const xlsx = await xlsxDownload;
      expect(xlsx.suggestedFilename()).to.match(/^danh-sach-qua-han-.*\.xlsx$/);
      const book = new ExcelJS.Workbook();
      await book.xlsx.readFile((await xlsx.path())!);
      const rows: unknown[][] = [];
      book.worksheets[0]!.eachRow({ includeEmpty: true }, (r) => rows.push((r.values as unknown[]).slice(1)));
      expect(String(rows[0]![0])).to.match(/^Danh sách đơn vị quá hạn — /);
      expect(String(rows[1]![0])).to.match(/^Tính đến: \d\d\/\d\d\/\d{4} \d\d:\d\d/);
      expect(rows[3]).to.deep.equal(['Phòng', 'Đơn vị', 'Quy trình', 'Giai đoạn', 'Hạn', 'Số ngày làm việc quá hạn']);
      const late = rows.slice(4).map((r) => r[5] as number);
      expect(late.length).to.equal(Number(await page.getByTestId('total-overdue').locator('.stat-n').textContent()));
      expect(late).to.deep.equal([...late].sort((a, b) => b - a));

      // the CSV: the same rows
      const csvDownload = page.waitForEvent('download');
      await page.getByTestId('export-csv').click();
      const csv = readFileSync((await (await csvDownload).path())!, 'utf8');
      expect(csv.split('\r\n').filter(Boolean)).to.have.length(late.length + 3);

      // printed: no navigation, no buttons; a title with the unit and the date; bordered tables
      await page.emulateMedia({ media: 'print' });
      try {
        expect(await page.locator('header.top').isVisible()).to.equal(false);
        expect(await page.getByTestId('export-xlsx').isVisible()).to.equal(false);
        expect(await page.getByTestId('board-units').isVisible()).to.equal(false);
        const printed = page.getByTestId('print-list');
        expect(await printed.isVisible()).to.equal(true);
        expect(await printed.locator('h1').textContent()).to.match(/^Danh sách đơn vị quá hạn — /);
        expect(await printed.locator('p').first().textContent()).to.match(/^Tính đến ngày \d\d\/\d\d\/\d{4}/);
        const border = await printed
          .locator('td')
          .first()
          .evaluate((td) => (globalThis as unknown as Styles).getComputedStyle(td).borderTopStyle);
        expect(border).to.equal('solid');
        const groups = printed.locator('.print-group');
        if ((await groups.count()) > 1)
          expect(await groups.nth(1).evaluate((g) => (globalThis as unknown as Styles).getComputedStyle(g).breakBefore)).to.equal('page');
        expect(await printed.getByTestId('print-table').locator('tbody tr').count()).to.equal(late.length);
        await page.screenshot({ path: `test-results/browser/${SUITE}/${persona.unit}-07-print.png`, fullPage: true });
      } finally {
        await page.emulateMedia({ media: 'screen' });
      }
    });
  }

  it('lets the Sở open a Phòng’s own board from its list (Sở → Phòng → schools)', async () => {
    await open('giamsat.so', SIZES[0]);
    const row = page.locator('[data-testid="board-unit-row"][data-unit-id="pgd-chau-thanh"]');
    await (await expand(row, 'board-unit-link')).getByTestId('board-open-unit').click();
    await page.waitForFunction(
      () =>
        (globalThis as unknown as { document: { getElementById(id: string): { value: string } } }).document.getElementById('board-unit').value ===
        'pgd-chau-thanh',
    );
    await page.getByTestId('board-unit-row').first().waitFor();
    // one level down: the Phòng's schools, each opening its own list
    // the Phòng's board has replaced the Sở's: no other Phòng is listed
    await page.waitForFunction(
      (sel) => !(globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector(sel),
      '[data-testid="board-unit-row"][data-unit-id^="pgd-"]:not([data-unit-id="pgd-chau-thanh"])',
    );
    await page.locator('[data-testid="board-unit-row"]:not([data-unit-id="pgd-chau-thanh"])').first().waitFor();
    const school = page.locator('[data-testid="board-unit-row"]:not([data-unit-id="pgd-chau-thanh"])').first();
    const panel = await expand(school, 'board-unit-link');
    const first = await panel.getByTestId('drill-link').first().textContent();
    expect(first).to.equal(await school.getByTestId('board-unit-link').textContent());
    await shot(page, SUITE, 'so-08-phong-board');
  });
});
