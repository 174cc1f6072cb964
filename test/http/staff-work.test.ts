// A staff member's whole list of work, on the demo province: "Việc của tôi" pages through all of it
// (never stopping silently), lists the stages waiting on an event beside the tasks, searches without
// diacritics and counts each filter value; a returned dossier tells the school why, in the task and
// in the inbox, with the earlier answers in the form; a completed task is reopened to be corrected,
// only by those who may complete it.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type App } from '../../adapters/app.ts';
import { hashPassword } from '../../adapters/http/auth.ts';
import { foldText } from '../../engine/text.ts';
import { Client } from './support.ts';

const PASSWORD = 'demo1234';
type Item = {
  id: string;
  kind: 'task' | 'stage';
  instanceId: string;
  unitId: string;
  unitName: string;
  officeId: string | null;
  definitionId: string;
  stage: string;
  task: string;
  title: { vi: string; en?: string };
  stageTitle: { vi: string; en?: string };
  processTitle: { vi: string; en?: string };
  dueAt: number | null;
  openedAt: number;
  workingDaysLeft: number | null;
  events: { type: string }[];
};

describe('HTTP: staff work — the whole list, returned dossiers, reopening (demo province)', function () {
  this.timeout(120_000);
  let app: App;
  let dir: string;
  const clients = new Map<string, Client>();
  const as = async (login: string) => {
    if (!clients.has(login)) {
      const c = new Client(app.url!);
      const r = await c.login(login, PASSWORD);
      expect(r.status, `sign in as ${login}`).to.equal(200);
      clients.set(login, c);
    }
    return clients.get(login)!;
  };
  const all = async (c: Client, query = ''): Promise<{ items: Item[]; total: number; pages: number }> => {
    const items: Item[] = [];
    let total = -1;
    let pages = 0;
    for (let offset = 0; ; offset += 50) {
      const r = await c.get(`/api/v1/tasks/mine?limit=50&offset=${offset}${query}`);
      expect(r.status, r.text).to.equal(200);
      if (total >= 0) expect(r.body.total, 'the total holds from page to page').to.equal(total);
      total = r.body.total;
      pages++;
      items.push(...r.body.items);
      if (offset + 50 >= total) break;
    }
    return { items, total, pages };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tiendo-staff-work-'));
    app = await startApp({
      port: 0,
      checkAnswers: true,
      sqliteFile: join(dir, 'tiendo.sqlite'),
      demo: true,
      bcryptCost: 4,
      ui: false,
      workers: false,
      log: () => {},
    });
  });
  after(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pages through every item of a Phòng officer, soonest due first, with the total on each page', async () => {
    const c = await as('canbo.phong');
    const first = await c.get('/api/v1/tasks/mine');
    expect(first.body.limit).to.equal(50);
    expect(first.body.items).to.have.length(50);
    expect(first.body.total, 'more than the old silent cut at 200').to.be.greaterThan(200);
    const { items, total, pages } = await all(c);
    expect(pages).to.equal(Math.ceil(total / 50));
    expect(items).to.have.length(total);
    expect(new Set(items.map((i) => i.id)).size, 'no item twice across pages').to.equal(total);
    const dues = items.map((i) => i.dueAt ?? Infinity);
    expect(dues, 'soonest due first, across pages').to.deep.equal([...dues].sort((a, b) => a - b));
    // A page past the end is empty, not an error, and says the total.
    const past = await c.get(`/api/v1/tasks/mine?offset=${total + 10}`);
    expect(past.body.items).to.deep.equal([]);
    expect(past.body.total).to.equal(total);
  });

  it('lists the stages waiting on an event: exactly the active stages the officer may act in that have no open task', async () => {
    const c = await as('canbo.phong');
    const { items } = await all(c);
    const listed = new Set(items.filter((i) => i.kind === 'stage').map((i) => `${i.instanceId}/${i.stage}`));
    const openTaskStages = new Set(items.filter((i) => i.kind === 'task').map((i) => `${i.instanceId}/${i.stage}`));
    // Independently: every running instance of the Phòng's subtree, through the timeline's own
    // "may act here" (the rule table) and what each active stage accepts.
    const expected = new Set<string>();
    let overdue = 0;
    const now = app.runtime.clock.now();
    for (let after = ''; ;) {
      const page = await c.get(`/api/v1/instances?status=running&limit=200${after ? `&after=${after}` : ''}`);
      expect(page.status, page.text).to.equal(200);
      for (const row of page.body.items) {
        const tl = (await c.get(`/api/v1/instances/${row.id}`)).body;
        const openHere = new Set(tl.tasks.filter((k: { status: string }) => k.status === 'open').map((k: { stage: string }) => k.stage));
        for (const s of tl.stages) {
          if (!s.canAct || !s.accepts.length || openHere.has(s.id)) continue;
          expected.add(`${row.id}/${s.id}`);
          if (s.dueAt !== null && s.dueAt < now) overdue++;
        }
      }
      if (!page.body.next) break;
      after = page.body.next;
    }
    expect(expected.size, 'the demo has stages waiting on an event').to.be.greaterThan(0);
    expect([...listed].sort()).to.deep.equal([...expected].sort());
    for (const key of listed) expect(openTaskStages.has(key), `${key} has an open task and a stage item`).to.equal(false);
    const stageItems = items.filter((i) => i.kind === 'stage');
    expect(stageItems.filter((i) => i.dueAt !== null && i.dueAt < now).length).to.equal(overdue);
    for (const i of stageItems) {
      expect(i.title, 'a stage item is titled by its stage').to.deep.equal(i.stageTitle);
      expect(i.events.length).to.be.greaterThan(0);
    }
  });

  it('counts each filter value as the list it gives, and the due counts add up', async () => {
    const c = await as('canbo.phong');
    const r = (await c.get('/api/v1/tasks/mine')).body;
    const now = r.asOf;
    const { due } = r.facets;
    expect(due.all).to.equal(r.total);
    const overdue = (await c.get('/api/v1/tasks/mine?due=overdue&limit=500')).body;
    expect(overdue.total).to.equal(due.overdue).and.to.be.greaterThan(0);
    for (const i of overdue.items as Item[]) expect(i.dueAt).to.be.below(now);
    const soon = (await c.get('/api/v1/tasks/mine?due=soon&limit=500')).body;
    expect(soon.total).to.equal(due.soon);
    expect(soon.soonWorkingDays).to.equal(5);
    for (const i of soon.items as Item[]) expect(i.dueAt! >= now && i.workingDaysLeft! <= soon.soonWorkingDays, JSON.stringify(i)).to.equal(true);
    for (const [facet, param] of [
      ['units', 'unitId'],
      ['offices', 'officeId'],
      ['processes', 'definitionId'],
      ['stages', 'stage'],
    ] as const) {
      const values = r.facets[facet] as { id: string; count: number }[];
      expect(values.length, facet).to.be.greaterThan(0);
      expect(
        values.reduce((n, v) => n + v.count, 0),
        `${facet} add up to the total`,
      ).to.equal(r.total);
      for (const v of values.slice(0, 3)) {
        const page = (await c.get(`/api/v1/tasks/mine?${param}=${encodeURIComponent(v.id)}&limit=500`)).body;
        expect(page.total, `${facet}=${v.id}`).to.equal(v.count);
        for (const i of page.items as Item[]) {
          const got = { units: i.unitId, offices: i.officeId, processes: i.definitionId, stages: `${i.definitionId}/${i.stage}` }[facet];
          expect(got).to.equal(v.id);
        }
      }
    }
    // Filters combine; a facet's counts are what choosing each value would give alongside the others.
    const proc = r.facets.processes[0].id;
    const both = (await c.get(`/api/v1/tasks/mine?definitionId=${proc}&due=overdue&limit=500`)).body;
    expect(both.items.every((i: Item) => i.definitionId === proc && i.dueAt! < now)).to.equal(true);
    expect(both.facets.processes.find((f: { id: string }) => f.id === proc)?.count ?? 0).to.equal(both.total);
  });

  it('searches the school, process, stage and task, with or without diacritics', async () => {
    const c = await as('canbo.phong');
    const plain = (await c.get(`/api/v1/tasks/mine?q=${encodeURIComponent('nguyen du')}&limit=500`)).body;
    const marked = (await c.get(`/api/v1/tasks/mine?q=${encodeURIComponent('Nguyễn Du')}&limit=500`)).body;
    expect(plain.total).to.be.greaterThan(0);
    expect(marked.total).to.equal(plain.total);
    for (const i of plain.items as Item[]) expect(foldText(i.unitName)).to.contain('nguyen du');
    // a stage's title finds its items, in any school
    const { items } = await all(c);
    const stage = items.find((i) => i.kind === 'stage')!;
    const words = foldText(stage.stageTitle.vi)
      .split(/[^a-z0-9]+/)
      .filter((w) => w.length > 3)
      .slice(0, 3)
      .join(' ');
    const found = (await c.get(`/api/v1/tasks/mine?q=${encodeURIComponent(words)}&limit=500`)).body;
    expect(found.items.map((i: Item) => i.id)).to.include(stage.id);
    expect((await c.get('/api/v1/tasks/mine?q=zzqxj')).body.total).to.equal(0);
  });

  it('shows only the caller’s units: a school sees its own, a filter on another school finds nothing, a supervisor has no work', async () => {
    const school = await as('truong.th');
    const mine = await all(school);
    expect(mine.total).to.be.greaterThan(0);
    const units = new Set(mine.items.map((i) => i.unitId));
    expect([...units]).to.deep.equal(['th-chau-thanh-tran-quoc-toan']);
    expect((await school.get('/api/v1/tasks/mine?unitId=thcs-chau-thanh-nguyen-du')).body.total).to.equal(0);
    expect((await (await as('giamsat.phong')).get('/api/v1/tasks/mine')).body.total).to.equal(0);
    expect((await school.get('/api/v1/tasks/mine?due=late')).status).to.equal(400);
    expect((await school.get('/api/v1/tasks/mine?limit=501')).status).to.equal(400);
  });

  it('answers a month of deadlines with the days off of the calendar', async () => {
    const c = await as('canbo.phong');
    const r = (await c.get('/api/v1/tasks/mine')).body;
    const due = (r.items as Item[]).find((i) => i.dueAt !== null)!.dueAt!;
    const d = new Date(due + 7 * 3_600_000);
    const from = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) - 7 * 3_600_000;
    const before = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - 7 * 3_600_000;
    const month = (await c.get(`/api/v1/tasks/mine?dueFrom=${from}&dueBefore=${before}&limit=500`)).body;
    expect(month.total).to.be.greaterThan(0);
    for (const i of month.items as Item[]) expect(i.dueAt! >= from && i.dueAt! < before).to.equal(true);
    expect(month.items.map((i: Item) => i.id)).to.include((r.items as Item[]).find((i) => i.dueAt === due)!.id);
    // every Saturday and Sunday of the month is off unless made a working day; some are listed
    const off = month.daysOff as { date: string; kind: string }[];
    expect(off.filter((o) => o.kind === 'weekend').length).to.be.within(7, 10);
    for (const o of off) expect(o.date.slice(0, 7)).to.equal(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`);
  });

  it('reopens a completed task for those who may complete it: 404 for another school, 403 for a reader, 409 when open', async () => {
    const school = await as('truong.th');
    // a task without a form in a stage with another open task, so completing it leaves the stage where it is
    const { items } = await all(school);
    const byStage = new Map<string, Item[]>();
    for (const i of items.filter((x) => x.kind === 'task'))
      byStage.set(`${i.instanceId}/${i.stage}`, [...(byStage.get(`${i.instanceId}/${i.stage}`) ?? []), i]);
    let chosen: Item | undefined;
    for (const group of byStage.values()) {
      if (group.length < 2) continue;
      for (const i of group) {
        const detail = (await school.get(`/api/v1/tasks/${i.id}`)).body;
        if (!detail.form || !Object.keys(detail.form.properties ?? {}).length) chosen = i;
      }
      if (chosen) break;
    }
    expect(chosen, 'the demo leaves the school a stage with two open tasks').to.not.equal(undefined);
    const id = encodeURIComponent(chosen!.id);
    expect((await school.post(`/api/v1/tasks/${id}/complete`, { data: {} })).status).to.equal(200);
    expect((await school.get(`/api/v1/tasks/${id}`)).body.canReopen).to.equal(true);
    const other = await (await as('truong.thcs')).post(`/api/v1/tasks/${id}/reopen`, { reason: 'sửa' });
    expect(other.status).to.equal(404);
    expect(other.body.error.code).to.equal('NOT_FOUND');
    const reader = await as('giamsat.phong');
    expect((await reader.get(`/api/v1/tasks/${id}`)).body.canReopen).to.equal(false);
    const refused = await reader.post(`/api/v1/tasks/${id}/reopen`, { reason: 'sửa' });
    expect(refused.status).to.equal(403);
    expect((await school.post(`/api/v1/tasks/${id}/reopen`, { reason: '   ' })).status).to.equal(400);
    const key = { 'Idempotency-Key': 'reopen-once-1' };
    const done = await school.post(`/api/v1/tasks/${id}/reopen`, { reason: 'Ghi nhầm số liệu' }, key);
    expect(done.status, done.text).to.equal(200);
    const again = await school.post(`/api/v1/tasks/${id}/reopen`, { reason: 'Ghi nhầm số liệu' }, key);
    expect(again.status, 'the same key answers the same').to.equal(200);
    expect(again.body).to.deep.equal(done.body);
    const detail = (await school.get(`/api/v1/tasks/${id}`)).body;
    expect(detail.task.status).to.equal('open');
    expect(detail.canAct).to.equal(true);
    expect(detail.returned).to.deep.include({ kind: 'reopened', byName: 'Cán bộ Trường Tiểu học Trần Quốc Toản', reason: 'Ghi nhầm số liệu' });
    const twice = await school.post(`/api/v1/tasks/${id}/reopen`, { reason: 'lần nữa' });
    expect(twice.status).to.equal(409);
    expect(twice.body.error.code).to.equal('TASK_NOT_OPEN');
    expect((await school.post('/api/v1/tasks/khong-co/reopen', { reason: 'x' })).status).to.equal(404);
    // the history says why
    const tl = (await school.get(`/api/v1/instances/${chosen!.instanceId}`)).body;
    const entry = tl.history.find((h: { eventType: string }) => h.eventType === 'task.reopen');
    expect(entry.payload).to.deep.include({ task: chosen!.task, reason: 'Ghi nhầm số liệu' });
  });

  it('a returned dossier: the school’s task says who returned it, when and why, the inbox says it too, and the form holds the earlier answers', async () => {
    const phong = await as('canbo.phong');
    // A primary school's registration waiting on the Phòng's check.
    const waiting = (await phong.get('/api/v1/instances?definitionId=accreditation-primary&stage=district_review&status=running&limit=50')).body.items;
    expect(waiting.length, 'the demo has a registration at the Phòng').to.be.greaterThan(0);
    const instance = waiting[0];
    const before = (await phong.get(`/api/v1/instances/${instance.id}`)).body;
    const letter = before.tasks.filter((k: { task: string; status: string }) => k.task === 'request_letter' && k.status === 'done').at(-1);
    expect(letter?.data, 'the school answered the registration letter').to.be.an('object');
    // the school's own staff account
    await app.accounts.putUser(
      {
        id: 'u-staff-return',
        login: 'truong.tra',
        name: 'Nguyễn Thị Trả',
        email: 'tra@test.vn',
        passwordHash: await hashPassword(PASSWORD, 4),
        createdAt: 0,
      },
      [{ role: 'staff', unitId: instance.orgUnitId }],
    );
    const school = await as('truong.tra');
    const note = 'Thiếu biên bản họp hội đồng tự đánh giá';
    const sentAt = app.runtime.clock.now();
    const sent = await phong.post(`/api/v1/instances/${instance.id}/events`, { type: 'REVIEW', data: { decision: 'returned', note } });
    expect(sent.status, sent.text).to.equal(200);
    expect(sent.body.stages).to.deep.equal(['registration']);
    const mine = await all(school);
    const reopened = mine.items.find((i) => i.instanceId === instance.id && i.task === 'request_letter')!;
    expect(reopened, 'the returned task is in the school’s list').to.not.equal(undefined);
    const detail = (await school.get(`/api/v1/tasks/${encodeURIComponent(reopened.id)}`)).body;
    expect(detail.returned.kind).to.equal('returned');
    expect(detail.returned.byName).to.equal('Chuyên viên Phòng GDĐT Châu Thành');
    expect(detail.returned.at).to.be.within(sentAt, app.runtime.clock.now());
    expect(detail.returned.fields.find((f: { name: string }) => f.name === 'note').value).to.equal(note);
    expect(detail.returned.fromStageTitle.vi).to.equal(before.stages.find((s: { id: string }) => s.id === 'district_review').title.vi);
    expect(detail.prefilledFromEarlier).to.equal(true);
    expect(detail.prefill).to.deep.equal(letter.data);
    // the inbox: a "returned" notice for the school, with the note; none for the Phòng
    const inbox = (await school.get('/api/v1/inbox')).body.items;
    const notice = inbox.find((n: { kind: string; instanceId?: string }) => n.kind === 'returned' && n.instanceId === instance.id);
    expect(notice, JSON.stringify(inbox.slice(0, 3))).to.not.equal(undefined);
    expect(notice.message.vi).to.contain(note).and.to.contain('Đăng ký đánh giá ngoài');
    expect(notice.message.en).to.contain(note);
    const phongInbox = (await phong.get('/api/v1/inbox')).body.items;
    expect(phongInbox.some((n: { kind: string; instanceId?: string }) => n.kind === 'returned' && n.instanceId === instance.id)).to.equal(false);
  });
});
