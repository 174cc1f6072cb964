// Attachments and stage comments on both stores and both places for the bytes (a folder under the
// data folder, the store's file_blobs table): the type is told by the content, not the name; the
// size limit refuses with FILE_TOO_LARGE and keeps nothing; outside one's units an attachment, its
// list and its upload answer 404 like something that does not exist; a supervisor above reads.
import { expect } from 'chai';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type App } from '../../adapters/app.ts';
import { hashPassword } from '../../adapters/http/auth.ts';
import { systemPrincipal } from '../../engine/application/application.ts';
import { ManualClock } from '../../engine/ports.ts';
import { Client, PASSWORD, USERS, errorOf } from '../http/support.ts';
import { at8, PROVINCE } from '../support/runtime.ts';
import { POSTGRES_URL, requireService } from '../support/services.ts';
import { zip } from '../support/zip.ts';

export const FILES_PROCESS = `id: files-probe
version: 1
title: { vi: Thử tệp, en: File probe }
legalBasis: [Test]
appliesTo: [primary, lower-secondary]
calendar: vn-government
initial: dossier
stages:
  dossier:
    title: { vi: Lập hồ sơ, en: Dossier }
    owner: school
    due: { workingDays: 5 }
    tasks:
      - { id: report, title: { vi: Báo cáo tự đánh giá, en: Self-assessment report } }
      - { id: other, title: { vi: Việc khác, en: Other task } }
    evidence:
      - { id: decision, title: { vi: Quyết định thành lập, en: Founding decision }, required: false }
    on:
      SUBMIT: review
  review:
    title: { vi: Phòng xem xét, en: District review }
    owner: district
    on:
      RETURN: dossier
`;

export const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
export const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(40, 1)]);
const EXE = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(64, 0)]);
const DOCX = zip({
  '[Content_Types].xml': '<Types><Override ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
  'word/document.xml': '<w/>',
});
const PLAIN_ZIP = zip({ 'readme.txt': 'hello' });

type Mode = { dialect: 'sqlite' | 'postgres'; store: 'folder' | 'sql' };
const MODES: Mode[] = [
  { dialect: 'sqlite', store: 'folder' },
  { dialect: 'sqlite', store: 'sql' },
  { dialect: 'postgres', store: 'sql' },
  { dialect: 'postgres', store: 'folder' },
];

for (const mode of MODES) {
  describe(`attachments and comments on ${mode.dialect}, bytes in ${mode.store === 'sql' ? 'the store' : 'a folder'}`, function () {
    this.timeout(120_000);
    let app: App;
    let dir: string;
    const schema = `f_${process.pid}_${Date.now()}`;
    let url: string;
    let instance: string;
    let other: string;
    let taskId: string;
    const client = async (login: string) => {
      const c = new Client(url);
      expect((await c.login(login)).status).to.equal(200);
      return c;
    };
    const upload = (c: Client, name: string, bytes: Buffer, target = `taskId=${encodeURIComponent(taskId)}`, on = instance) =>
      c.call('POST', `/api/v1/instances/${on}/attachments?name=${encodeURIComponent(name)}&${target}`, bytes, { 'content-type': 'application/octet-stream' });
    const blobCount = async () =>
      mode.store === 'sql'
        ? Number((await app.runtime.db('file_blobs').count({ n: '*' }))[0]!.n)
        : existsSync(join(dir, 'files'))
          ? readdirSync(join(dir, 'files')).flatMap((d) => readdirSync(join(dir, 'files', d))).length
          : 0;

    before(async function () {
      if (mode.dialect === 'postgres') await requireService(this, 'PostgreSQL');
      dir = mkdtempSync(join(tmpdir(), 'tiendo-files-'));
      const empty = mkdtempSync(join(tmpdir(), 'tiendo-noproc-'));
      const clock = new ManualClock(at8('2026-03-02'));
      app = await startApp({
        ...(mode.dialect === 'postgres'
          ? { databaseUrl: POSTGRES_URL, pgSchema: schema, dataDir: dir }
          : { sqliteFile: join(dir, 'tiendo.sqlite'), dataDir: dir }),
        files: { store: mode.store, maxBytes: 64 * 1024, maxPerInstance: 6 },
        processDir: empty,
        port: 0,
        checkAnswers: true,
        ui: false,
        workers: false,
        demo: false,
        clock,
        bcryptCost: 4,
        log: () => undefined,
      });
      url = app.url!;
      await app.runtime.engine.addUnits(PROVINCE);
      const hash = await hashPassword(PASSWORD, 4);
      let n = 0;
      for (const [login, grants] of Object.entries(USERS))
        await app.accounts.putUser({ id: `u${++n}`, login, name: `Người dùng ${login}`, passwordHash: hash, createdAt: clock.now() }, grants);
      await app.application.publish(systemPrincipal(), FILES_PROCESS);
      instance = (await app.runtime.engine.start({ definitionId: 'files-probe', orgUnitId: 'th_a1' }, { actor: 'test' })).id;
      other = (await app.runtime.engine.start({ definitionId: 'files-probe', orgUnitId: 'th_b1' }, { actor: 'test' })).id;
      taskId = (await app.runtime.db('tasks').where({ instance_id: instance, task: 'report' }).first('id')).id;
    });
    after(async () => {
      await app?.close();
      if (mode.dialect === 'postgres' && app) {
        const { openDb } = await import('../../adapters/store/db.ts');
        const { db } = openDb({ databaseUrl: POSTGRES_URL, schema });
        await db.raw(`drop schema if exists "${schema}" cascade`);
        await db.destroy();
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('keeps a PDF attached to a task, lists it on the timeline, and serves it back as it was', async () => {
      const c = await client('staff_th_a1');
      const r = await upload(c, 'Báo cáo tự đánh giá.pdf', PDF);
      expect(r.status, r.text).to.equal(201);
      expect(r.body.attachment).to.include({
        name: 'Báo cáo tự đánh giá.pdf',
        type: 'application/pdf',
        size: PDF.length,
        task: 'report',
        uploadedByName: 'Người dùng staff_th_a1',
      });
      expect(r.body.renamed).to.equal(false);
      const list = await c.get(`/api/v1/instances/${instance}/attachments`);
      expect(list.body.items.map((a: { id: string }) => a.id)).to.deep.equal([r.body.attachment.id]);
      const tl = await c.get(`/api/v1/instances/${instance}`);
      const entry = tl.body.history.find((h: { eventType: string }) => h.eventType === 'file.attached');
      expect(entry.payload).to.include({ name: 'Báo cáo tự đánh giá.pdf', task: 'report', stage: 'dossier' });
      expect(entry.actorName).to.equal('Người dùng staff_th_a1');
      const d = await c.get(`/api/v1/attachments/${r.body.attachment.id}`);
      expect(d.status).to.equal(200);
      expect(d.bytes.equals(PDF)).to.equal(true);
      expect(d.headers.get('content-type')).to.match(/^application\/pdf/);
      expect(d.headers.get('x-content-type-options')).to.equal('nosniff');
      expect(d.headers.get('content-disposition')).to.include(`filename*=UTF-8''${encodeURIComponent('Báo cáo tự đánh giá.pdf')}`);
      expect(await blobCount()).to.equal(1);
    });

    it('tells the type by the content: a PNG named .pdf is kept as a PNG named .png; a docx by its manifest', async () => {
      const c = await client('staff_th_a1');
      const r = await upload(c, 'anh-chup.pdf', PNG);
      expect(r.status, r.text).to.equal(201);
      expect(r.body.attachment).to.include({ name: 'anh-chup.png', type: 'image/png' });
      expect(r.body.renamed).to.equal(true);
      const d = await upload(c, 'ke-hoach', DOCX, 'item=decision');
      expect(d.status, d.text).to.equal(201);
      expect(d.body.attachment).to.include({ name: 'ke-hoach.docx', evidenceItem: 'decision' });
      expect(d.body.attachment.type).to.equal('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    });

    it('refuses a program renamed .pdf, a plain zip, an empty file and one over the limit, keeping nothing', async () => {
      const c = await client('staff_th_a1');
      const before = { rows: (await c.get(`/api/v1/instances/${instance}/attachments`)).body.items.length, blobs: await blobCount() };
      const exe = await upload(c, 'hoa-don.pdf', EXE);
      expect(exe.status).to.equal(415);
      expect(errorOf(exe).code).to.equal('FILE_TYPE_REFUSED');
      expect(errorOf(exe).details).to.include({ reason: 'type', name: 'hoa-don.pdf' });
      expect(errorOf(await upload(c, 'tai-lieu.docx', PLAIN_ZIP)).code).to.equal('FILE_TYPE_REFUSED');
      const empty = await upload(c, 'rong.pdf', Buffer.alloc(0));
      expect(empty.status).to.equal(400);
      const big = await upload(c, 'lon.pdf', Buffer.concat([PDF, Buffer.alloc(64 * 1024)]));
      expect(big.status).to.equal(413);
      expect(errorOf(big).code).to.equal('FILE_TOO_LARGE');
      expect(errorOf(big).details).to.include({ limit: 64 * 1024, size: PDF.length + 64 * 1024 });
      expect((await c.get(`/api/v1/instances/${instance}/attachments`)).body.items.length).to.equal(before.rows);
      expect(await blobCount()).to.equal(before.blobs);
    });

    it('keeps a hostile name harmless: no folders, no NUL, no direction override, at most 120 characters', async () => {
      const c = await client('staff_th_a1');
      const r1 = await upload(c, '../../etc/passwd.pdf', PDF);
      expect(r1.body.attachment.name).to.equal('passwd.pdf');
      const r2 = await upload(c, 'bao\u0000cao\u202egpj.pdf', PDF);
      expect(r2.body.attachment.name).to.equal('baocaogpj.pdf');
      const r3 = await upload(c, `${'đ'.repeat(300)}.pdf`, PDF);
      expect([...r3.body.attachment.name].length).to.equal(120);
      expect(r3.body.attachment.name.endsWith('.pdf')).to.equal(true);
      // the same bytes are kept once
      expect(await blobCount()).to.equal(3);
      if (mode.store === 'folder') {
        // and only under their digests: no name a person typed reaches the disk
        const root = join(dir, 'files');
        for (const d of readdirSync(root)) {
          expect(d).to.match(/^[0-9a-f]{2}$/);
          for (const f of readdirSync(join(root, d))) expect(f).to.match(new RegExp(`^${d}[0-9a-f]{62}$`));
        }
        expect(existsSync(join(dir, 'etc')) || existsSync(join(dir, 'passwd.pdf'))).to.equal(false);
      }
    });

    it('stops at the per-instance count', async () => {
      const c = await client('staff_th_a1');
      const r = await upload(c, 'them.pdf', PDF);
      expect(r.status).to.equal(409);
      expect(errorOf(r).code).to.equal('FILE_LIMIT_REACHED');
      expect(errorOf(r).details).to.include({ limit: 6 });
    });

    it('answers 404 outside one’s units (list, download, upload), lets a supervisor above read, and refuses a reader’s upload', async () => {
      const owner = await client('staff_th_a1');
      const id = (await owner.get(`/api/v1/instances/${instance}/attachments`)).body.items[0].id;
      const stranger = await client('staff_th_b1');
      expect((await stranger.get(`/api/v1/instances/${instance}/attachments`)).status).to.equal(404);
      const dl = await stranger.get(`/api/v1/attachments/${id}`);
      expect(dl.status).to.equal(404);
      expect(errorOf(dl).code).to.equal('NOT_FOUND');
      // answered exactly as an attachment that does not exist
      const missing = errorOf(await stranger.get(`/api/v1/attachments/no-such-id`));
      expect({ ...missing, message: missing.message.replace('no-such-id', 'X'), details: {} }).to.deep.equal({
        ...errorOf(dl),
        message: errorOf(dl).message.replace(id, 'X'),
        details: {},
      });
      expect((await upload(stranger, 'x.pdf', PDF)).status).to.equal(404);
      expect((await stranger.delete(`/api/v1/attachments/${id}`)).status).to.equal(404);
      const sup = await client('sup_a');
      expect((await sup.get(`/api/v1/instances/${instance}/attachments`)).body.items.length).to.equal(6);
      expect((await sup.get(`/api/v1/attachments/${id}`)).status).to.equal(200);
      expect((await upload(sup, 'y.pdf', PDF)).status).to.equal(403);
      const soSup = await client('sup_so');
      expect((await soSup.get(`/api/v1/attachments/${id}`)).status).to.equal(200);
      // the other school's own staff attach to their own instance
      const b = await upload(
        stranger,
        'b.pdf',
        PDF,
        `taskId=${encodeURIComponent((await app.runtime.db('tasks').where({ instance_id: other, task: 'report' }).first('id')).id)}`,
        other,
      );
      expect(b.status, b.text).to.equal(201);
    });

    it('lets only the uploader remove a file, while its task is open', async () => {
      const owner = await client('staff_th_a1');
      const items = (await owner.get(`/api/v1/instances/${instance}/attachments`)).body.items as {
        id: string;
        canRemove: boolean;
        name: string;
        taskId?: string;
      }[];
      const mine = items.find((a) => a.name === 'passwd.pdf')!;
      expect(mine.canRemove).to.equal(true);
      const colleague = await client('staff_a');
      expect((await colleague.get(`/api/v1/instances/${instance}/attachments`)).body.items.every((a: { canRemove: boolean }) => !a.canRemove)).to.equal(true);
      const refused = await colleague.delete(`/api/v1/attachments/${mine.id}`);
      expect(refused.status).to.equal(403);
      expect((await owner.delete(`/api/v1/attachments/${mine.id}`)).status).to.equal(204);
      const tl = await owner.get(`/api/v1/instances/${instance}`);
      expect(
        tl.body.history.some((h: { eventType: string; payload: { name: string } }) => h.eventType === 'file.removed' && h.payload.name === 'passwd.pdf'),
      ).to.equal(true);
      // its bytes are still another attachment's: kept
      const kept = items.find((a) => a.taskId && a.name === 'Báo cáo tự đánh giá.pdf')!;
      expect((await owner.get(`/api/v1/attachments/${kept.id}`)).status).to.equal(200);
      // once the task is done, the file stays on record
      expect((await owner.post(`/api/v1/tasks/${taskId}/complete`, { data: {} })).status).to.equal(200);
      expect((await owner.delete(`/api/v1/attachments/${kept.id}`)).status).to.equal(409);
      expect((await upload(owner, 'muon.pdf', PDF)).status).to.equal(409);
    });

    it('answers a repeated Idempotency-Key with the first upload, and refuses the key for other bytes', async () => {
      const c = await client('staff_th_b1');
      const task = (await app.runtime.db('tasks').where({ instance_id: other, task: 'other' }).first('id')).id as string;
      const send = (bytes: Buffer) =>
        c.call('POST', `/api/v1/instances/${other}/attachments?name=lap-lai.pdf&taskId=${encodeURIComponent(task)}`, bytes, {
          'content-type': 'application/octet-stream',
          'idempotency-key': 'tep-lap-lai-1',
        });
      const first = await send(PDF);
      const again = await send(PDF);
      expect(first.status, first.text).to.equal(201);
      expect(again.status).to.equal(201);
      expect(again.headers.get('idempotent-replayed')).to.equal('true');
      expect(again.body.attachment.id).to.equal(first.body.attachment.id);
      const other_ = await send(Buffer.concat([PDF, Buffer.from('khác')]));
      expect(errorOf(other_).code).to.equal('IDEMPOTENCY_KEY_REUSED');
      const named = (await c.get(`/api/v1/instances/${other}/attachments`)).body.items.filter((a: { name: string }) => a.name === 'lap-lai.pdf');
      expect(named.length).to.equal(1);
    });

    it('keeps a comment thread per stage, authors by full name, HTML kept as text', async () => {
      const staff = await client('staff_th_a1');
      const path = `/api/v1/instances/${instance}/stages/dossier/comments`;
      const w = await staff.post(path, { text: '<img src=x onerror=alert(1)> Đã bổ sung minh chứng' });
      expect(w.status, w.text).to.equal(201);
      expect(w.body.comment.authorName).to.equal('Người dùng staff_th_a1');
      // the Phòng's staff reviewing from above write too; its supervisor reads but does not write
      expect((await (await client('staff_a')).post(path, { text: 'Đề nghị bổ sung biên bản.' })).status).to.equal(201);
      const sup = await client('sup_a');
      const read = await sup.get(path);
      expect(read.body.items.map((c: { text: string; authorName: string }) => [c.authorName, c.text])).to.deep.equal([
        ['Người dùng staff_th_a1', '<img src=x onerror=alert(1)> Đã bổ sung minh chứng'],
        ['Người dùng staff_a', 'Đề nghị bổ sung biên bản.'],
      ]);
      expect(read.body.canWrite).to.equal(false);
      expect((await sup.post(path, { text: 'x' })).status).to.equal(403);
      expect((await (await client('staff_th_b1')).get(path)).status).to.equal(404);
      expect((await (await client('staff_th_b1')).post(path, { text: 'x' })).status).to.equal(404);
      expect((await staff.get(`/api/v1/instances/${instance}/stages/review/comments`)).body.items).to.deep.equal([]);
      expect((await staff.get(`/api/v1/instances/${instance}/stages/nope/comments`)).status).to.equal(404);
      // the Phòng's review thread, read from the instance with every stage's title
      expect(
        (await (await client('staff_a')).post(`/api/v1/instances/${instance}/stages/review/comments`, { text: 'Trả lại: thiếu biên bản.' })).status,
      ).to.equal(201);
      const all = await sup.get(`/api/v1/instances/${instance}/comments`);
      expect(all.body.items.map((c: { stage: string }) => c.stage)).to.deep.equal(['dossier', 'dossier', 'review']);
      expect(all.body.stageTitles).to.deep.equal({ dossier: { vi: 'Lập hồ sơ', en: 'Dossier' }, review: { vi: 'Phòng xem xét', en: 'District review' } });
      expect((await (await client('staff_th_b1')).get(`/api/v1/instances/${instance}/comments`)).status).to.equal(404);
      const long = await staff.post(path, { text: 'a'.repeat(4001) });
      expect(long.status).to.equal(400);
      expect((await staff.post(path, { text: '   ' })).status).to.equal(400);
    });
  });
}
