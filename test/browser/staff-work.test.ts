// A staff member's whole job in chromium, on the demo province, at an office laptop's 1366×768 and a
// phone's 390×844: page through "Việc của tôi" and filter it (the counts on the filters are the
// lists they give), see the stages waiting on an event, open a returned dossier (the reason at the
// top, the inbox notice, the earlier answers in the form), reopen a completed task to correct it,
// and read the month of deadlines — with nothing wider than the phone's screen.
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { hashPassword } from '../../adapters/http/auth.ts';
import { Client } from '../http/support.ts';
import { demoInBrowser, login, PASSWORD, shot } from './support.ts';

const SUITE = 'staff-work';
const OFFICER = 'canbo.phong';
/** A school's staff account the test adds, on the school whose registration the Phòng returns. */
const SCHOOL_STAFF = 'truong.tralai';
const NOTE = 'Thiếu biên bản họp hội đồng tự đánh giá, đề nghị bổ sung';

const showing = async (page: Page) => (await page.getByTestId('tasks-showing').textContent())!;
/** "Hiện 1–50 trong 283" → [1, 50, 283] */
const numbers = async (page: Page) => (await showing(page)).match(/\d+/g)!.map(Number);
/** The count a filter shows in parentheses. */
const countIn = (text: string) => Number(/\((\d+)\)\s*$/.exec(text)![1]);
interface Returned {
  instanceId: string;
  taskId: string;
  answer: Record<string, unknown>;
  form: { properties: Record<string, { enum?: unknown[] }> } | null;
}

/** The form shows these answers: a list's choice by its place in the list (form.ts), the rest as typed. */
async function expectAnswers(page: Page, r: Returned): Promise<void> {
  expect(Object.keys(r.answer).length, 'the earlier answer has fields').to.be.greaterThan(0);
  for (const [field, value] of Object.entries(r.answer)) {
    const choices = r.form?.properties[field]?.enum;
    const control = page.locator(`[data-testid="task-form"] [name="${field}"]`).first();
    expect(await control.inputValue(), field).to.equal(choices ? String(choices.indexOf(value)) : String(value));
  }
}

/** Waits (up to 15 s) for a condition the page reaches after a click. */
async function until(ok: () => Promise<boolean>): Promise<void> {
  for (const started = Date.now(); !(await ok());) {
    if (Date.now() - started > 15_000) throw new Error('the page never got there');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const scrollWidth = (page: Page) => page.locator('html').evaluate((el) => el.scrollWidth);

describe('browser: staff work — the list, returned dossiers, reopening, the calendar', function () {
  this.timeout(240_000);
  const demo = demoInBrowser();
  let page: Page;
  let returned: Returned;
  before(() => {
    page = demo.page;
  });

  const waitShowing = (text: RegExp) => page.getByTestId('tasks-showing').filter({ hasText: text }).waitFor();

  it('pages through "Việc của tôi": the total on the page, next and previous', async () => {
    await login(page, demo.url, OFFICER);
    await page.getByTestId('tasks-table').waitFor();
    const [a, b, total] = await numbers(page);
    expect([a, b]).to.deep.equal([1, 50]);
    expect(total, 'more than the 200 the list used to stop at').to.be.greaterThan(200);
    expect(await page.getByTestId('task-row').count()).to.equal(50);
    await shot(page, SUITE, '01-list-1366');
    const firstPage = await page.getByTestId('task-row').first().getAttribute('data-task-id');
    await page.getByTestId('tasks-next').click();
    await waitShowing(new RegExp(`51–100 trong ${total}`));
    expect(await page.getByTestId('task-row').first().getAttribute('data-task-id')).to.not.equal(firstPage);
    expect(page.url()).to.contain('offset=50');
    await page.getByTestId('tasks-prev').click();
    await waitShowing(new RegExp(`1–50 trong ${total}`));
    expect(await page.getByTestId('tasks-prev').isDisabled()).to.equal(true);
  });

  it('filters by due date, process and search, each filter showing the count it gives', async () => {
    const chip = (await page.getByTestId('filter-due-overdue').textContent())!;
    await page.getByTestId('filter-due-overdue').click();
    await waitShowing(new RegExp(`trong ${countIn(chip)}$`));
    const urgencies = await page.getByTestId('task-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-urgency')));
    expect(urgencies.length).to.equal(countIn(chip));
    expect(new Set(urgencies)).to.deep.equal(new Set(['overdue']));
    // the stages waiting on an event are in the list, linked to the dossier where their buttons are
    const stageRows = page.locator('[data-testid="task-row"][data-kind="stage"]');
    expect(await stageRows.count(), 'overdue stages with no task are listed').to.be.greaterThan(0);
    expect(await stageRows.first().getByTestId('stage-waiting').textContent()).to.match(/^ · Chờ thao tác ở bước: \S/);
    await shot(page, SUITE, '02-overdue-1366');
    // a process: the option's count is the list's total
    const select = page.getByTestId('filter-definitionId');
    const option = select.locator('option').nth(1);
    const [value, label] = [(await option.getAttribute('value'))!, (await option.textContent())!];
    await select.selectOption(value);
    await waitShowing(new RegExp(`trong ${countIn(label)}$`));
    const processes = await page.locator('[data-testid="task-row"] td:nth-child(3)').allTextContents();
    expect(new Set(processes).size).to.equal(1);
    expect(label.startsWith(processes[0]!)).to.equal(true);
    // search without diacritics, the other filters cleared
    await page.getByTestId('filter-clear').click();
    await waitShowing(/1–50 trong \d{3}/);
    await page.getByTestId('filter-q').fill('nguyen du');
    await page.getByTestId('filter-search').click();
    await waitShowing(/trong \d{1,2}$/);
    const units = await page.locator('[data-testid="task-row"] td:nth-child(2)').allTextContents();
    expect(units.length).to.be.greaterThan(0);
    for (const u of units) expect(u).to.contain('Nguyễn Du');
    await shot(page, SUITE, '03-search-1366');
    await page.getByTestId('filter-clear').click();
  });

  it('opens a returned dossier: the reason at the top, the notice in the inbox, the earlier answers in the form', async () => {
    // The Phòng returns a primary school's registration, with a note (through the API, as its officer).
    const phong = new Client(demo.url);
    await phong.login(OFFICER, PASSWORD);
    const waiting = (await phong.get('/api/v1/instances?definitionId=accreditation-primary&stage=district_review&status=running&limit=5')).body.items;
    expect(waiting.length, 'the demo has a registration waiting on the Phòng').to.be.greaterThan(0);
    const instance = waiting[0];
    const tl = (await phong.get(`/api/v1/instances/${instance.id}`)).body;
    const letter = tl.tasks.filter((k: { task: string; status: string }) => k.task === 'request_letter' && k.status === 'done').at(-1);
    returned = { instanceId: instance.id, answer: letter.data, taskId: '', form: null };
    await demo.app.accounts.putUser(
      { id: 'u-tralai', login: SCHOOL_STAFF, name: 'Lê Thị Hồng', email: 'hong@test.vn', passwordHash: await hashPassword(PASSWORD, 4), createdAt: 0 },
      [{ role: 'staff', unitId: instance.orgUnitId }],
    );
    const sent = await phong.post(`/api/v1/instances/${instance.id}/events`, { type: 'REVIEW', data: { decision: 'returned', note: NOTE } });
    expect(sent.status, sent.text).to.equal(200);

    await page.getByTestId('logout').click();
    await login(page, demo.url, SCHOOL_STAFF);
    await page.getByTestId('nav-inbox').click();
    const notice = page.locator('[data-testid="inbox-item"]', { hasText: NOTE });
    await notice.waitFor();
    expect(await notice.locator('.badge').textContent()).to.equal('Trả lại');
    expect(await notice.textContent()).to.contain('Đăng ký đánh giá ngoài');
    await shot(page, SUITE, '04-inbox-returned');

    await page.getByTestId('nav-tasks').click();
    await page.getByTestId('tasks-table').waitFor();
    const row = page.locator(`[data-testid="task-row"][data-task-id^="${instance.id}.registration."][data-task-id$=".request_letter"]`);
    returned.taskId = (await row.getAttribute('data-task-id'))!;
    returned.form = (await phong.get(`/api/v1/tasks/${encodeURIComponent(returned.taskId)}`)).body.form;
    await row.getByTestId('task-link').click();
    const box = page.getByTestId('task-returned');
    await box.waitFor();
    expect(await box.getAttribute('data-kind')).to.equal('returned');
    expect(await page.getByTestId('returned-by').textContent()).to.contain('Chuyên viên Phòng GDĐT Châu Thành');
    expect(await page.getByTestId('returned-fields').textContent()).to.contain(NOTE);
    await page.getByTestId('task-prefilled').waitFor();
    // the registration letter's earlier answer is in the form
    await expectAnswers(page, returned);
    await shot(page, SUITE, '05-task-returned');
  });

  it('completes the returned task from its prefilled form, then reopens it from the timeline to correct it', async () => {
    await page.getByTestId('task-submit').click();
    await page.getByTestId('flash').waitFor();
    await page.getByTestId('tasks-of-instance').waitFor();
    const reopen = page.locator('[data-testid="tasks-of-instance"] [data-testid="task-reopen"]');
    expect(await reopen.count(), 'the done letter can be reopened').to.equal(1);
    await shot(page, SUITE, '06-timeline-done');
    await reopen.click();
    // a reason is asked first
    await page.getByTestId('reopen-confirm').click();
    expect(await page.getByTestId('reopen-form').locator('.field-error').textContent()).to.equal('Hãy ghi lý do.');
    await page.getByTestId('reopen-reason').fill('Chọn nhầm hình thức công nhận');
    await page.getByTestId('reopen-confirm').click();
    await page.getByTestId('task-returned').waitFor();
    expect(await page.getByTestId('flash').textContent()).to.match(/^Đã mở lại “.+” để sửa\.$/);
    expect(await page.getByTestId('task-returned').getAttribute('data-kind')).to.equal('reopened');
    expect(await page.getByTestId('returned-reason').textContent()).to.contain('Chọn nhầm hình thức công nhận');
    expect(await page.getByTestId('task-submit').isEnabled()).to.equal(true);
    await expectAnswers(page, returned);
    await shot(page, SUITE, '07-task-reopened');
    // and from the task page itself, once done again
    await page.getByTestId('task-submit').click();
    await page.getByTestId('flash').waitFor();
    await page.locator('[data-testid="tasks-of-instance"] a[data-testid="task-link-done"]', { hasText: /./ }).first().waitFor();
  });

  it('shows the month of deadlines, Monday first, days off greyed, and moves between months', async () => {
    await page.getByTestId('logout').click();
    await login(page, demo.url, OFFICER);
    await page.getByTestId('nav-calendar').click();
    await page.getByTestId('calendar-grid').waitFor();
    const heads = await page.locator('[data-testid="calendar-grid"] thead th').allTextContents();
    expect(heads).to.deep.equal(['Thứ Hai', 'Thứ Ba', 'Thứ Tư', 'Thứ Năm', 'Thứ Sáu', 'Thứ Bảy', 'Chủ nhật']);
    const month = (await page.getByTestId('calendar-month').textContent())!;
    const count = Number(/^(\d+)/.exec((await page.getByTestId('calendar-count').textContent())!)![1]);
    const shown = await page.getByTestId('calendar-day').evaluateAll((days) => days.reduce((n, d) => n + Number(d.getAttribute('data-count')), 0));
    expect(shown, 'every item due this month sits on its day').to.equal(count);
    // Saturdays and Sundays are off (greyed) unless made working days
    const off = await page.locator('[data-testid="calendar-day"][data-off="true"]').evaluateAll((days) => days.map((d) => d.getAttribute('data-date')!));
    expect(off.length).to.be.within(8, 14);
    for (const date of off.slice(0, 3)) expect(await page.locator(`[data-date="${date}"]`).getAttribute('class')).to.contain('cal-off');
    await shot(page, SUITE, '08-calendar-1366');
    await page.getByTestId('calendar-next').click();
    await until(async () => (await page.getByTestId('calendar-month').textContent()) !== month);
    expect(page.url()).to.match(/#\/calendar\?m=\d{4}-\d{2}$/);
    await page.getByTestId('calendar-prev').click();
    await until(async () => (await page.getByTestId('calendar-month').textContent()) === month);
    await page.getByTestId('calendar-grid').waitFor();
    const item = page.getByTestId('calendar-item').first();
    const href = (await item.getAttribute('href'))!;
    expect(href).to.match(/^#\/(tasks|instances)\/[^/]+$/);
    await item.click();
    await page.waitForURL(`**/${href}`);
  });

  describe('at 390×844, a phone', () => {
    before(async () => {
      await page.setViewportSize({ width: 390, height: 844 });
    });
    after(async () => {
      await page.setViewportSize({ width: 1366, height: 768 });
    });

    it('fits the list, a task, the timeline and the calendar without scrolling sideways', async () => {
      await page.goto(`${demo.url}/#/tasks`);
      await page.getByTestId('tasks-table').waitFor();
      expect(await scrollWidth(page), 'the list').to.be.at.most(390);
      await shot(page, SUITE, '09-list-390');
      await page.getByTestId('filter-due-overdue').click();
      await page.locator('[data-testid="task-row"][data-kind="stage"]').first().waitFor();
      expect(await scrollWidth(page), 'the filtered list').to.be.at.most(390);
      await page.locator('[data-testid="task-row"][data-kind="task"] [data-testid="task-link"]').first().click();
      await page.getByTestId('task-form').waitFor();
      expect(await scrollWidth(page), 'a task').to.be.at.most(390);
      await shot(page, SUITE, '10-task-390');
      await page.getByTestId('timeline-link').click();
      await page.getByTestId('history-table').waitFor();
      expect(await scrollWidth(page), 'the timeline').to.be.at.most(390);
      await shot(page, SUITE, '11-timeline-390');
      await page.goto(`${demo.url}/#/instances/${encodeURIComponent(returned.instanceId)}`);
      await page.getByTestId('history-table').waitFor();
      expect(await scrollWidth(page), 'the returned dossier’s timeline').to.be.at.most(390);
      await page.locator('[data-testid="tasks-of-instance"]').scrollIntoViewIfNeeded();
      await shot(page, SUITE, '11b-timeline-tasks-390');
      await page.goto(`${demo.url}/#/calendar`);
      await page.getByTestId('calendar-grid').waitFor();
      expect(await scrollWidth(page), 'the calendar').to.be.at.most(390);
      await shot(page, SUITE, '12-calendar-390');
    });
  });
});
