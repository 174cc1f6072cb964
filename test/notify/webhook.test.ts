// The webhook against a real HTTP server: what arrives (body, stable event id, signature), that the
// signature only verifies for the right secret, the exact body and a fresh timestamp, and that a
// refusal, a closed port or a silent server make notify throw so the relay retries.
import { expect } from 'chai';
import { signWebhook, verifyWebhookSignature, WebhookNotifier, type WebhookPayload } from '../../adapters/notify/webhook.ts';
import { escalation, startHttp } from './servers.ts';

const SECRET = 'test-secret-ồ';
const message = { vi: 'Quá hạn: Tự đánh giá — TH An Hòa', en: 'Overdue: Self-assessment — TH An Hoa' };

describe('WebhookNotifier', function () {
  this.timeout(1000);
  let http: Awaited<ReturnType<typeof startHttp>>;

  before(async () => {
    http = await startHttp();
  });
  beforeEach(() => {
    http.requests.length = 0;
    http.respond.status = 204;
  });
  after(() => http.close());

  it('POSTs the escalation as JSON, with the escalation id as event id and a signature that verifies', async () => {
    const now = Date.UTC(2022, 2, 1, 1, 0, 5);
    await new WebhookNotifier({ url: http.url, secret: SECRET, now: () => now }).notify({ escalation: escalation(), message });

    expect(http.requests).to.have.length(1);
    const req = http.requests[0]!;
    expect(req.method).to.equal('POST');
    expect(req.url).to.equal('/hooks/tiendo');
    expect(req.headers['content-type']).to.equal('application/json');
    expect(req.headers['x-tiendo-event-id']).to.equal('inst-1.self_assessment.1.1.0');
    expect(req.headers['x-tiendo-timestamp']).to.equal(String(Math.floor(now / 1000)));
    const body = JSON.parse(req.body) as WebhookPayload;
    expect(body).to.deep.equal({
      id: 'inst-1.self_assessment.1.1.0',
      type: 'escalation.overdue',
      escalation: escalation(),
      message,
      sentAt: '2022-03-01T01:00:05.000Z',
    });

    const ts = req.headers['x-tiendo-timestamp'] as string;
    const sig = req.headers['x-tiendo-signature'] as string;
    expect(sig).to.match(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(SECRET, ts, req.body, sig, { now })).to.equal(true);
    expect(verifyWebhookSignature(SECRET, ts, Buffer.from(req.body), sig, { now: now + 299_000 })).to.equal(true);
  });

  it('refuses a wrong secret, a tampered body, an old or future timestamp and a malformed header', async () => {
    const now = Date.UTC(2022, 2, 1, 1, 0, 5);
    await new WebhookNotifier({ url: http.url, secret: SECRET, now: () => now }).notify({ escalation: escalation(), message });
    const { body, headers } = http.requests[0]!;
    const ts = headers['x-tiendo-timestamp'] as string;
    const sig = headers['x-tiendo-signature'] as string;

    expect(verifyWebhookSignature('wrong-secret', ts, body, sig, { now })).to.equal(false);
    expect(verifyWebhookSignature(SECRET, ts, body.replace('"overdue"', '"reminder"'), sig, { now })).to.equal(false);
    expect(verifyWebhookSignature(SECRET, ts, body, sig, { now: now + 301_000 })).to.equal(false);
    expect(verifyWebhookSignature(SECRET, ts, body, sig, { now: now - 301_000 })).to.equal(false);
    expect(verifyWebhookSignature(SECRET, ts, body, sig, { now: now + 3_600_000, toleranceS: 3600 })).to.equal(true);
    // The timestamp is signed: moving it forward to look fresh breaks the signature.
    expect(verifyWebhookSignature(SECRET, String(Number(ts) + 600), body, sig, { now: now + 600_000 })).to.equal(false);
    expect(verifyWebhookSignature(SECRET, ts, body, sig.replace('sha256=', 'sha1='), { now })).to.equal(false);
    expect(verifyWebhookSignature(SECRET, ts, body, sig.slice(0, -2), { now })).to.equal(false);
    expect(verifyWebhookSignature(SECRET, ts, body, undefined, { now })).to.equal(false);
    expect(verifyWebhookSignature(SECRET, 'soon', body, sig, { now })).to.equal(false);
    expect(signWebhook(SECRET, ts, body)).to.equal(sig);
  });

  it('throws on a non-2xx answer, naming the URL and the status', async () => {
    http.respond.status = 500;
    const notifier = new WebhookNotifier({ url: `${http.url}?token=abc`, secret: SECRET });
    const error = await notifier.notify({ escalation: escalation(), message }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).to.equal(`webhook ${http.url} answered 500 Internal Server Error: boom`);
    expect(error?.message).not.to.contain('token=abc');
    expect(http.requests).to.have.length(1);
  });

  it('throws when nothing listens, or nothing answers within the timeout', async () => {
    const gone = await startHttp();
    await gone.close();
    const refused = await new WebhookNotifier({ url: gone.url, secret: SECRET }).notify({ escalation: escalation(), message }).catch((e: Error) => e);
    expect((refused as Error).message).to.equal(`webhook ${gone.url}: no answer (ECONNREFUSED)`);

    http.respond.status = 0;
    const silent = await new WebhookNotifier({ url: http.url, secret: SECRET, timeoutMs: 100 })
      .notify({ escalation: escalation(), message })
      .catch((e: Error) => e);
    expect((silent as Error).message).to.equal(`webhook ${http.url}: no answer (nothing within 100 ms)`);
  });

  it('refuses a URL it cannot call and a missing secret', () => {
    expect(() => new WebhookNotifier({ url: 'ftp://example.org/x', secret: SECRET })).to.throw(
      'webhook ftp://example.org/x: only http and https URLs can be called',
    );
    expect(() => new WebhookNotifier({ url: 'not a url', secret: SECRET })).to.throw('webhook: "not a url" is not a URL');
    expect(() => new WebhookNotifier({ url: http.url, secret: '' })).to.throw('a secret is required');
  });
});
