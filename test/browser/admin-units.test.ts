// An administrator reshapes the demo province's tree on screen: moves a school that has running work
// to another Phòng (the dry run shows what it touches before "Xác nhận"), is refused — in Vietnamese
// — when closing a unit where work runs, and reads both acts in the audit log with their reason and
// the administrator's full name; the pages fit a phone's width.
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { demoInBrowser, login, shot } from './support.ts';

const SUITE = 'admin-units';
const REASON = 'Quyết định 123/QĐ-UBND ngày 01/7/2025';

describe('browser: administrator reshapes units and reads the audit log', function () {
  this.timeout(120_000);
  const demo = demoInBrowser();
  let page: Page;
  let school: { id: string; name: string };
  before(() => {
    page = demo.page;
  });

  it('browses the tree one level at a time, kinds in Vietnamese', async () => {
    await login(page, demo.url, 'admin');
    await page.getByTestId('nav-units').click();
    await page.getByTestId('unit-roots').waitFor();
    await page.getByTestId('unit-link').first().click();
    await page.getByTestId('unit-card').waitFor();
    const kinds = await page.locator('[data-testid="unit-row"] td:nth-child(2)').allTextContents();
    expect(kinds).to.include('Phòng GDĐT');
    expect(kinds.join(' ')).to.not.match(/district-office|upper-secondary|continuing-education/);
    await shot(page, SUITE, '01-department');
    // the flagship Phòng and, in it, a lower secondary school with running work
    const office = page.locator('[data-testid="unit-row"]', { hasText: 'Châu Thành' }).first();
    await office.getByTestId('unit-link').click();
    await page.getByTestId('breadcrumb').filter({ hasText: 'Châu Thành' }).waitFor();
    const row = page.locator('[data-testid="unit-row"]', { hasText: 'Nguyễn Du' }).first();
    school = { id: (await row.getAttribute('data-unit-id'))!, name: (await row.getByTestId('unit-link').textContent())! };
    await row.getByTestId('unit-link').click();
    await page.locator(`[data-testid="unit-card"][data-unit-id="${school.id}"]`).waitFor();
    expect(await page.getByTestId('breadcrumb').textContent()).to.include('Châu Thành');
  });

  it('refuses to close a unit where work runs, in Vietnamese', async () => {
    await page.getByTestId('unit-close').click();
    const dialog = page.getByTestId('unit-close-dialog');
    await dialog.waitFor();
    // no reason: asked for it, nothing sent
    await dialog.getByTestId('reshape-preview').click();
    await dialog.getByTestId('reshape-need-reason').waitFor();
    await dialog.getByTestId('reshape-reason').fill(REASON);
    await dialog.getByTestId('reshape-preview').click();
    const problem = dialog.locator('[data-testid="reshape-problem"][data-code="UNIT_HAS_RUNNING_WORK"]');
    await problem.waitFor();
    expect(await problem.textContent()).to.match(/hồ sơ đang chạy .* việc đang mở/);
    expect(await dialog.getByTestId('reshape-confirm').isDisabled()).to.equal(true);
    await shot(page, SUITE, '02-close-refused');
    await dialog.getByTestId('modal-close').click();
  });

  it('moves the school to another Phòng: the dry run shows what it touches, then "Xác nhận" applies', async () => {
    await page.getByTestId('unit-move').click();
    const dialog = page.getByTestId('unit-move-dialog');
    await dialog.waitFor();
    await dialog.getByTestId('move-parent').click();
    const picker = page.getByTestId('unit-picker');
    await picker.waitFor();
    // browse: the Sở, then filter its Phòng by a name typed without diacritics
    await picker.getByTestId('picker-open').first().click();
    await picker.getByTestId('picker-filter').fill('phong');
    const target = picker.locator('[data-testid="picker-item"]', { hasNotText: 'Châu Thành' }).filter({ hasText: 'Phòng GDĐT' }).first();
    const targetName = (await target.locator('.picker-name').textContent())!.split(' · ')[0]!;
    await shot(page, SUITE, '03-picker');
    await target.getByTestId('picker-choose').click();
    expect(await dialog.getByTestId('move-parent-chosen').textContent()).to.include(targetName);
    await dialog.getByTestId('reshape-reason').fill(REASON);
    await dialog.getByTestId('reshape-preview').click();
    await dialog.getByTestId('reshape-summary').waitFor();
    expect(Number(await dialog.getByTestId('touch-instances').getAttribute('data-n'))).to.be.greaterThan(0);
    expect(await dialog.getByTestId('reshape-summary').textContent()).to.include(school.name);
    await shot(page, SUITE, '04-move-preview');
    await dialog.getByTestId('reshape-confirm').click();
    await page.getByTestId('flash').waitFor();
    expect(await page.getByTestId('breadcrumb').textContent()).to.include(targetName);
    await shot(page, SUITE, '05-moved');
  });

  it('adds a school under the Sở, then renames it: the rename asks for a reason', async () => {
    await page.getByTestId('breadcrumb').locator('a').nth(1).click();
    await page.getByTestId('unit-add').waitFor();
    const soId = (await page.getByTestId('unit-card').getAttribute('data-unit-id'))!;
    await page.getByTestId('unit-add').click();
    const add = page.getByTestId('unit-add-dialog');
    await add.getByTestId('unit-new-code').fill('thpt-moi-2025');
    await add.getByTestId('unit-new-name').fill('Trường THPT Mới');
    await add.getByTestId('unit-new-kind').selectOption('upper-secondary');
    await add.getByTestId('unit-new-email').fill('thpt-moi@example.edu.vn');
    await add.getByTestId('reshape-preview').click();
    await add.getByTestId('reshape-summary').waitFor();
    expect(await add.getByTestId('reshape-summary').textContent()).to.include('“Trường THPT Mới” (THPT, mã thpt-moi-2025)');
    await add.getByTestId('reshape-confirm').click();
    await page.locator('[data-testid="unit-row"][data-unit-id="thpt-moi-2025"]').waitFor();
    await page.locator('[data-testid="unit-row"][data-unit-id="thpt-moi-2025"] [data-testid="unit-link"]').click();
    await page.locator('[data-testid="unit-card"][data-unit-id="thpt-moi-2025"]').waitFor();
    await page.getByTestId('unit-edit').click();
    const edit = page.getByTestId('unit-edit-dialog');
    await edit.getByTestId('unit-edit-name').fill('Trường THPT Nguyễn Thị Minh Khai');
    await edit.getByTestId('reshape-preview').click();
    await edit.getByTestId('reshape-need-reason').waitFor();
    await edit.getByTestId('reshape-reason').fill(REASON);
    await edit.getByTestId('reshape-preview').click();
    expect(await edit.getByTestId('reshape-summary').textContent()).to.include('tên: Trường THPT Mới → Trường THPT Nguyễn Thị Minh Khai');
    await shot(page, SUITE, '05b-rename-preview');
    await edit.getByTestId('reshape-confirm').click();
    await page.getByTestId('flash').waitFor();
    expect(await page.locator('h1').textContent()).to.equal('Trường THPT Nguyễn Thị Minh Khai');
    // merged into another THPT of the Sở: it closes and names the survivor
    await page.getByTestId('unit-merge').click();
    const merge = page.getByTestId('unit-merge-dialog');
    await merge.getByTestId('merge-into').click();
    const picker = page.getByTestId('unit-picker');
    await picker.locator(`[data-testid="picker-item"][data-unit-id="${soId}"] [data-testid="picker-open"]`).click();
    await picker.getByTestId('picker-filter').fill('THPT');
    const into = picker.locator('[data-testid="picker-item"]:not([data-unit-id="thpt-moi-2025"])').filter({ hasText: 'Trường THPT' }).first();
    const intoName = (await into.locator('.picker-name').textContent())!.split(' · ')[0]!;
    await into.getByTestId('picker-choose').click();
    await merge.getByTestId('reshape-reason').fill(REASON);
    await merge.getByTestId('reshape-preview').click();
    expect(await merge.getByTestId('reshape-summary').textContent()).to.include(`“Trường THPT Nguyễn Thị Minh Khai” vào “${intoName}”`);
    await merge.getByTestId('reshape-confirm').click();
    await page.getByTestId('unit-closed').waitFor();
    expect(await page.getByTestId('unit-closed').textContent()).to.include(`Đã sáp nhập vào ${intoName}`);
    expect(await page.getByTestId('unit-actions').count(), 'a closed unit takes no changes').to.equal(0);
    await shot(page, SUITE, '05c-merged');
  });

  it('reads the move in the audit log: full name, Vietnamese action, reason, readable details', async () => {
    await page.getByTestId('nav-audit').click();
    const row = page.locator('[data-testid="audit-row"][data-action="unit.move"]').first();
    await row.waitFor();
    expect(await row.getByTestId('audit-actor').textContent()).to.include('Quản trị hệ thống');
    expect(await row.getByTestId('audit-action-title').textContent()).to.equal('Chuyển đơn vị');
    expect(await row.getByTestId('audit-reason').textContent()).to.equal(REASON);
    expect(await row.getByTestId('audit-details').textContent()).to.match(/^Từ .+ sang .+/);
    await page.getByTestId('audit-action').selectOption('unit.move');
    await page.locator('[data-testid="audit-row"]').first().waitFor();
    const actions = await page.locator('[data-testid="audit-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
    expect(new Set(actions)).to.deep.equal(new Set(['unit.move']));
    await shot(page, SUITE, '06-audit');
    // English is one click away
    await page.getByTestId('lang-en').click();
    await page.locator('h1', { hasText: 'Audit log' }).waitFor();
    await page.locator('[data-testid="audit-row"][data-action="unit.move"]').first().waitFor();
    expect(await page.locator('[data-testid="audit-row"][data-action="unit.move"] [data-testid="audit-action-title"]').first().textContent()).to.equal(
      'Unit moved',
    );
    await shot(page, SUITE, '06b-audit-en');
    await page.goto(`${demo.url}/#/units/${school.id}`);
    await page.getByTestId('unit-move').click();
    await page.getByTestId('unit-move-dialog').getByTestId('reshape-preview').click();
    await page.getByTestId('reshape-need-reason').waitFor();
    expect(await page.getByTestId('unit-move-dialog').textContent()).to.include('Please give a reason.');
    await shot(page, SUITE, '06c-unit-en');
    await page.getByTestId('unit-move-dialog').getByTestId('modal-close').click();
    await page.getByTestId('lang-vi').click();
    await page.locator('h1', { hasText: 'Trường THCS Nguyễn Du' }).waitFor();
    await page.getByTestId('nav-audit').click();
    await page.locator('h1', { hasText: 'Nhật ký quản trị' }).waitFor();
  });

  it('creates an account: the one-time password shows once; deactivated, it cannot sign in', async () => {
    await page.getByTestId('nav-users').click();
    await page.getByTestId('users-table').waitFor();
    await page.getByTestId('user-new').click();
    await page.getByTestId('nu-name').fill('Trần Văn Bình');
    await page.getByTestId('nu-login').fill('tvbinh');
    await page.getByTestId('nu-email').fill('tvbinh@example.edu.vn');
    await page.getByTestId('nu-unit').click();
    await page.getByTestId('unit-picker').getByTestId('picker-choose').first().click();
    expect(await page.getByTestId('grant-unit-chosen').first().textContent(), 'the first role goes on the home unit').to.include('Sở GDĐT');
    await page.getByTestId('nu-submit').click();
    await page.getByTestId('otp-box').waitFor();
    const otp = (await page.getByTestId('otp-value').textContent())!;
    expect(otp.length).to.be.at.least(10);
    expect(await page.getByTestId('otp-box').textContent()).to.include('phải đổi mật khẩu ở lần đăng nhập đầu tiên');
    await shot(page, SUITE, '07-user-created');
    await page.getByTestId('open-created-user').click();
    await page.getByTestId('grants-table').waitFor();
    expect(await page.getByTestId('otp-box').count(), 'shown once only').to.equal(0);
    // a reset: a new one-time password, once
    await page.getByTestId('user-reset').click();
    await page.getByTestId('confirm-dialog').getByTestId('confirm-yes').click();
    await page.getByTestId('otp-box').waitFor();
    const reset = (await page.getByTestId('otp-value').textContent())!;
    expect(reset).to.not.equal(otp);
    // a role on a Phòng added, then removed after a confirmation
    await page.getByTestId('new-grant-role').selectOption('supervisor');
    await page.getByTestId('new-grant-unit').click();
    const picker = page.getByTestId('unit-picker');
    await picker.getByTestId('picker-open').first().click();
    await picker.getByTestId('picker-filter').fill('chau thanh');
    await picker.getByTestId('picker-choose').first().click();
    await page.getByTestId('new-grant-add').click();
    const granted = page.locator('[data-testid="grant"][data-role="supervisor"]');
    await granted.waitFor();
    expect(await granted.textContent()).to.include('Phòng GDĐT Châu Thành');
    await granted.getByTestId('grant-remove').click();
    await page.getByTestId('confirm-dialog').getByTestId('confirm-yes').click();
    await granted.waitFor({ state: 'detached' });
    await page.getByTestId('user-deactivate').click();
    await page.getByTestId('confirm-dialog').getByTestId('confirm-yes').click();
    await page.getByTestId('user-activate').waitFor();
    await shot(page, SUITE, '08-user-deactivated');
    // the audit log names the acts in Vietnamese
    await page.getByTestId('nav-audit').click();
    await page.locator('[data-testid="audit-row"][data-action="user.deactivate"]').waitFor();
    expect(await page.locator('[data-testid="audit-row"][data-action="user.deactivate"] [data-testid="audit-target"]').first().textContent()).to.include(
      'Trần Văn Bình',
    );
    await shot(page, SUITE, '08b-audit-people');
    expect(await page.locator('[data-testid="audit-row"][data-action="user.create"] [data-testid="audit-action-title"]').first().textContent()).to.equal(
      'Tạo tài khoản',
    );
    // a deactivated account is told so, in Vietnamese
    await page.getByTestId('logout').click();
    await page.getByTestId('login-name').fill('tvbinh');
    await page.getByTestId('login-password').fill(reset);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-error').waitFor();
    expect(await page.getByTestId('login-error').textContent()).to.include('Tài khoản này đã bị khoá');
    await shot(page, SUITE, '09-login-inactive');
    // where the province set up OpenID Connect, the login page offers its button
    await page.route('**/api/v1/auth/oidc', (route) => route.fulfill({ json: { enabled: true, label: 'Đăng nhập bằng tài khoản của Sở' } }));
    await page.reload();
    expect(await page.getByTestId('oidc-start').textContent()).to.equal('Đăng nhập bằng tài khoản của Sở');
    await page.unroute('**/api/v1/auth/oidc');
    // a refused OpenID Connect sign-in comes back with its code: worded in Vietnamese
    await page.goto(`${demo.url}/#/login?error=OIDC_EMAIL_UNVERIFIED`);
    expect(await page.getByTestId('oidc-error').textContent()).to.include('chưa được nhà cung cấp định danh xác thực');
    await login(page, demo.url, 'admin');
  });

  it('fits a phone: no sideways scrolling on the units and audit pages', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const hash of ['#/units', `#/units/${school.id}`, '#/units/import', '#/audit', '#/users', '#/users/new', '#/users/bulk', '#/password']) {
      await page.goto(`${demo.url}/${hash}`);
      await page.locator('.page-head, [data-testid="password-form"]').first().waitFor();
      await page.waitForTimeout(200);
      const width = await page.locator('html').evaluate((el) => el.scrollWidth);
      expect(width, hash).to.be.at.most(390);
      await shot(page, SUITE, `phone-${hash.replace(/[^a-z]+/g, '-').replace(/^-|-$/g, '')}`);
    }
    await page.goto(`${demo.url}/#/audit`);
    await page.getByTestId('audit-row').first().waitFor();
    await shot(page, SUITE, '07-audit-phone');
    await page.setViewportSize({ width: 1366, height: 768 });
  });
});
