// Events and options read by their titles in chromium: a school's annual report waits for the
// principal's decision; its button, the options of its form, the confirmation after sending and the
// history line all say what the definition calls them — in Vietnamese, then in English — and never
// the event's name (DECISION) or the value sent (approved).
import { expect } from 'chai';
import { FLAGSHIP } from '../../adapters/demo/province.ts';
import { demoInBrowser, login, shot } from './support.ts';

const SUITE = 'titles';
/** Staff of the demo's flagship primary school: the principal's role there is theirs to act in. */
const STAFF = 'truong.th';

describe('browser: events and options by their titles', function () {
  this.timeout(180_000);
  const demo = demoInBrowser();
  let instanceId = '';

  before(async () => {
    // A fresh annual report brought to the principal's approval through the engine.
    const engine = demo.app.runtime.engine;
    const actor = { actor: STAFF };
    instanceId = (await engine.start({ definitionId: 'public-disclosure', orgUnitId: FLAGSHIP.primary }, actor)).id;
    await engine.completeTask(instanceId, 'collect_information', {}, actor);
    await engine.completeTask(instanceId, 'draft_report', {}, actor);
    await engine.send(instanceId, { type: 'SUBMIT' }, actor);
  });

  it('the button and the form’s options say what they do; the sent message and the history name the title', async () => {
    const page = demo.page;
    await login(page, demo.url, STAFF);
    await page.goto(`${demo.url}/#/instances/${encodeURIComponent(instanceId)}`);
    const button = page.getByTestId('event-DECISION');
    await button.waitFor();
    expect((await button.textContent())!.trim()).to.equal('Hiệu trưởng duyệt báo cáo');
    await button.click();
    const select = page.getByTestId('event-form-DECISION').locator('select');
    // the first option is the empty choice
    expect((await select.locator('option').allTextContents()).slice(1)).to.deep.equal(['Phê duyệt', 'Trả lại để chỉnh sửa']);
    await select.selectOption({ label: 'Phê duyệt' });
    await shot(page, SUITE, '01-decision-form');
    await page.getByTestId('event-send-DECISION').click();
    await page.getByTestId('event-sent').waitFor();
    expect(await page.getByTestId('event-sent').textContent()).to.equal('Đã gửi “Hiệu trưởng duyệt báo cáo”.');
    const row = page.locator('[data-testid="history-row"][data-event="DECISION"]').first();
    const text = (await row.textContent())!;
    expect(text).to.include('Hiệu trưởng duyệt báo cáo');
    expect(text).to.include('Kết luận: Phê duyệt');
    expect(text).to.not.match(/approved|DECISION/);
    // the completed tasks by their titles, never their ids
    const done = (await page.locator('[data-testid="history-row"][data-event="task.complete"]').allTextContents()).join('\n');
    expect(done).to.include('Hoàn thành việc');
    expect(done).to.include('Dự thảo báo cáo thường niên');
    expect(done).to.not.include('draft_report');
    await row.scrollIntoViewIfNeeded();
    await shot(page, SUITE, '02-decision-sent');

    // the same line in English, through the language switch
    await page.getByTestId('lang-en').click();
    await page.locator('[data-testid="history-row"][data-event="DECISION"]').first().waitFor();
    const english = (await page.locator('[data-testid="history-row"][data-event="DECISION"]').first().textContent())!;
    expect(english).to.include("The principal's decision on the report");
    expect(english).to.include('Decision: Approved');
    await page.locator('[data-testid="history-row"][data-event="DECISION"]').first().scrollIntoViewIfNeeded();
    await shot(page, SUITE, '03-decision-in-english');
    await page.getByTestId('lang-vi').click();
  });
});
