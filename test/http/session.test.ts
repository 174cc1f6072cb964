// Signing in and out, cookies and CSRF, bearer tokens, the login rate limit, security headers, the
// error shape, health and readiness, and the OpenAPI document.
import { expect } from 'chai';
import { Client, errorOf, PASSWORD, startTestServer, type TestServer } from './support.ts';

describe('HTTP: session, tokens and the service routes', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ loginLimit: 5 });
  });
  after(() => s?.close());

  it('signs in with a password: an httpOnly SameSite=Strict cookie, the CSRF token, the grants', async () => {
    const c = new Client(s.url);
    const r = await c.login('sup_a');
    expect(r.status).to.equal(200);
    const cookie = r.headers.get('set-cookie')!;
    expect(cookie).to.match(/^tiendo_session=[\w-]{30,};/);
    expect(cookie)
      .to.match(/HttpOnly/i)
      .and.match(/SameSite=Strict/i);
    expect(r.body.csrfToken).to.be.a('string').with.length.above(30);
    expect(r.body.user.grants).to.deep.equal([
      { role: 'supervisor', unitId: 'pgd_a', unitName: 'Phòng GDĐT Châu Thành', unitKind: 'district-office', unitPath: '/so/pgd_a/' },
    ]);
    const me = await c.get('/api/v1/me');
    expect(me.status).to.equal(200);
    expect(me.body.user.login).to.equal('sup_a');
    expect(me.body.csrfToken).to.equal(r.body.csrfToken);
  });

  it('refuses a wrong password and an unknown login alike, and stores no password in clear', async () => {
    const wrong = await new Client(s.url).login('sup_so', 'wrong');
    const unknown = await new Client(s.url).login('nobody', 'wrong');
    expect(wrong.status).to.equal(401);
    expect(unknown.status).to.equal(401);
    expect(errorOf(wrong)).to.deep.equal(errorOf(unknown));
    expect(errorOf(wrong).code).to.equal('BAD_CREDENTIALS');
    const rows = await s.app.runtime.db('users').select('password_hash');
    for (const r of rows)
      expect(r.password_hash)
        .to.match(/^\$2[aby]\$/)
        .and.not.include(PASSWORD);
  });

  it('answers 401 without credentials, with an expired session, and with a made-up token', async () => {
    expect(errorOf(await new Client(s.url).get('/api/v1/me')).code).to.equal('UNAUTHENTICATED');
    const c = await s.client('staff_th_a1');
    s.clock.set(s.clock.now() + 13 * 3_600_000);
    expect((await c.get('/api/v1/me')).status).to.equal(401);
    const forged = new Client(s.url);
    forged.bearer = 'td_not-a-real-token';
    expect((await forged.get('/api/v1/me')).status).to.equal(401);
  });

  it('refuses a cookie-authenticated write without the CSRF token, and changes nothing', async () => {
    const c = await s.client('staff_th_a1');
    const csrf = c.csrf;
    c.csrf = undefined;
    const r = await c.post('/api/v1/tokens', { name: 'script' });
    expect(r.status).to.equal(403);
    expect(errorOf(r).code).to.equal('CSRF_TOKEN_INVALID');
    c.csrf = 'x'.repeat(csrf!.length);
    expect((await c.post('/api/v1/tokens', { name: 'script' })).status).to.equal(403);
    expect(await s.app.runtime.db('api_tokens').count({ n: '*' }).first()).to.deep.include({ n: 0 });
  });

  it('issues a bearer token that works without cookie or CSRF token', async () => {
    const c = await s.client('admin_so');
    const r = await c.post('/api/v1/tokens', { name: 'nightly export' });
    expect(r.status).to.equal(201);
    expect(r.body.token).to.match(/^td_/);
    const script = new Client(s.url);
    script.bearer = r.body.token;
    expect((await script.get('/api/v1/me')).body.user.login).to.equal('admin_so');
    expect((await script.post('/api/v1/inbox/read', { all: true })).status).to.equal(200);
    const stored = await s.app.runtime.db('api_tokens').select('id_hash');
    expect(JSON.stringify(stored)).to.not.include(r.body.token);
  });

  it('signs out: the session no longer works', async () => {
    const c = await s.client('sup_so');
    expect((await c.delete('/api/v1/session')).status).to.equal(204);
    expect((await c.get('/api/v1/me')).status).to.equal(401);
  });

  it('limits login attempts per address and login (429), other logins unaffected', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await new Client(s.url).login('staff_so', 'guess' + i)).status);
    expect(statuses.slice(0, 5)).to.deep.equal([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).to.deep.equal([429, 429]);
    const limited = await new Client(s.url).login('staff_so');
    expect(errorOf(limited).code).to.equal('RATE_LIMITED');
    expect((await new Client(s.url).login('staff_thpt')).status).to.equal(200);
  });

  it('counts only failed sign-ins: a shared account signing in often behind one address is not locked out', async () => {
    // the limit is 5 here: six good sign-ins in a row, then the failures still count up to it
    for (let i = 0; i < 6; i++) expect((await new Client(s.url).login('staff_thcs_a1')).status, `sign-in ${i + 1}`).to.equal(200);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await new Client(s.url).login('staff_thcs_a1', 'guess' + i)).status);
    expect(statuses).to.deep.equal([401, 401, 401, 401, 401, 429]);
  });

  it('limits guesses of the current password when changing it, as at sign-in', async () => {
    const c = await s.client('admin_a');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await c.post('/api/v1/me/password', { currentPassword: 'guess' + i, newPassword: 'mật-khẩu-mới-2026' })).status);
    expect(statuses).to.deep.equal([400, 400, 400, 400, 400, 429]);
    const right = await c.post('/api/v1/me/password', { currentPassword: PASSWORD, newPassword: 'mật-khẩu-mới-2026' });
    expect(errorOf(right).code).to.equal('RATE_LIMITED');
    expect((await new Client(s.url).login('admin_a')).status, 'the password did not change').to.equal(200);
  });

  it('answers a malformed percent-escape in the path with a 400 naming the segment', async () => {
    const c = await s.client('staff_th_a1');
    const r = await c.get('/api/v1/tasks/%ZZ');
    expect(r.status, r.text).to.equal(400);
    expect(errorOf(r).code).to.equal('VALIDATION_FAILED');
    expect(errorOf(r).message).to.include('path.id').and.include('%ZZ');
    expect(errorOf(r).details.errors).to.deep.equal([{ field: 'path.id', segment: '%ZZ', message: (errorOf(r).details.errors as any[])[0].message }]);
    const deeper = await c.post('/api/v1/instances/a%E0%A4%A/events', { type: 'PING' });
    expect([deeper.status, (errorOf(deeper).details.errors as any[])[0].field]).to.deep.equal([400, 'path.id']);
    const nowhere = await c.get('/api/v1/%G0/x');
    expect([nowhere.status, (errorOf(nowhere).details.errors as any[])[0].field]).to.deep.equal([400, 'path']);
    expect((await new Client(s.url).get('/api/health')).status).to.equal(200);
  });

  it('sends security headers and no-store on the API', async () => {
    const r = await new Client(s.url).get('/api/health');
    expect(r.headers.get('content-security-policy')).to.include("default-src 'self'");
    expect(r.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(r.headers.get('x-frame-options')).to.equal('SAMEORIGIN');
    expect(r.headers.get('cache-control')).to.equal('no-store');
    expect(r.headers.get('x-powered-by')).to.equal(null);
    // Plain HTTP on a school's network: no upgrade to https, no HSTS (either would blank the page).
    expect(r.headers.get('content-security-policy')).to.not.include('upgrade-insecure-requests');
    expect(r.headers.get('strict-transport-security')).to.equal(null);
  });

  it('answers malformed JSON, a wrong content type, unknown fields and unknown routes with located errors', async () => {
    const c = await s.client('admin_so');
    const bad = await c.call('POST', '/api/v1/tokens', '{"name":', {});
    expect(bad.status).to.equal(400);
    expect(errorOf(bad).code).to.equal('MALFORMED_JSON');
    const text = await c.call('POST', '/api/v1/tokens', 'name=x', { 'content-type': 'text/plain' });
    expect(text.status).to.equal(415);
    const unknown = await c.post('/api/v1/tokens', { name: 'x', admin: true });
    expect(unknown.status).to.equal(400);
    expect(errorOf(unknown).details.errors).to.deep.include({
      field: 'body.admin',
      message: 'is not a field of this form; fields: name, expiresInDays, access, unitIds',
      allowed: ['name', 'expiresInDays', 'access', 'unitIds'],
      rule: 'additionalProperties',
    });
    const route = await c.get('/api/v1/nope');
    expect(route.status).to.equal(404);
    expect(errorOf(route).code).to.equal('ROUTE_NOT_FOUND');
  });

  it('answers health and readiness', async () => {
    expect((await new Client(s.url).get('/api/health')).body).to.deep.equal({ status: 'ok' });
    expect((await new Client(s.url).get('/api/ready')).body).to.deep.equal({ store: 'ok', queue: 'ok' });
  });

  it('serves an OpenAPI 3.1 document naming every route', async () => {
    const doc = (await new Client(s.url).get('/api/openapi.json')).body;
    expect(doc.openapi).to.equal('3.1.0');
    expect(doc.paths['/api/v1/tasks/{id}/complete'].post.requestBody.content['application/json'].schema.required).to.deep.equal(['data']);
    expect(doc.paths['/api/v1/session'].post.security).to.deep.equal([]);
    expect(Object.keys(doc.paths).length).to.be.above(25);
  });
});
