// Drafts are checked off the event loop (issue 13): three 1 MB drafts on /definitions/validate held
// every other request (health took 1.9 s). Now worker threads check them: /api/health answers while
// they are being checked (by order, not by a time threshold), a user with two drafts in flight is
// refused a third at once (429), and the answers are the in-process check's, to the byte.
import { expect } from 'chai';
import { DraftPool } from '../../adapters/drafts/pool.ts';
import { toMermaid } from '../../engine/definition/diagram.ts';
import { fixture } from '../support/runtime.ts';
import { errorOf, startTestServer, type TestServer } from './support.ts';

/** A valid draft of about 1 MB: a thousand stages (or n), and a long comment to make up the size. */
function heavyDraft(n = 1000): string {
  let src =
    'id: heavy-draft\nversion: 1\ntitle: { vi: Quy trình dài, en: A long process }\nlegalBasis: [Test]\nappliesTo: [primary]\ncalendar: vn-government\ninitial: s0\nstages:\n';
  for (let i = 0; i < n; i++) {
    src += `  s${i}:\n    title: { vi: Bước ${i}, en: Step ${i} }\n    owner: school\n    due: { workingDays: 5 }\n    tasks:\n      - { id: t${i}, title: { vi: Việc ${i}, en: Task ${i} } }\n    on:\n      NEXT: ${i + 1 < n ? `s${i + 1}` : 'done'}\n      BACK: s${Math.max(0, i - 1)}\n`;
  }
  src += '  done: { title: { vi: Xong, en: Done }, type: final }\n';
  return src + '# ' + 'x'.repeat(Math.max(0, 990_000 - src.length)) + '\n';
}

async function until(what: string, ms: number, ok: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('HTTP: drafts are checked off the event loop', function () {
  this.timeout(180_000);
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s?.close());

  it('answers /api/health while three 1 MB drafts are checked, refuses a user a third draft in flight, and answers as the in-process check does', async () => {
    const source = heavyDraft();
    expect(source.length).to.be.within(980_000, 1_000_000);
    const [a, b] = [await s.client('admin_so'), await s.client('sup_so')];
    const order: string[] = [];
    const validate = (c: typeof a, name: string) =>
      c.post('/api/v1/definitions/validate', { source, lang: 'en' }).then((r) => {
        order.push(name);
        return r;
      });
    const drafts = [validate(a, 'a1'), validate(a, 'a2'), validate(b, 'b1')];
    // all three are with the checker (running or waiting for a thread) before anything else is asked
    const pool = s.app.drafts;
    expect(pool, 'a draft checker beside the API').to.not.equal(undefined);
    await until('three drafts in the checker', 60_000, () => pool!.stats().running + pool!.stats().queued === 3);

    const health = fetch(`${s.url}/api/health`).then(async (r) => {
      order.push('health');
      return [r.status, await r.json()];
    });
    const third = await a.post('/api/v1/definitions/validate', { source });
    expect([third.status, errorOf(third).code]).to.deep.equal([429, 'RATE_LIMITED']);
    expect(errorOf(third).message).to.include('2 drafts being checked');
    expect(await health).to.deep.equal([200, { status: 'ok' }]);
    expect(order, 'health answered before any draft').to.deep.equal(['health']);

    const answers = await Promise.all(drafts);
    for (const r of answers) expect(r.status, r.text.slice(0, 300)).to.equal(200);
    // the in-process check of the same text
    const local = s.app.runtime.engine.catalog.check(source, 'heavy-draft.yaml');
    const expected = {
      valid: true,
      diagnostics: local.diagnostics.map(({ file: _f, ...d }) => d),
      id: 'heavy-draft',
      version: 1,
      diagram: { mermaid: toMermaid(local.definition!, { lang: 'en' }) },
    };
    for (const r of answers) expect(r.text).to.equal(JSON.stringify(expected));

    // the user's slots are free again
    expect((await a.post('/api/v1/definitions/validate', { source: fixture('../../processes/public-disclosure.yaml') })).status).to.equal(200);
  });

  it('answers an invalid draft with the in-process diagnostics, on validate and on impact', async () => {
    const source = fixture('hostile/yaml/base.yaml').replace('target: review', 'target: nowhere').replace('workingDays: 5', 'workingDays: -5');
    const c = await s.client('admin_so');
    const local = s.app.runtime.engine.catalog.check(source, 'hostile-base.yaml');
    const diagnostics = local.diagnostics.map(({ file: _f, ...d }) => d);
    expect(local.definition).to.equal(undefined);
    expect(diagnostics.length).to.be.above(0);
    const checked = await c.post('/api/v1/definitions/validate', { source });
    expect(checked.body).to.deep.equal({ valid: false, diagnostics });
    const impact = await c.post('/api/v1/definitions/impact', { source });
    expect(impact.status).to.equal(422);
    expect(errorOf(impact).details.diagnostics).to.deep.equal(diagnostics.filter((d) => d.severity === 'error'));
  });

  it('reads TIENDO_DRAFT_WORKERS once', async () => {
    const { loadConfig } = await import('../../adapters/app.ts');
    expect(loadConfig({ TIENDO_DRAFT_WORKERS: '3' }).draftWorkers).to.equal(3);
    expect(loadConfig({}).draftWorkers).to.equal(undefined);
    expect(() => loadConfig({ TIENDO_DRAFT_WORKERS: '0' })).to.throw(/TIENDO_DRAFT_WORKERS="0"/);
  });

  it('bounds the checks in flight in all, stops a check past its time limit, and carries on with a new thread', async () => {
    // a time limit far below what a 1 MB draft takes, far above what a one-line one does
    const pool = new DraftPool({ 'vn-government': { firstYear: 2021, lastYear: 2045 } }, { size: 1, perUser: 5, limit: 2, timeoutMs: 20 });
    try {
      const tiny = 'id: tiny\n';
      expect((await pool.check('warm-up', tiny, 'tiny.yaml')).valid).to.equal(false);
      const slow = pool.check('u1', heavyDraft(), 'heavy-draft.yaml').then(
        () => 'answered',
        (e: { status?: number; code?: string; message: string }) => [e.status, e.code, e.message],
      );
      const waiting = pool.check('u2', tiny, 'tiny.yaml');
      const full = await pool.check('u3', tiny, 'tiny.yaml').catch((e: { status: number; message: string }) => [e.status, e.message]);
      expect(full).to.deep.equal([429, 'the server is checking 2 drafts, as many as it takes at a time; try again in a few seconds']);
      expect(await slow).to.deep.equal([422, 'DEFINITION_INVALID', 'checking this draft took longer than 0.02 s and was stopped; make it smaller or simpler']);
      const next = await waiting;
      expect(next.diagnostics, 'the next check, on a new thread').to.deep.equal(
        (await import('../../engine/application/drafts.ts')).summarizeDraft(tiny, 'tiny.yaml', { 'vn-government': { firstYear: 2021, lastYear: 2045 } })
          .diagnostics,
      );
      expect(pool.stats()).to.deep.equal({ workers: 1, running: 0, queued: 0 });
    } finally {
      await pool.close();
    }
  });
});
