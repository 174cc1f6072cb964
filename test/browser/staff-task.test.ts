// A school's staff member signs in, opens an open task from "Việc của tôi", fills its form (a refused
// value first: the server's message sits next to the field), submits, and sees the instance's stage
// advance on the timeline — in chromium, against the real app on a
// real SQLite store with the demo province.
import { expect } from 'chai';
import type { Locator, Page } from 'playwright-core';
import { demoInBrowser, fillTaskForm, login, shot } from './support.ts';

const SUITE = 'staff-task';
/** Staff of a primary school; among its open tasks the demo leaves one with a form. */
const STAFF = 'truong.th';

describe('browser: staff completes a task and the stage advances', function () {
  this.timeout(180_000);
  const demo = demoInBrowser();
  let page: Page;
  before(() => {
    page = demo.page;
  });

  it('shows the open tasks sorted by due date and coloured by deadline', async () => {
    // the primary school's staff: among its open tasks is one with a form (the website link)
    await login(page, demo.url, STAFF);
    await page.getByTestId('tasks-table').waitFor();
    await shot(page, SUITE, '01-my-tasks');
    const rows = page.getByTestId('task-row');
    expect(await rows.count()).to.be.greaterThan(0);
    const dues = await page.getByTestId('task-due').allTextContents();
    const asDays = dues.filter((d) => /^\d\d\/\d\d\/\d{4}$/.test(d)).map((d) => d.split('/').reverse().join(''));
    expect(asDays, 'soonest due first').to.deep.equal([...asDays].sort());
    const urgencies = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-urgency')));
    for (const u of urgencies) expect(['overdue', 'soon', 'ok', 'none']).to.include(u);
    expect(urgencies, 'the demo has overdue work').to.include('overdue');
  });

  it('opens a task with a form; a value the server refuses is shown next to its field', async () => {
    await openTaskWithForm(page);
    await shot(page, SUITE, '02-task');
    const url = page.locator('[data-testid="task-form"] input[type=url], [data-testid="task-form"] input[type=number][min]').first();
    expect(await url.count(), 'the demo leaves this school a task with a link or a bounded number to get wrong').to.be.greaterThan(0);
    // past the browser's own check, to see the server's answer
    await page.getByTestId('task-form').evaluate((form) => form.setAttribute('novalidate', ''));
    const name = (await url.getAttribute('name'))!;
    await url.fill((await url.getAttribute('type')) === 'url' ? 'không phải đường dẫn' : String(Number(await url.getAttribute('min')) - 1));
    await page.getByTestId('task-submit').click();
    await page.getByTestId('form-invalid').waitFor();
    expect(await page.getByTestId(`error-${name}`).textContent()).to.not.equal('');
    await shot(page, SUITE, '03-field-error');
    await page.getByTestId('task-form').evaluate((form) => form.removeAttribute('novalidate'));
  });

  it('completes the task with its form and sees the stage advance on the timeline', async () => {
    const stageTitle = (await page.locator('.subtitle').textContent())!.split(' · ').at(-1)!;
    await fillTaskForm(page);
    await shot(page, SUITE, '04-task-filled');
    await page.getByTestId('task-submit').click();

    // the timeline, with the completion on record
    await page.getByTestId('flash').waitFor();
    const completed = page.locator('[data-testid="history-row"][data-event="task.complete"]').first();
    await completed.waitFor();
    await shot(page, SUITE, '05-timeline-after-complete');
    if (!(await movedStage(completed))) {
      // this stage waits for more: its other tasks, its evidence, then the event that leaves it
      await finishStage(page, page.url());
      const before = await activeStages(page);
      const button = page.locator('[data-testid="active-stage"] [data-testid^="event-"]').first();
      const label = (await button.textContent())!.trim();
      expect(label, 'the button says what it does, not the event name').to.not.match(/^[A-Z][A-Z0-9_]*$/);
      await button.click();
      // the message appears once the timeline has been redrawn, naming the event by its title
      await page.getByTestId('event-sent').waitFor();
      expect(await page.getByTestId('event-sent').textContent()).to.include(`Đã gửi “${label}”.`);
      expect(await activeStages(page), `left "${stageTitle}"`).to.not.deep.equal(before);
    }
    const last = page.getByTestId('history-row').first();
    expect(await movedStage(last), (await last.textContent())!).to.equal(true);
    expect(await page.getByTestId('active-stages').textContent()).to.not.include(stageTitle);
    await shot(page, SUITE, '06-stage-advanced');
  });
});

/** Opens the first open task that has a form. */
async function openTaskWithForm(page: Page): Promise<void> {
  const links = page.getByTestId('task-link');
  const count = await links.count();
  for (let i = 0; i < count; i++) {
    await page.getByTestId('task-link').nth(i).click();
    await page.getByTestId('task-form').waitFor();
    if (await page.locator('[data-testid="task-form"] [data-testid^="field-"]').count()) return;
    await page.goBack();
    await page.getByTestId('tasks-table').waitFor();
  }
  throw new Error(`none of the ${count} open tasks has a form; the demo is meant to leave one`);
}

/** Whether a history row's "from → to" names different stages. */
async function movedStage(row: Locator): Promise<boolean> {
  const change = (await row.locator('td').last().textContent())!;
  const [from, to] = change.split(' → ');
  return from !== to;
}

async function activeStages(page: Page): Promise<string[]> {
  return page.getByTestId('active-stage').evaluateAll((els) => els.map((e) => e.getAttribute('data-stage') ?? ''));
}

/** Completes every open task of the instance (each through its form) and ticks its evidence. */
async function finishStage(page: Page, instanceUrl: string): Promise<void> {
  for (let guard = 0; guard < 12; guard++) {
    const open = page.locator('[data-testid="tasks-of-instance"] [data-testid="open-task-link"]');
    if (!(await open.count())) break;
    await open.first().click();
    await page.getByTestId('task-form').waitFor();
    await tickEvidence(page);
    await fillTaskForm(page);
    await page.getByTestId('task-submit').click();
    await page.getByTestId('flash').waitFor();
  }
  const anyTask = page.locator('[data-testid="tasks-of-instance"] [data-testid="task-link-done"]').last();
  if (await anyTask.count()) {
    await anyTask.click();
    await page.getByTestId('evidence').waitFor();
    await tickEvidence(page);
  }
  await page.goto(instanceUrl);
  await page.getByTestId('active-stages').waitFor();
}

async function tickEvidence(page: Page): Promise<void> {
  const boxes = page.locator('[data-testid="evidence"] input[type=checkbox]');
  for (let i = 0; i < (await boxes.count()); i++) {
    const box = boxes.nth(i);
    if (await box.isChecked()) continue;
    const done = page.waitForResponse((r) => r.url().includes('/evidence') && r.request().method() === 'POST');
    await box.check();
    expect((await done).status()).to.equal(200);
  }
}
