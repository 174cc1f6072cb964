// A school's staff member attaches a PDF to a task, sees it on the task page and on the instance's
// timeline (a history entry and the attachments card), downloads it back byte for byte, and writes
// in the stage's comment thread, named by their full name — in chromium against the real app and
// the demo province, at a laptop's 1366×768 and a phone's 390×844. A file that is a program is
// refused in Vietnamese, and a comment's markup shows as text.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { demoInBrowser, login, shot } from './support.ts';

const SUITE = 'files-comments';
const STAFF = 'truong.th';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const NAME = 'Biên bản họp hội đồng.pdf';
const COMMENT = 'Đã bổ sung biên bản <b>họp</b> theo góp ý của Phòng.';

describe('browser: attachments and a stage comment thread', function () {
  this.timeout(240_000);
  const demo = demoInBrowser();
  let page: Page;
  let taskUrl: string;
  let fullName: string;
  before(() => {
    page = demo.page;
    fullName = demo.app.demo!.users.find((u) => u.login === STAFF)!.name;
  });

  it('attaches a PDF to a task and refuses a program named .pdf, at 1366×768', async () => {
    await login(page, demo.url, STAFF);
    await page.getByTestId('tasks-table').waitFor();
    await page.getByTestId('task-link').first().click();
    await page.getByTestId('attach-form').waitFor();
    taskUrl = page.url();
    await page
      .getByTestId('attach-file')
      .setInputFiles({ name: 'setup.pdf', mimeType: 'application/pdf', buffer: Buffer.from('MZ\x90\x00 not a pdf at all \x00\x01', 'latin1') });
    await page.getByTestId('attach-submit').click();
    const refused = page.getByTestId('attachment-error');
    await refused.waitFor();
    // named, with what is taken, in Vietnamese: the content decides, not the name
    expect(await refused.textContent()).to.include('không phải là PDF, ảnh hay văn bản văn phòng');
    await shot(page, SUITE, '01-refused-program');
    await page.getByTestId('attach-file').setInputFiles({ name: NAME, mimeType: 'application/pdf', buffer: PDF });
    await page.getByTestId('attach-submit').click();
    await page.getByTestId('attachment-added').waitFor();
    const row = page.locator(`[data-testid="attachment-row"][data-name="${NAME}"]`);
    await row.waitFor();
    expect(await row.textContent()).to.include(fullName);
    await shot(page, SUITE, '02-attached');
  });

  it('posts a comment on the stage; its markup shows as text, its author by full name', async () => {
    const thread = page.getByTestId('comments').first();
    await thread.getByTestId('comment-text').fill(COMMENT);
    await thread.getByTestId('comment-send').click();
    await page.getByTestId('comment-sent').waitFor();
    const comment = thread.getByTestId('comment').last();
    expect(await comment.locator('.comment-text').textContent()).to.equal(COMMENT);
    expect(await comment.locator('b').count(), 'no markup made of the text').to.equal(0);
    expect(await comment.locator('strong').textContent()).to.equal(fullName);
    await comment.scrollIntoViewIfNeeded();
    await shot(page, SUITE, '03-comment');
  });

  it('shows the file on the timeline and downloads it as sent', async () => {
    await page.getByTestId('timeline-link').click();
    const entry = page.locator('[data-testid="history-row"][data-event="file.attached"]').first();
    await entry.waitFor();
    const text = (await entry.textContent())!;
    expect(text).to.include('Đã đính kèm tệp');
    expect(text).to.include(NAME);
    expect(text).to.include(fullName);
    expect(text, 'no raw event name').to.not.include('file.attached');
    // the stage's thread is there too, with the comment
    expect(await page.getByTestId('comments').first().getByTestId('comment').last().locator('.comment-text').textContent()).to.equal(COMMENT);
    await entry.scrollIntoViewIfNeeded();
    await shot(page, SUITE, '04-timeline');
    const link = page.getByTestId('attachments').locator(`a[data-testid="attachment-link"]`, { hasText: NAME });
    await link.scrollIntoViewIfNeeded();
    await shot(page, SUITE, '05-attachments-card');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).to.equal(NAME);
    expect(readFileSync((await download.path())!).equals(PDF)).to.equal(true);
  });

  it('fits a phone at 390×844: the task page and the timeline, files and comments without sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(taskUrl);
    const card = page.getByTestId('attachments');
    await card.locator(`[data-testid="attachment-row"][data-name="${NAME}"]`).waitFor();
    for (const id of ['attachments', 'task-comments']) {
      const box = (await page.getByTestId(id).boundingBox())!;
      expect(box.x + box.width, `${id} within the screen`).to.be.at.most(390);
    }
    await card.scrollIntoViewIfNeeded();
    await shot(page, SUITE, '06-phone-task-files');
    await page.getByTestId('task-comments').scrollIntoViewIfNeeded();
    await shot(page, SUITE, '07-phone-task-comments');
    await page.getByTestId('timeline-link').click();
    await page.locator('[data-testid="history-row"][data-event="file.attached"]').first().waitFor();
    const attachments = (await page.getByTestId('attachments').boundingBox())!;
    expect(attachments.x + attachments.width).to.be.at.most(390);
    await page.getByTestId('attachments').scrollIntoViewIfNeeded();
    await shot(page, SUITE, '08-phone-timeline-files');
    await page.setViewportSize({ width: 1366, height: 768 });
  });

  it('removes the file it sent, in two clicks, and the timeline keeps that it was there', async () => {
    await page.goto(taskUrl);
    const row = page.locator(`[data-testid="attachment-row"][data-name="${NAME}"]`);
    await row.waitFor();
    const remove = row.getByTestId('attachment-remove');
    await remove.click();
    expect(await remove.textContent()).to.equal('Bấm lần nữa để gỡ');
    expect(await row.count(), 'nothing removed on the first click').to.equal(1);
    await remove.click();
    await page.getByTestId('attachment-removed').waitFor();
    expect(await row.count()).to.equal(0);
    await shot(page, SUITE, '09-removed');
    await page.getByTestId('timeline-link').click();
    const removed = page.locator('[data-testid="history-row"][data-event="file.removed"]').first();
    await removed.waitFor();
    expect(await removed.textContent()).to.include('Đã gỡ tệp đính kèm');
    expect(await page.locator('[data-testid="history-row"][data-event="file.attached"]').count()).to.equal(1);
  });
});
