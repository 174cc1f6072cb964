// A Phòng's supervisor finds an overdue school on the overdue board, drills down to its timeline,
// and exports the board as CSV — in chromium, against the real app with the demo province.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { demoInBrowser, login, shot } from './support.ts';

const SUITE = 'supervisor-board';

describe('browser: supervisor drills into an overdue school and exports the board', function () {
  this.timeout(180_000);
  const demo = demoInBrowser();
  let page: Page;
  before(() => {
    page = demo.page;
  });

  let school = '';

  it('finds an overdue school on the board and opens its timeline', async () => {
    await login(page, demo.url, 'giamsat.phong');
    await page.getByTestId('board-units').waitFor();
    await shot(page, SUITE, '01-board');
    expect(Number(await page.getByTestId('total-overdue').locator('.stat-n').textContent())).to.be.greaterThan(0);

    // the school with the most overdue instances
    const rows = page.getByTestId('board-unit-row');
    const overdue = await rows.evaluateAll((els) => els.map((e) => Number(e.querySelector('td:nth-child(2)')?.textContent ?? 0)));
    const worst = overdue.indexOf(Math.max(...overdue));
    expect(overdue[worst]).to.be.greaterThan(0);
    school = (await rows.nth(worst).getByTestId('board-unit-link').textContent())!;
    await rows.nth(worst).click();
    await page.locator(`[data-testid="board-unit-row"][aria-selected="true"]`).waitFor();
    expect(await rows.nth(worst).getAttribute('aria-selected')).to.equal('true');
    await page.getByTestId('drill-instances').waitFor();
    await shot(page, SUITE, '02-drill-down');
    const links = page.getByTestId('drill-link');
    expect(await links.count()).to.be.greaterThan(0);
    expect(await links.first().textContent()).to.equal(school);

    await links.first().click();
    await page.getByTestId('history-table').waitFor();
    expect(await page.getByTestId('instance-unit').textContent()).to.include(school);
    // overdue: the active stage's deadline is shown in red
    expect(await page.locator('[data-testid="active-stage"] .due-overdue').count()).to.be.greaterThan(0);
    await shot(page, SUITE, '03-timeline');
  });

  it('exports the board as CSV with the school in it', async () => {
    await page.goBack();
    await page.getByTestId('board-units').waitFor();
    const download = page.waitForEvent('download');
    await page.getByTestId('export-csv').click();
    const file = await download;
    expect(file.suggestedFilename()).to.match(/\.csv$/);
    const path = await file.path();
    const csv = readFileSync(path, 'utf8');
    expect(csv).to.include(school);
    await shot(page, SUITE, '04-exported');
  });
});
