// E-mail against a real SMTP server: the resolved people receive one message, Vietnamese first, with
// the stable escalation header, a link to the file and every administrator-typed value escaped in
// the HTML; nobody to write to means no mail at all.
import { expect } from 'chai';
import { emailBody } from '../../adapters/notify/email-body.ts';
import { EmailNotifier } from '../../adapters/notify/email.ts';
import type { Recipient } from '../../engine/domain.ts';
import { escalation, parseMail, startSmtp } from './servers.ts';

const FROM = 'Tiến độ <no-reply@tiendo.local>';
const hostile = { vi: 'Quá hạn: Tự đánh giá — TH <script>alert("x")</script> & Co', en: 'Overdue: Self-assessment — TH <script>alert("x")</script> & Co' };

describe('EmailNotifier', function () {
  this.timeout(1000);
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const asked: Recipient[][] = [];
  const recipients = async (notified: Recipient[]) => {
    asked.push(notified);
    return notified.map((r) => `${r.role}@${r.unitId}.edu.vn`);
  };

  before(async () => {
    smtp = await startSmtp();
  });
  beforeEach(() => {
    smtp.mails.length = 0;
    asked.length = 0;
  });
  after(() => smtp.close());

  it('mails the resolved recipients, Vietnamese first, with the escalation header, a link and escaped HTML', async () => {
    const notifier = new EmailNotifier({ smtpUrl: smtp.url, from: FROM, recipients, baseUrl: 'https://tiendo.so-bt.edu.vn/' });
    const esc = escalation({ unitPath: '/so-bt/<b>pgd</b>/' });
    await notifier.notify({ escalation: esc, message: hostile });
    notifier.close();

    expect(asked).to.deep.equal([esc.notified]);
    expect(smtp.mails).to.have.length(1);
    const mail = smtp.mails[0]!;
    expect(mail.from).to.equal('no-reply@tiendo.local');
    expect(mail.to).to.deep.equal(['school@th-an-hoa.edu.vn', 'district@pgd-cl.edu.vn']);

    const parsed = parseMail(mail.raw);
    expect(parsed.headers.get('x-tiendo-escalation')).to.equal('inst-1.self_assessment.1.1.0');
    expect(parsed.subject).to.equal(`[Tiến độ] ${hostile.vi} / ${hostile.en}`);

    const link = 'https://tiendo.so-bt.edu.vn/#/instances/inst-1';
    expect(parsed.text.indexOf(hostile.vi)).to.be.lessThan(parsed.text.indexOf(hostile.en));
    expect(parsed.text).to.contain('Giai đoạn: self_assessment').and.contain('Loại: Quá hạn').and.contain('Thời điểm: 08:00 ngày 01/03/2022');
    expect(parsed.text).to.contain('Stage: self_assessment').and.contain('Kind: Overdue').and.contain('At: 2022-03-01 08:00 (UTC+07:00)');
    expect(parsed.text).to.contain(`Mở hồ sơ: ${link}`).and.contain(`Open the file: ${link}`);

    expect(parsed.html).not.to.contain('<script>');
    expect(parsed.html).not.to.contain('<b>pgd');
    expect(parsed.html).to.contain('TH &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
    expect(parsed.html).to.contain('/so-bt/&lt;b&gt;pgd&lt;/b&gt;/');
    expect(parsed.html).to.contain(`<a href="${link}">Mở hồ sơ</a>`);
    expect(parsed.html.indexOf('lang="vi"')).to.be.lessThan(parsed.html.indexOf('lang="en"'));
  });

  it('names the stage by its title and the unit by its name when the notice carries them, never by id or path', async () => {
    const notifier = new EmailNotifier({ smtpUrl: smtp.url, from: FROM, recipients });
    const stageTitle = { vi: 'Tự đánh giá', en: 'Self-assessment' };
    await notifier.notify({ escalation: escalation(), message: { vi: 'Quá hạn', en: 'Overdue' }, stageTitle, unitName: 'Trường Tiểu học An Hoà' });
    notifier.close();
    const parsed = parseMail(smtp.mails[0]!.raw);
    expect(parsed.text).to.contain('Giai đoạn: Tự đánh giá').and.contain('Stage: Self-assessment').and.contain('Đơn vị: Trường Tiểu học An Hoà');
    expect(parsed.text).not.to.contain('self_assessment');
    expect(parsed.text).not.to.contain('/so-bt/pgd-cl/');
  });

  it('sends nothing, and does not fail, when nobody is found to write to', async () => {
    const notifier = new EmailNotifier({ smtpUrl: smtp.url, from: FROM, recipients: async () => [' ', ''] });
    await notifier.notify({ escalation: escalation(), message: hostile });
    expect(smtp.mails).to.have.length(0);
  });

  it('writes once to an address that holds several of the roles', async () => {
    const notifier = new EmailNotifier({ smtpUrl: smtp.url, from: FROM, recipients: async () => ['a@x.vn', 'a@x.vn ', 'b@x.vn'] });
    await notifier.notify({ escalation: escalation(), message: hostile });
    expect(smtp.mails.map((m) => m.to)).to.deep.equal([['a@x.vn', 'b@x.vn']]);
  });

  it('throws, naming the server but not the password, when the SMTP server cannot be reached', async () => {
    const gone = await startSmtp();
    await gone.close();
    const url = gone.url.replace('smtp://', 'smtp://user:s3cret@');
    const notifier = new EmailNotifier({ smtpUrl: url, from: FROM, recipients, timeoutMs: 500 });
    const error = await notifier.notify({ escalation: escalation(), message: hostile }).catch((e: Error) => e);
    expect((error as Error).message).to.match(/^e-mail via smtp:\/\/127\.0\.0\.1:\d+ for escalation inst-1\.self_assessment\.1\.1\.0: /);
    expect((error as Error).message).not.to.contain('s3cret');
  });

  it('has no link without a base URL, and one line of subject whatever the message holds', () => {
    const body = emailBody({ escalation: escalation({ kind: 'reminder' }), message: { vi: 'Nhắc\nhạn', en: 'Remind\r\ner' } });
    expect(body.subject).to.equal('[Tiến độ] Nhắc hạn / Remind er');
    expect(body.text).not.to.contain('#/instances');
    expect(body.text).to.contain('Loại: Nhắc hạn');
    expect(body.html).not.to.contain('<a ');
  });
});
