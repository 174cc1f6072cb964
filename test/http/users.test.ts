// User accounts through the API (issue 14): who manages whom (404 outside like a missing user, 403
// naming a unit one sees but does not administer), the forced password change, deactivation, resets
// that end sessions, bulk staff accounts with their passwords file, and the audit record.
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { errorOf, PASSWORD, startTestServer, type Client, type TestServer } from './support.ts';

describe('HTTP API: user accounts', function () {
  this.timeout(60_000);
  let s: TestServer;
  let adminSo: Client;
  let adminA: Client;
  const idOf = async (login: string) => (await s.app.accounts.findByLogin(login))!.id;
  const auditRows = async () => (await s.app.runtime.db('audit').select().orderBy('id')) as Record<string, any>[];

  before(async () => {
    s = await startTestServer();
    adminSo = await s.client('admin_so');
    adminA = await s.client('admin_a');
  });
  after(() => s.close());

  it('lists the accounts an administrator manages, searches without diacritics, pages with a cursor and a total', async () => {
    const all = await adminSo.get('/api/v1/users');
    expect(all.status, all.text).to.equal(200);
    expect(all.body.total).to.equal(10);
    const mine = await adminA.get('/api/v1/users');
    expect(mine.body.items.map((u: any) => u.login)).to.have.members(['admin_a', 'staff_a', 'sup_a', 'staff_th_a1', 'staff_thcs_a1']);
    const created = await adminA.post('/api/v1/users', {
      login: 'nguyen.duc',
      name: 'Nguyễn Đức Thắng',
      unitId: 'th_a1',
      password: 'mật-khẩu-đầu-tiên',
      grants: [{ role: 'staff', unitId: 'th_a1' }],
    });
    expect(created.status, created.text).to.equal(201);
    expect(created.body.oneTimePassword).to.equal(undefined);
    const found = await adminA.get(`/api/v1/users?q=${encodeURIComponent('duc THANG')}`);
    expect(found.body.items.map((u: any) => u.login)).to.deep.equal(['nguyen.duc']);
    const page1 = await adminSo.get('/api/v1/users?limit=4');
    expect(page1.body.items).to.have.length(4);
    expect(page1.body.total).to.equal(11);
    const page2 = await adminSo.get(`/api/v1/users?limit=4&after=${page1.body.next}`);
    expect(page2.body.items[0].login > page1.body.items[3].login).to.equal(true);
    const staff = await adminSo.get('/api/v1/users?role=supervisor&unitId=pgd_a');
    expect(staff.body.items.map((u: any) => u.login)).to.deep.equal(['sup_a']);
    const nonAdmin = await (await s.client('staff_a')).get('/api/v1/users');
    expect(nonAdmin.status).to.equal(403);
  });

  it('answers 404 for a user outside the administrator subtree, like a missing one', async () => {
    const outside = await adminA.get(`/api/v1/users/${await idOf('staff_th_b1')}`);
    const missing = await adminA.get('/api/v1/users/no-such-user');
    expect(outside.status).to.equal(404);
    expect(missing.status).to.equal(404);
    expect(errorOf(outside).code).to.equal(errorOf(missing).code);
    for (const [method, path, body] of [
      ['PATCH', '', { name: 'X' }],
      ['POST', '/deactivate', {}],
      ['POST', '/password-reset', {}],
      ['POST', '/grants', { role: 'staff', unitId: 'th_a1' }],
    ] as const) {
      const r = await adminA.call(method, `/api/v1/users/${await idOf('staff_th_b1')}${path}`, body);
      expect(r.status, `${method} ${path}`).to.equal(404);
    }
    const inside = await adminA.get(`/api/v1/users/${await idOf('staff_th_a1')}`);
    expect(inside.status).to.equal(200);
    expect(inside.body.grants[0]).to.include({ role: 'staff', unitId: 'th_a1', unitName: 'TH An Hóa' });
  });

  it('grants only on units the administrator administers: 403 naming a unit seen from above, 404 for one outside', async () => {
    const id = await idOf('staff_th_a1');
    // admin_a also watches Ba Tri: its schools are seen, not administered
    const watch = await adminSo.post(`/api/v1/users/${await idOf('admin_a')}/grants`, { role: 'supervisor', unitId: 'pgd_b' });
    expect(watch.status, watch.text).to.equal(200);
    const seen = await adminA.post(`/api/v1/users/${id}/grants`, { role: 'staff', unitId: 'th_b1' });
    expect(seen.status).to.equal(403);
    expect(errorOf(seen).details).to.include({ unitId: 'th_b1', unitName: 'TH Ba Tri', field: 'unitId' });
    const above = await adminA.post(`/api/v1/users/${id}/grants`, { role: 'admin', unitId: 'so' });
    expect(above.status).to.equal(404);
    expect(errorOf(above).message).not.to.include('Sở');
    expect((await adminSo.delete(`/api/v1/users/${await idOf('admin_a')}/grants?role=supervisor&unitId=pgd_b`)).status).to.equal(200);
    const ok = await adminA.post(`/api/v1/users/${id}/grants`, { role: 'supervisor', unitId: 'th_a2' });
    expect(ok.status, ok.text).to.equal(200);
    expect(ok.body.grants.map((g: any) => `${g.role}@${g.unitId}`)).to.have.members(['staff@th_a1', 'supervisor@th_a2']);
    const removed = await adminA.delete(`/api/v1/users/${id}/grants?role=supervisor&unitId=th_a2`);
    expect(removed.status, removed.text).to.equal(200);
    expect(removed.body.grants).to.have.length(1);
    const createOutside = await adminA.post('/api/v1/users', { login: 'x.y', name: 'X Y', unitId: 'th_b1' });
    expect(createOutside.status).to.equal(404);
  });

  it('refuses a taken login (409 LOGIN_TAKEN, field login) and names the field of a bad value', async () => {
    const taken = await adminA.post('/api/v1/users', { login: 'STAFF_A', name: 'Trùng', unitId: 'th_a1' });
    expect(taken.status).to.equal(409);
    expect(errorOf(taken)).to.deep.include({ code: 'LOGIN_TAKEN' });
    expect(errorOf(taken).details.field).to.equal('login');
    const bad = await adminA.post('/api/v1/users', { login: 'có dấu', name: 'A', unitId: 'th_a1' });
    expect(bad.status).to.equal(400);
    expect(errorOf(bad).details.field).to.equal('login');
  });

  it("cannot deactivate oneself or remove one's own last administrator grant", async () => {
    const me = await idOf('admin_a');
    const self = await adminA.post(`/api/v1/users/${me}/deactivate`, {});
    expect(self.status).to.equal(403);
    expect(errorOf(self).details.reason).to.equal('SELF');
    const last = await adminA.delete(`/api/v1/users/${me}/grants?role=admin&unitId=pgd_a`);
    expect(last.status).to.equal(403);
    expect(errorOf(last).details.reason).to.equal('LAST_ADMIN_GRANT');
  });

  it('a new account must change its one-time password before anything else; the change lifts the block', async () => {
    const created = await adminA.post('/api/v1/users', {
      login: 'gv.moi',
      name: 'Giáo viên Mới',
      unitId: 'th_a2',
      grants: [{ role: 'staff', unitId: 'th_a2' }],
    });
    expect(created.status, created.text).to.equal(201);
    const otp = created.body.oneTimePassword as string;
    expect(otp).to.match(/^[A-Za-z0-9]{12}$/);
    expect(created.body.user.mustChangePassword).to.equal(true);
    const c = await s.client();
    const signedIn = await c.login('gv.moi', otp);
    expect(signedIn.status, signedIn.text).to.equal(200);
    expect(signedIn.body.user.mustChangePassword).to.equal(true);
    expect((await c.get('/api/v1/me')).body.user.mustChangePassword).to.equal(true);
    const blocked = await c.get('/api/v1/tasks/mine');
    expect(blocked.status).to.equal(403);
    expect(errorOf(blocked).code).to.equal('PASSWORD_CHANGE_REQUIRED');
    expect((await c.post('/api/v1/tokens', { name: 'x' })).status).to.equal(403);
    const same = await c.post('/api/v1/me/password', { currentPassword: otp, newPassword: otp });
    expect(same.status).to.equal(400);
    expect((errorOf(same).details as any).errors[0].field).to.equal('body.newPassword');
    const changed = await c.post('/api/v1/me/password', { currentPassword: otp, newPassword: 'mật-khẩu-của-tôi' });
    expect(changed.status, changed.text).to.equal(200);
    expect((await c.get('/api/v1/me')).body.user.mustChangePassword).to.equal(false);
    expect((await c.get('/api/v1/tasks/mine')).status).to.equal(200);
  });

  it('refuses the bearer tokens of a user who must change their password', async () => {
    const c = await s.client('staff_thcs_a1');
    const token = (await c.post('/api/v1/tokens', { name: 'script' })).body.token as string;
    await s.app.runtime.db('users').where({ login: 'staff_thcs_a1' }).update({ must_change_password: true });
    const bearer = await s.client();
    bearer.bearer = token;
    const r = await bearer.get('/api/v1/tasks/mine');
    expect(r.status).to.equal(403);
    expect(errorOf(r).code).to.equal('PASSWORD_CHANGE_REQUIRED');
    await s.app.runtime.db('users').where({ login: 'staff_thcs_a1' }).update({ must_change_password: false });
  });

  it('a reset password ends sessions and tokens and must be changed; a deactivated account cannot sign in', async () => {
    const victim = await s.client('staff_a');
    const token = (await victim.post('/api/v1/tokens', { name: 'script' })).body.token as string;
    const id = await idOf('staff_a');
    const reset = await adminA.post(`/api/v1/users/${id}/password-reset`, { reason: 'quên mật khẩu' });
    expect(reset.status, reset.text).to.equal(200);
    const otp = reset.body.oneTimePassword as string;
    expect((await victim.get('/api/v1/me')).status, 'the session ended').to.equal(401);
    const bearer = await s.client();
    bearer.bearer = token;
    expect((await bearer.get('/api/v1/me')).status, 'the token ended').to.equal(401);
    const again = await s.client();
    expect((await again.login('staff_a', PASSWORD)).status).to.equal(401);
    expect((await again.login('staff_a', otp)).body.user.mustChangePassword).to.equal(true);

    const deactivated = await adminA.post(`/api/v1/users/${id}/deactivate`, { reason: 'nghỉ hưu' });
    expect(deactivated.status, deactivated.text).to.equal(200);
    expect(deactivated.body.active).to.equal(false);
    expect((await again.get('/api/v1/me')).status, 'its session ended').to.equal(401);
    const refused = await (await s.client()).login('staff_a', otp);
    expect(refused.status).to.equal(403);
    expect(errorOf(refused).code).to.equal('USER_INACTIVE');
    const wrong = await (await s.client()).login('staff_a', 'sai-mật-khẩu-rồi');
    expect(wrong.status, 'a wrong password says nothing of the account').to.equal(401);
    expect((await adminA.post(`/api/v1/users/${id}/activate`, {})).body.active).to.equal(true);
    expect((await (await s.client()).login('staff_a', otp)).status).to.equal(200);
  });

  it('edits name, e-mail, phone and home unit, recording before → after', async () => {
    const id = await idOf('staff_th_a1');
    const r = await adminA.patch(`/api/v1/users/${id}`, { name: 'Trần Thị Hoa', phone: '0909 123 456', unitId: 'th_a1', email: null });
    expect(r.status, r.text).to.equal(200);
    expect(r.body).to.include({ name: 'Trần Thị Hoa', phone: '0909 123 456', unitId: 'th_a1', unitName: 'TH An Hóa', email: null });
    const row = (await auditRows()).filter((a) => a.action === 'user.update').at(-1)!;
    expect(JSON.parse(row.details).changed.name).to.deep.equal({ before: 'Người dùng staff_th_a1', after: 'Trần Thị Hoa' });
    expect(row.unit_path).to.equal('/so/pgd_a/th_a1/');
    const outside = await adminA.patch(`/api/v1/users/${id}`, { unitId: 'th_b1' });
    expect(outside.status).to.equal(404);
  });

  it('creates one staff account per school, skips schools that have one, and hands the passwords out as XLSX', async () => {
    await s.app.runtime.engine.addUnits([
      { id: 'mn_b1', parentId: 'pgd_b', kind: 'preschool', name: 'MN Ba Tri' },
      { id: 'GDTX_1', parentId: 'so', kind: 'continuing-education', name: 'Trung tâm GDNN-GDTX Bến Tre' },
    ]);
    const dry = await adminSo.post('/api/v1/users/bulk', { unitId: 'pgd_a', dryRun: true });
    expect(dry.status, dry.text).to.equal(200);
    // th_a1, thcs_a1 and th_a2 (given gv.moi above) have staff accounts already
    expect(dry.body.accounts).to.deep.equal([]);
    expect(dry.body.skipped.map((x: any) => x.unitId)).to.have.members(['th_a1', 'th_a2', 'thcs_a1']);
    const wide = await adminSo.post('/api/v1/users/bulk', { unitId: 'so', dryRun: true, includeStaffed: true });
    expect(wide.body.accounts.map((a: any) => a.login)).to.have.members(['th_a1', 'th_a2', 'thcs_a1', 'th_b1', 'thpt_1', 'mn_b1', 'gdtx_1']);
    expect(wide.body.accounts.find((a: any) => a.unitId === 'th_b1').name).to.equal('Cán bộ TH Ba Tri');
    expect(await s.app.runtime.db('users').where({ login: 'mn_b1' }).first()).to.equal(undefined);

    await s.app.runtime.db('users').insert({ id: 'taken', login: 'gdtx_1', name: 'Đã có', password_hash: 'x', created_at: 0 });
    const file = await adminSo.post('/api/v1/users/bulk?format=xlsx', { unitId: 'so', reason: 'đầu năm học' });
    expect(file.status, file.text).to.equal(200);
    expect(file.headers.get('content-type')).to.include('spreadsheetml');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(file.bytes as any);
    const sheet = book.worksheets[0]!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).to.deep.equal(['Đơn vị', 'Mã đơn vị', 'Tên đăng nhập', 'Họ tên', 'Mật khẩu ban đầu']);
    const rows = [] as string[][];
    sheet.eachRow((r, n) => void (n > 1 && rows.push((r.values as string[]).slice(1))));
    expect(rows.map((r) => r[2])).to.have.members(['mn_b1', 'gdtx_1-2']);
    const b1 = rows.find((r) => r[1] === 'mn_b1')!;
    expect(b1[0]).to.equal('MN Ba Tri');
    expect(b1[3]).to.equal('Cán bộ MN Ba Tri');
    const c = await s.client();
    const signed = await c.login('mn_b1', b1[4]!);
    expect(signed.status, signed.text).to.equal(200);
    expect(signed.body.user.mustChangePassword).to.equal(true);
    expect(signed.body.user.grants).to.deep.include({
      role: 'staff',
      unitId: 'mn_b1',
      unitName: 'MN Ba Tri',
      unitKind: 'preschool',
      unitPath: '/so/pgd_b/mn_b1/',
    });
    const again = await adminSo.post('/api/v1/users/bulk', { unitId: 'so' });
    expect(again.body.created, 'nothing twice').to.equal(0);
    const outside = await adminA.post('/api/v1/users/bulk', { unitIds: ['th_b1'] });
    expect(outside.status).to.equal(404);
  });

  it('records every act with who, the home unit path and what changed, and never a password or hash', async () => {
    const rows = await auditRows();
    const actions = new Set(rows.map((r) => r.action));
    for (const a of ['user.create', 'user.update', 'user.deactivate', 'user.activate', 'user.password-reset', 'users.bulk-create', 'grant.add', 'grant.remove'])
      expect(actions, a).to.include(a);
    const reset = rows.find((r) => r.action === 'user.password-reset')!;
    expect(reset).to.include({ actor_login: 'admin_a', actor_name: 'Người dùng admin_a', reason: 'quên mật khẩu' });
    const text = JSON.stringify(rows);
    const hashes = (await s.app.runtime.db('users').select('password_hash')).map((r: any) => String(r.password_hash)).filter((h) => h.length > 10);
    for (const h of hashes) expect(text).not.to.include(h);
    expect(text).not.to.include('mật-khẩu-đầu-tiên');
    expect(text).not.to.match(/"(password|passwordHash|oneTimePassword)"/);
    const bulk = rows.find((r) => r.action === 'users.bulk-create')!;
    expect(bulk.unit_path).to.equal('/so/');
    expect(JSON.parse(bulk.details).count).to.equal(2);
  });

  it('names people by their full names on the timeline (the login beside), the system as "Hệ thống"', async () => {
    const { engine } = s.app.runtime;
    const id = (await engine.start({ definitionId: 'accreditation-general-school', orgUnitId: 'thcs_a1' }, { actor: 'admin_a' })).id;
    const t = await adminA.get(`/api/v1/instances/${id}`);
    expect(t.status, t.text).to.equal(200);
    expect(t.body.history[0]).to.include({ actor: 'admin_a', actorName: 'Người dùng admin_a' });
    const { personNames } = await import('../../engine/application/views.ts');
    const nameOf = await personNames(s.app.accounts, engine.store)(['system', 'demo:th_a1', 'staff_a', 'gone']);
    expect(['system', 'demo:th_a1', 'staff_a', 'gone'].map(nameOf)).to.deep.equal(['Hệ thống', 'Cán bộ TH An Hóa', 'Người dùng staff_a', 'gone']);
  });
});
