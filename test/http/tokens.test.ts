// Bearer tokens (issue 13): they end (90 days unless a shorter life is asked for), are listed and
// revoked by their owner only, end with a password change, and a token can issue only tokens within
// its own scope — no more access, no unit outside its own, no later end.
import { expect } from 'chai';
import { migrate, openDb } from '../../adapters/store/db.ts';
import * as tokenScope from '../../adapters/store/migrations/009_token_scope.ts';
import { narrowGrants } from '../../engine/access.ts';
import { Client, errorOf, PASSWORD, startTestServer, type TestServer } from './support.ts';

const DAY = 86_400_000;

describe('HTTP: bearer tokens — expiry, listing, revocation, scope, password change', function () {
  this.timeout(30_000);
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s?.close());

  const bearer = (token: string) => Object.assign(new Client(s.url), { bearer: token });

  it('ends 90 days after issue by default, or sooner when asked; a longer life than 365 days is refused', async () => {
    const c = await s.client('sup_so');
    const now = s.clock.now();
    const plain = await c.post('/api/v1/tokens', { name: 'mặc định' });
    expect(plain.status, plain.text).to.equal(201);
    expect(plain.body).to.include({ name: 'mặc định', createdAt: now, expiresAt: now + 90 * DAY, access: 'write' });
    expect(plain.body.id).to.match(/^tok_/);
    const short = await c.post('/api/v1/tokens', { name: 'một tuần', expiresInDays: 7 });
    expect(short.body.expiresAt).to.equal(now + 7 * DAY);
    const long = await c.post('/api/v1/tokens', { name: 'mãi mãi', expiresInDays: 366 });
    expect([long.status, (errorOf(long).details.errors as any[])[0].field]).to.deep.equal([400, 'body.expiresInDays']);

    s.clock.set(now + 8 * DAY);
    expect((await bearer(short.body.token).get('/api/v1/me')).status, 'a week later').to.equal(401);
    expect((await bearer(plain.body.token).get('/api/v1/me')).status).to.equal(200);
    s.clock.set(now + 90 * DAY);
    expect((await bearer(plain.body.token).get('/api/v1/me')).status, 'on its 90th day').to.equal(401);
  });

  it('lists the caller’s own live tokens without their secret, and revokes only the caller’s own (404 otherwise)', async () => {
    const mine = await s.client('staff_th_a1');
    const theirs = await s.client('staff_thcs_a1');
    const a = (await mine.post('/api/v1/tokens', { name: 'xuất báo cáo' })).body;
    const b = (await mine.post('/api/v1/tokens', { name: 'đồng bộ', access: 'read' })).body;
    const other = (await theirs.post('/api/v1/tokens', { name: 'của người khác' })).body;

    const listed = await mine.get('/api/v1/tokens');
    expect(listed.status).to.equal(200);
    expect(listed.body.items.map((t: { name: string }) => t.name).sort()).to.deep.equal(['xuất báo cáo', 'đồng bộ'].sort());
    expect(listed.body.items.find((t: { id: string }) => t.id === b.id)).to.deep.equal({
      id: b.id,
      name: 'đồng bộ',
      createdAt: b.createdAt,
      expiresAt: b.expiresAt,
      access: 'read',
      unitIds: null,
      mintedBy: null,
      current: false,
    });
    const hashes = (await s.app.runtime.db('api_tokens').select('id_hash')).map((r: { id_hash: string }) => r.id_hash);
    for (const secret of [a.token, b.token, ...hashes]) expect(listed.text).to.not.include(secret);
    // a token sees itself marked as the one calling
    const self = await bearer(b.token).get('/api/v1/tokens');
    expect(self.body.items.filter((t: { current: boolean }) => t.current).map((t: { id: string }) => t.id)).to.deep.equal([b.id]);

    const foreign = await mine.delete(`/api/v1/tokens/${other.id}`);
    const missing = await mine.delete('/api/v1/tokens/tok_nothing-here');
    expect(foreign.status).to.equal(404);
    expect(errorOf(foreign).code).to.equal(errorOf(missing).code);
    expect(errorOf(foreign).message.replace(other.id, 'X')).to.equal(errorOf(missing).message.replace('tok_nothing-here', 'X'));
    expect((await bearer(other.token).get('/api/v1/me')).status, 'the other user’s token still works').to.equal(200);

    expect((await mine.delete(`/api/v1/tokens/${a.id}`)).status).to.equal(204);
    expect((await bearer(a.token).get('/api/v1/me')).status, 'revoked').to.equal(401);
    expect((await mine.get('/api/v1/tokens')).body.items.map((t: { id: string }) => t.id)).to.deep.equal([b.id]);
  });

  it('a read-only token reads and nothing else, and cannot issue a token', async () => {
    const c = await s.client('admin_so');
    const ro = bearer((await c.post('/api/v1/tokens', { name: 'chỉ đọc', access: 'read' })).body.token);
    expect((await ro.get('/api/v1/board')).status).to.equal(200);
    const write = await ro.post('/api/v1/inbox/read', { all: true });
    expect([write.status, errorOf(write).code]).to.deep.equal([403, 'FORBIDDEN']);
    expect(errorOf(write).message).to.include('read-only');
    expect((await ro.post('/api/v1/tokens', { name: 'con', access: 'read' })).status).to.equal(403);
  });

  it('limits a token to units within the grants; such a token issues only within its own units and life', async () => {
    const engine = s.app.runtime.engine;
    const atThcs = (await engine.start({ definitionId: 'accreditation-general-school', orgUnitId: 'thcs_a1' }, { actor: 'test' })).id;
    const atTh = (await engine.start({ definitionId: 'accreditation-primary', orgUnitId: 'th_a1' }, { actor: 'test' })).id;
    const sup = await s.client('sup_a');
    const outside = await sup.post('/api/v1/tokens', { name: 'Sở', unitIds: ['so'] });
    // a unit outside one's grants is answered as a unit that does not exist
    expect([outside.status, errorOf(outside).code]).to.deep.equal([404, 'NOT_FOUND']);
    expect((await sup.post('/api/v1/tokens', { name: 'không có', unitIds: ['nowhere'] })).status).to.equal(404);

    const issued = await sup.post('/api/v1/tokens', { name: 'THCS An Hóa', unitIds: ['thcs_a1'], expiresInDays: 30 });
    expect(issued.status, issued.text).to.equal(201);
    const narrow = bearer(issued.body.token);
    const me = (await narrow.get('/api/v1/me')).body.user;
    expect(me.grants.map((g: { role: string; unitId: string }) => `${g.role}@${g.unitId}`)).to.deep.equal(['supervisor@thcs_a1']);
    expect((await narrow.get(`/api/v1/instances/${atThcs}`)).status).to.equal(200);
    expect((await narrow.get(`/api/v1/instances/${atTh}`)).status, 'a sibling school of the token’s unit: not there, for it').to.equal(404);
    expect((await sup.get(`/api/v1/instances/${atTh}`)).status, 'the session reaches it').to.equal(200);

    // minting from the narrow token: not wider, not longer
    const wider = await narrow.post('/api/v1/tokens', { name: 'rộng hơn', unitIds: ['pgd_a'] });
    expect([wider.status, errorOf(wider).code]).to.deep.equal([404, 'NOT_FOUND']);
    const longer = await narrow.post('/api/v1/tokens', { name: 'lâu hơn', expiresInDays: 31 });
    expect([longer.status, errorOf(longer).code]).to.deep.equal([403, 'FORBIDDEN']);
    expect(errorOf(longer).message).to.include('at most 30 days');
    const child = await narrow.post('/api/v1/tokens', { name: 'con' });
    expect(child.status, child.text).to.equal(201);
    expect(child.body).to.include({ expiresAt: issued.body.expiresAt, access: 'write', mintedBy: issued.body.id });
    expect(child.body.unitIds).to.deep.equal(['thcs_a1']);
    expect((await bearer(child.body.token).get(`/api/v1/instances/${atTh}`)).status).to.equal(404);
    const grandchild = await bearer(child.body.token).post('/api/v1/tokens', { name: 'cháu', access: 'read', expiresInDays: 2 });
    expect(grandchild.status).to.equal(201);

    // revoking the narrow token revokes what it issued, and theirs
    expect((await sup.delete(`/api/v1/tokens/${issued.body.id}`)).status).to.equal(204);
    for (const t of [issued.body.token, child.body.token, grandchild.body.token]) expect((await bearer(t).get('/api/v1/me')).status).to.equal(401);
  });

  it('a token issued by a session may not outlive 365 days, and one from an unlimited token inherits its end', async () => {
    const c = await s.client('staff_a');
    const parent = (await c.post('/api/v1/tokens', { name: 'cha', expiresInDays: 10 })).body;
    const child = await bearer(parent.token).post('/api/v1/tokens', { name: 'con' });
    expect(child.status, child.text).to.equal(201);
    expect(child.body.expiresAt).to.equal(parent.expiresAt);
    expect(child.body.unitIds).to.equal(null);
  });

  it('changing the password needs the current one, revokes every token and ends the other sessions', async () => {
    const here = await s.client('staff_thpt');
    const elsewhere = await s.client('staff_thpt');
    const token = (await here.post('/api/v1/tokens', { name: 'trước khi đổi' })).body.token;
    const NEW = 'mật-khẩu-mới-2026';

    const wrong = await here.post('/api/v1/me/password', { currentPassword: 'sai', newPassword: NEW });
    expect([wrong.status, (errorOf(wrong).details.errors as any[])[0].field]).to.deep.equal([400, 'body.currentPassword']);
    const short = await here.post('/api/v1/me/password', { currentPassword: PASSWORD, newPassword: 'ngắn' });
    expect([short.status, (errorOf(short).details.errors as any[])[0].field]).to.deep.equal([400, 'body.newPassword']);
    const long = await here.post('/api/v1/me/password', { currentPassword: PASSWORD, newPassword: 'ệ'.repeat(25) });
    expect([long.status, errorOf(long).message]).to.satisfy(([st, m]: [number, string]) => st === 400 && m.includes('72 bytes'));
    const byToken = await bearer(token).post('/api/v1/me/password', { currentPassword: PASSWORD, newPassword: NEW });
    expect([byToken.status, errorOf(byToken).code]).to.deep.equal([403, 'FORBIDDEN']);
    expect((await bearer(token).get('/api/v1/me')).status, 'nothing changed yet').to.equal(200);

    const done = await here.post('/api/v1/me/password', { currentPassword: PASSWORD, newPassword: NEW });
    expect(done.status, done.text).to.equal(200);
    expect(done.body).to.deep.equal({ revokedTokens: 1 });
    expect((await bearer(token).get('/api/v1/me')).status, 'the token').to.equal(401);
    expect((await elsewhere.get('/api/v1/me')).status, 'the other session').to.equal(401);
    expect((await here.get('/api/v1/me')).status, 'this session').to.equal(200);
    expect((await new Client(s.url).login('staff_thpt')).status, 'the old password').to.equal(401);
    expect((await new Client(s.url).login('staff_thpt', NEW)).status, 'the new password').to.equal(200);
  });

  it('cuts a user’s grants to the subtrees a token is limited to', () => {
    const grants = [
      { role: 'admin' as const, unitId: 'pgd_a', unitPath: '/so/pgd_a/' },
      { role: 'staff' as const, unitId: 'th_b1', unitPath: '/so/pgd_b/th_b1/' },
    ];
    expect(narrowGrants(grants, [{ unitId: 'th_a1', unitPath: '/so/pgd_a/th_a1/' }])).to.deep.equal([
      { role: 'admin', unitId: 'th_a1', unitPath: '/so/pgd_a/th_a1/' },
    ]);
    expect(narrowGrants(grants, [{ unitId: 'pgd_b', unitPath: '/so/pgd_b/' }])).to.deep.equal([grants[1]]);
    expect(narrowGrants(grants, [{ unitId: 'thpt_1', unitPath: '/so/thpt_1/' }])).to.deep.equal([]);
  });

  it('migration 009 gives the tokens issued before it an id and an end 90 days after it runs', async () => {
    const { db } = openDb({ sqliteFile: ':memory:' });
    try {
      await migrate(db);
      await tokenScope.down(db);
      await db('users').insert({ id: 'u', login: 'u', name: 'U', password_hash: 'x', created_at: 0 });
      await db('api_tokens').insert([
        { id_hash: 'a'.repeat(64), user_id: 'u', name: 'never ended', created_at: 0, expires_at: null },
        { id_hash: 'b'.repeat(64), user_id: 'u', name: 'ends', created_at: 0, expires_at: 5 },
      ]);
      const before = Date.now();
      await tokenScope.up(db);
      const rows = await db('api_tokens').orderBy('name').select();
      expect(rows.map((r: { name: string; access: string; unit_ids: unknown }) => [r.name, r.access, r.unit_ids])).to.deep.equal([
        ['ends', 'write', null],
        ['never ended', 'write', null],
      ]);
      expect(Number(rows[0].expires_at)).to.equal(5);
      expect(Number(rows[1].expires_at)).to.be.within(before + 90 * DAY, Date.now() + 90 * DAY);
      expect(rows.map((r: { id: string }) => r.id)).to.satisfy((ids: string[]) => ids.every((i) => /^tok_/.test(i)) && ids[0] !== ids[1]);
    } finally {
      await db.destroy();
    }
  });
});
