// Escalations reach people beyond the inbox: when a ladder rung fires in the running app, the users
// holding a role on each notified unit get an e-mail (a real SMTP server started here) and the
// signed webhook is called (a real HTTP server), once per escalation.
import { expect } from 'chai';
import { verifyWebhookSignature } from '../../adapters/notify/index.ts';
import { startHttp, startSmtp } from '../notify/servers.ts';
import { at8 } from '../support/runtime.ts';
import { startTestServer, type TestServer } from './support.ts';

describe('HTTP app: escalations by e-mail and webhook', function () {
  this.timeout(30_000);
  let s: TestServer;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let hook: Awaited<ReturnType<typeof startHttp>>;
  before(async () => {
    smtp = await startSmtp();
    hook = await startHttp();
    s = await startTestServer({
      start: at8('2026-03-02'),
      notify: { smtpUrl: smtp.url, smtpFrom: 'Tiến độ <no-reply@test.vn>', webhookUrl: hook.url, webhookSecret: 'bí-mật', baseUrl: 'http://tiendo.test' },
    });
    await s.app.runtime.engine.start({ definitionId: 'accreditation-general-school', orgUnitId: 'thcs_a1' }, { actor: 'test' });
  });
  after(async () => {
    await s?.close();
    await smtp?.close();
    await hook?.close();
  });

  it('mails the users on the notified units and calls the signed webhook once per escalation', async () => {
    s.clock.set(at8('2026-10-20'));
    await s.app.runtime.runDue();
    const escalations = await s.app.runtime.db('escalations').select('id', 'kind');
    expect(escalations.map((e) => e.kind).sort()).to.deep.equal(['escalation', 'overdue', 'reminder']);
    // The overdue rung notifies the school and its Phòng: their users, no one else.
    const overdue = escalations.find((e) => e.kind === 'overdue')!;
    const mail = smtp.mails.find((m) => m.raw.includes(overdue.id));
    expect(mail, 'an e-mail for the overdue rung').to.not.equal(undefined);
    expect(mail!.to.sort()).to.deep.equal(['admin_a@test.vn', 'staff_a@test.vn', 'staff_thcs_a1@test.vn', 'sup_a@test.vn']);
    expect(smtp.mails).to.have.length(escalations.length);
    expect(hook.requests).to.have.length(escalations.length);
    const delivery = hook.requests.find((r) => r.headers['x-tiendo-event-id'] === overdue.id)!;
    expect(
      verifyWebhookSignature('bí-mật', String(delivery.headers['x-tiendo-timestamp']), delivery.body, String(delivery.headers['x-tiendo-signature'])),
    ).to.equal(true);
    expect(JSON.parse(delivery.body).type).to.equal('escalation.overdue');
  });
});
