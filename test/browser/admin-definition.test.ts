// An administrator opens a process definition, introduces an error, sees it inline at the right
// line, fixes it as the message suggests, publishes a new version, launches a campaign with it and
// watches the progress bar fill — in chromium, against the real app with the demo province.
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { demoInBrowser, login, shot } from './support.ts';

const SUITE = 'admin-definition';
const PROCESS = 'public-disclosure';
/** Put in the new version's title: it must show as these characters, never become an element. */
const HOSTILE = '<img src=x onerror=alert(1)>';

describe('browser: administrator edits, publishes and launches a process', function () {
  this.timeout(240_000);
  const demo = demoInBrowser();
  let page: Page;
  before(() => {
    page = demo.page;
  });

  let published = 0;

  it('opens the definition: its YAML in the editor and its diagram', async () => {
    await login(page, demo.url, 'admin');
    await page.getByTestId('definitions-table').waitFor();
    await shot(page, SUITE, '01-definitions');
    await page.locator(`[data-testid="definition-row"][data-definition-id="${PROCESS}"] [data-testid="definition-link"]`).click();
    await page.getByTestId('diagram-image').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('diagnostics-summary').textContent()).to.match(/^(Không có lỗi\.|0 lỗi)/);
    await shot(page, SUITE, '02-editor');
  });

  it('shows an error inline at its line and column, and its fix makes it go away', async () => {
    const source = await editorText(page);
    // misspell the first transition target
    const match = /^([ \t]*[^\n]*?\btarget:[ \t]*)([a-z_]+)/m.exec(source);
    expect(match, 'a transition with a target').to.not.equal(null);
    const target = match![2]!;
    const line = source.slice(0, match!.index).split('\n').length;
    const column = match![1]!.length + 1;
    await setEditorText(page, source.slice(0, match!.index) + match![1] + `${target}x` + source.slice(match!.index + match![0].length));

    const diagnostic = page.getByTestId('diagnostic').first();
    await diagnostic.waitFor();
    expect(await diagnostic.getAttribute('data-code')).to.equal('UNKNOWN_TARGET');
    expect(Number(await diagnostic.getAttribute('data-line'))).to.equal(line);
    expect(Number(await diagnostic.getAttribute('data-column'))).to.equal(column);
    const message = (await diagnostic.textContent())!;
    expect(message).to.include(`dòng ${line}, cột ${column}`);
    // worded in Vietnamese, naming the stage written and the stages there are
    expect(message).to.include(`giai đoạn đích "${target}x" không tồn tại`);
    expect(message).to.match(/các giai đoạn có: [a-z_]+, /);
    expect(message).to.not.match(/unknown target|stages are/);
    // in the text: jump there from the list; the marked word sits on that line, with a gutter marker
    await diagnostic.locator('button').click();
    await page.locator('.cm-activeLine .cm-lintRange-error').waitFor();
    expect(await page.locator('.cm-activeLine .cm-lintRange-error').textContent()).to.equal(`${target}x`);
    expect(await page.locator('.cm-activeLineGutter').first().textContent()).to.equal(String(line));
    expect(await page.locator('.cm-lint-marker-error').count()).to.be.greaterThan(0);
    await shot(page, SUITE, '03-inline-error');

    // the message names the fix
    const suggestion = /did you mean "([^"]+)"|có phải là "([^"]+)"/.exec(message);
    expect(suggestion, message).to.not.equal(null);
    const fixed = suggestion![1] ?? suggestion![2]!;
    expect(fixed).to.equal(target);
    await setEditorText(page, (await editorText(page)).replace(`${target}x`, fixed));
    await page.locator('[data-testid="diagnostic"][data-severity="error"]').first().waitFor({ state: 'detached' });
    expect(await page.getByTestId('diagnostics-summary').textContent()).to.match(/^(Không có lỗi\.|0 lỗi)/);
    expect(await page.locator('.cm-lintRange-error').count()).to.equal(0);
  });

  it('words a schema error in Vietnamese, and the "could not publish" banner goes once the errors are fixed', async () => {
    const source = await editorText(page);
    // an unknown key on the first stage: the JSON Schema check (ajv) words it, naming the key and the allowed ones
    const broken = source.replace(/^(stages:\n  [a-z_]+:\n)/m, '$1    deadline: 5\n');
    expect(broken).to.not.equal(source);
    await setEditorText(page, broken);
    const unknownKey = page.locator('[data-testid="diagnostic"][data-code="SCHEMA_UNKNOWN_KEY"]');
    await unknownKey.waitFor();
    const words = (await unknownKey.textContent())!;
    expect(words).to.include('khóa "deadline" không được dùng trong');
    expect(words).to.include('các khóa được dùng: title,');

    await page.getByTestId('publish').click();
    await page.getByTestId('publish-invalid').waitFor();
    expect(await page.getByTestId('publish-invalid').textContent()).to.include('Chưa xuất bản được');
    await shot(page, SUITE, '03b-publish-refused');

    await setEditorText(page, source);
    await page.getByTestId('publish-invalid').waitFor({ state: 'detached' });
    expect(await page.getByTestId('diagnostics-summary').textContent()).to.match(/^(Không có lỗi\.|0 lỗi)/);

    // in English through the language switch, the same check speaks English
    await setLanguage(page, 'en');
    await setEditorText(page, broken);
    await unknownKey.waitFor();
    expect(await unknownKey.textContent()).to.include('unknown key "deadline"');
    await setEditorText(page, source);
    await unknownKey.waitFor({ state: 'detached' });
    await setLanguage(page, 'vi');
    await page
      .getByTestId('diagnostics-summary')
      .filter({ hasText: /Không có lỗi|0 lỗi/ })
      .waitFor();
  });

  it('previews the impact naming stages by their titles, never their ids', async () => {
    await page.getByTestId('impact').click();
    const result = page.getByTestId('impact-result');
    await result.waitFor();
    const stages = page.getByTestId('impact-stage');
    expect(await stages.count(), 'the demo runs this process').to.be.greaterThan(0);
    for (let i = 0; i < (await stages.count()); i++) {
      const id = (await stages.nth(i).getAttribute('data-stage'))!;
      const title = (await stages.nth(i).textContent())!;
      expect(title, id).to.not.equal(id);
      expect(title).to.not.match(/^[a-z]+(_[a-z0-9]+)+$/);
    }
    const text = (await result.textContent())!;
    expect(text).to.not.match(/\brunning\b|\bv\d+:/);
    expect(text).to.include('hồ sơ đang chạy');
  });

  it('draws the diagram at a readable size, with zoom, fit, pan and full screen', async () => {
    const viewport = page.getByTestId('diagram-viewport');
    const img = page.getByTestId('diagram-image');
    await img.waitFor();
    const scale = async () => Number(await viewport.getAttribute('data-scale'));
    // natural size at first: the image is drawn as wide as the SVG says, not shrunk to the column
    expect(await scale()).to.equal(1);
    const natural = Number(await img.getAttribute('width'));
    const drawn = (await img.boundingBox())!.width;
    expect(drawn).to.be.closeTo(natural, 2);
    expect(natural, 'the diagram is wider than its column: it used to be shrunk to fit').to.be.greaterThan((await viewport.boundingBox())!.width);

    for (const [testid, name] of <[string, string][]>[
      ['diagram-zoom-in', 'Phóng to sơ đồ'],
      ['diagram-zoom-out', 'Thu nhỏ sơ đồ'],
      ['diagram-fit', 'Vừa khung nhìn'],
      ['diagram-fullscreen', 'Xem sơ đồ toàn màn hình'],
    ])
      expect(await page.getByTestId(testid).getAttribute('aria-label')).to.equal(name);

    await page.getByRole('button', { name: 'Phóng to sơ đồ' }).click();
    expect(await scale()).to.be.greaterThan(1);
    expect((await img.boundingBox())!.width).to.be.greaterThan(drawn * 1.2);
    await page.getByRole('button', { name: 'Thu nhỏ sơ đồ' }).click();
    await page.getByRole('button', { name: 'Thu nhỏ sơ đồ' }).click();
    expect(await scale()).to.be.lessThan(1);
    await page.getByRole('button', { name: 'Vừa khung nhìn' }).click();
    const fitted = (await img.boundingBox())!;
    const frame = (await viewport.boundingBox())!;
    expect(fitted.width).to.be.at.most(frame.width + 1);
    expect(fitted.height).to.be.at.most(frame.height + 1);
    expect(fitted.x).to.be.at.least(frame.x - 1);
    await shot(page, SUITE, '03c-diagram-fit');

    // pan: dragging moves the drawing by the drag
    await page.getByTestId('diagram-zoom-reset').click();
    await viewport.scrollIntoViewIfNeeded();
    const box = (await viewport.boundingBox())!;
    const before = (await img.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 - 120, box.y + box.height / 2 - 60, { steps: 5 });
    await page.mouse.up();
    const after = (await img.boundingBox())!;
    expect(before.x - after.x).to.be.closeTo(120, 3);
    expect(before.y - after.y).to.be.closeTo(60, 3);

    // full screen: the viewer fills the window (the Fullscreen API, or the overlay where it is refused)
    await page.getByTestId('diagram-fullscreen').click();
    await page.locator('[data-testid="diagram-viewer"].fullscreen').waitFor();
    const full = (await page.getByTestId('diagram-viewport').boundingBox())!;
    expect(full.width).to.be.greaterThan(1200);
    expect(await page.getByTestId('diagram-fullscreen').getAttribute('aria-label')).to.equal('Thoát chế độ toàn màn hình');
    await page.getByRole('button', { name: 'Phóng to sơ đồ' }).click();
    expect(await scale()).to.be.greaterThan(1);
    await shot(page, SUITE, '03d-diagram-fullscreen');
    await page.getByTestId('diagram-fullscreen').click();
    await page.locator('[data-testid="diagram-viewer"].fullscreen').waitFor({ state: 'detached' });
    expect((await page.getByTestId('diagram-viewport').boundingBox())!.width).to.be.lessThan(1000);
    await page.getByTestId('diagram-zoom-reset').click();
  });

  it('at 390 px the editor keeps its diagnostics and diagram tools usable', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const source = await editorText(page);
      const match = /^([ \t]*[^\n]*?\btarget:[ \t]*)([a-z_]+)/m.exec(source)!;
      await setEditorText(page, source.slice(0, match.index) + match[1] + `${match[2]}x` + source.slice(match.index + match[0].length));
      await page.locator('[data-testid="diagnostic"][data-code="UNKNOWN_TARGET"]').waitFor();
      await page.locator('[data-testid="diagnostic"]').first().scrollIntoViewIfNeeded();
      await shot(page, SUITE, '03e-mobile-diagnostic');
      await page.getByTestId('diagram-viewer').scrollIntoViewIfNeeded();
      await page.getByTestId('diagram-zoom-in').click();
      expect(Number(await page.getByTestId('diagram-viewport').getAttribute('data-scale'))).to.be.greaterThan(1);
      await shot(page, SUITE, '03f-mobile-diagram');
      await page.getByTestId('diagram-zoom-reset').click();
      await setEditorText(page, source);
      await page.locator('[data-testid="diagnostic"][data-severity="error"]').first().waitFor({ state: 'detached' });
    } finally {
      await page.setViewportSize({ width: 1366, height: 768 });
    }
  });

  it('publishes the draft as a new version; markup in its title stays text everywhere', async () => {
    const titled = (await editorText(page)).replace(/^title:\n  vi: (.*)$/m, (_all, vi: string) => `title:\n  vi: ${JSON.stringify(`${HOSTILE} ${vi}`)}`);
    expect(titled).to.include(HOSTILE);
    await setEditorText(page, titled);
    // a version already published: the editor proposes the next number
    await page.getByTestId('bump-version').click();
    await page.getByTestId('version-hint').locator('button').waitFor({ state: 'detached' });
    await page.getByTestId('publish').click();
    const success = page.getByTestId('publish-success');
    await success.waitFor();
    const version = /phiên bản (\d+)/.exec((await success.textContent())!);
    expect(version).to.not.equal(null);
    published = Number(version![1]);
    expect(published).to.be.greaterThan(1);
    expect(await page.getByTestId('editor-version').textContent()).to.include(String(published));
    await shot(page, SUITE, '04-published');

    await page.getByTestId('nav-definitions').click();
    const link = page.locator(`[data-testid="definition-row"][data-definition-id="${PROCESS}"] [data-testid="definition-link"]`);
    expect(await link.textContent()).to.include(HOSTILE);
    expect(await page.locator('img[src="x"]').count()).to.equal(0);
  });

  it('launches a campaign with the new version and watches its progress bar reach done', async () => {
    await page.getByTestId('nav-campaigns').click();
    await page.getByTestId('campaign-form').waitFor();
    await page.getByTestId('campaign-process').selectOption(PROCESS);
    await page.getByTestId('campaign-reason').fill('Công khai năm học mới (thử nghiệm giao diện)');
    await page.getByTestId('campaign-launch').click();
    await page.getByTestId('campaign-launched').waitFor();
    const row = page.getByTestId('campaign-row').first();
    expect(await row.textContent()).to.include(`${PROCESS} v${published}`);
    expect(await row.textContent()).to.include(HOSTILE);
    await shot(page, SUITE, '05-campaign-launched');

    const bar = row.getByTestId('campaign-progress');
    await page.locator('[data-testid="campaign-row"]:first-child[data-status="done"]').waitFor({ timeout: 120_000 });
    const [done, total] = [Number(await bar.getAttribute('data-done')), Number(await bar.getAttribute('data-total'))];
    expect(total).to.be.greaterThan(0);
    expect(done).to.equal(total);
    expect(await bar.locator('.progress-fill').getAttribute('style')).to.include('width: 100%');
    await shot(page, SUITE, '06-campaign-done');
  });
});

/** The header's language switch; the page redraws in that language. */
async function setLanguage(page: Page, lang: 'vi' | 'en'): Promise<void> {
  await page.getByTestId(`lang-${lang}`).click();
  await page
    .getByTestId('impact')
    .filter({ hasText: lang === 'vi' ? 'Ảnh hưởng' : 'Impact' })
    .waitFor();
  await page.waitForFunction(() => (globalThis as unknown as { __tiendoEditor?: unknown }).__tiendoEditor !== undefined);
}

function editorText(page: Page): Promise<string> {
  return page.evaluate(() => (globalThis as unknown as { __tiendoEditor: { state: { doc: { toString(): string } } } }).__tiendoEditor.state.doc.toString());
}

/** Replaces the document the way typing would: one transaction, the linter runs after its pause. */
async function setEditorText(page: Page, text: string): Promise<void> {
  await page.evaluate((insert) => {
    const view = (globalThis as unknown as { __tiendoEditor: { state: { doc: { length: number } }; dispatch(tr: unknown): void } }).__tiendoEditor;
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert } });
  }, text);
}
