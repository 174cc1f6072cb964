// Choosing and combining targets: configuration from the environment (with its refusals), and a
// fan-out where one target fails — it throws naming that target, and the other still delivered.
import { expect } from 'chai';
import { DEFAULT_SMTP_FROM, fanOut, loadNotifyConfig, NotifyError, notifierFromConfig } from '../../adapters/notify/index.ts';
import { escalation, parseMail, startHttp, startSmtp } from './servers.ts';

const message = { vi: 'Quá hạn: Tự đánh giá — TH An Hòa', en: 'Overdue: Self-assessment — TH An Hoa' };
const recipients = async () => ['hieutruong@th-an-hoa.edu.vn'];

describe('notifierFromConfig and fanOut', function () {
  this.timeout(1000);
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let http: Awaited<ReturnType<typeof startHttp>>;

  before(async () => {
    [smtp, http] = await Promise.all([startSmtp(), startHttp()]);
  });
  after(() => Promise.all([smtp.close(), http.close()]));

  it('delivers to every target; one failing target throws naming it, and the other still delivered', async () => {
    http.respond.status = 500;
    const notifier = notifierFromConfig({ smtpUrl: smtp.url, webhookUrl: http.url, webhookSecret: 's', recipients })!;
    const error = await notifier.notify({ escalation: escalation(), message }).catch((e: unknown) => e);

    expect(error).to.be.instanceOf(NotifyError);
    const failure = error as NotifyError;
    expect(failure.code).to.equal('NOTIFY_FAILED');
    expect(failure.failed).to.deep.equal(['webhook']);
    expect(failure.message).to.equal(
      `escalation inst-1.self_assessment.1.1.0 not delivered to webhook: webhook: webhook ${http.url} answered 500 Internal Server Error: boom`,
    );
    expect(http.requests).to.have.length(1);
    expect(smtp.mails).to.have.length(1);
    expect(smtp.mails[0]!.to).to.deep.equal(['hieutruong@th-an-hoa.edu.vn']);
    expect(parseMail(smtp.mails[0]!.raw).headers.get('from')).to.contain('no-reply@tiendo.local');

    // The relay's retry: the webhook is back, and the mail goes out again (receivers de-duplicate).
    http.respond.status = 200;
    await notifier.notify({ escalation: escalation(), message });
    expect(http.requests.map((r) => r.headers['x-tiendo-event-id'])).to.deep.equal(['inst-1.self_assessment.1.1.0', 'inst-1.self_assessment.1.1.0']);
    expect(smtp.mails).to.have.length(2);
  });

  it('names every target that failed', async () => {
    const boom = (what: string) => ({ notify: () => Promise.reject(new Error(what)) });
    const error = await fanOut({ a: boom('down'), ok: { notify: async () => {} }, b: boom('refused') })
      .notify({ escalation: escalation(), message })
      .catch((e: NotifyError) => e);
    expect((error as NotifyError).failed).to.deep.equal(['a', 'b']);
    expect((error as NotifyError).message).to.equal('escalation inst-1.self_assessment.1.1.0 not delivered to a, b: a: down; b: refused');
  });

  it('is undefined when nothing is configured', () => {
    expect(notifierFromConfig({ recipients })).to.equal(undefined);
    expect(notifierFromConfig({ ...loadNotifyConfig({}), recipients })).to.equal(undefined);
  });
});

describe('loadNotifyConfig', () => {
  it('reads the variables, with the default sender', () => {
    expect(loadNotifyConfig({})).to.deep.equal({ smtpFrom: DEFAULT_SMTP_FROM });
    expect(
      loadNotifyConfig({
        TIENDO_SMTP_URL: 'smtps://u:p@mail.example.vn:465',
        TIENDO_SMTP_FROM: 'Sở GDĐT <tiendo@so.example.vn>',
        TIENDO_WEBHOOK_URL: 'https://hooks.example.vn/tiendo',
        TIENDO_WEBHOOK_SECRET: 'k',
        TIENDO_BASE_URL: 'https://tiendo.example.vn',
      }),
    ).to.deep.equal({
      smtpUrl: 'smtps://u:p@mail.example.vn:465',
      smtpFrom: 'Sở GDĐT <tiendo@so.example.vn>',
      webhookUrl: 'https://hooks.example.vn/tiendo',
      webhookSecret: 'k',
      baseUrl: 'https://tiendo.example.vn',
    });
    expect(loadNotifyConfig({ TIENDO_SMTP_URL: '', TIENDO_SMTP_FROM: ' ' })).to.deep.equal({ smtpFrom: DEFAULT_SMTP_FROM });
  });

  it('refuses a webhook without a secret, and URLs of the wrong kind, naming the variable', () => {
    expect(() => loadNotifyConfig({ TIENDO_WEBHOOK_URL: 'https://hooks.example.vn/x' })).to.throw(
      'TIENDO_WEBHOOK_SECRET is required when TIENDO_WEBHOOK_URL is set',
    );
    expect(() => loadNotifyConfig({ TIENDO_SMTP_URL: 'mail.example.vn' })).to.throw('TIENDO_SMTP_URL is not a smtp:// or smtps:// URL');
    expect(() => loadNotifyConfig({ TIENDO_SMTP_URL: 'http://u:secret@mail.example.vn' })).to.throw(/^TIENDO_SMTP_URL is not a smtp:\/\/ or smtps:\/\/ URL$/);
    expect(() => loadNotifyConfig({ TIENDO_WEBHOOK_URL: 'hooks/T0/secret', TIENDO_WEBHOOK_SECRET: 'k' })).to.throw(
      /^TIENDO_WEBHOOK_URL is not a http:\/\/ or https:\/\/ URL$/,
    );
    expect(() => loadNotifyConfig({ TIENDO_BASE_URL: 'tiendo.example.vn' })).to.throw('TIENDO_BASE_URL "tiendo.example.vn" is not a http:// or https:// URL');
  });
});
