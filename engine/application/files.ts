// Files attached to a task or an evidence item, and each instance stage's comment thread: the
// back-and-forth of returns and feedback. Reading follows the instance (outside one's units an
// attachment does not exist, like the instance); attaching follows the act it supports (completing
// the task, ticking the item); the rules are policy.ts's.
import { createHash, randomUUID } from 'node:crypto';
import type { Instance } from '../domain.ts';
import { EngineError } from '../errors.ts';
import { checkFile, DEFAULT_MAX_BYTES } from '../files/content.ts';
import type { Accounts, Attachment, Discussions, FileBlobs } from '../ports.ts';
import type { Engine } from '../service/engine.ts';
import { forbidden, mayComment, mayRemoveAttachment, mayWorkTask, notFound, requireStageAct, scope, stagesHoldingEvidence, type Principal } from './policy.ts';
import { personNames, stageTitle, type NameLookup } from './views.ts';

export interface FilesDeps {
  blobs: FileBlobs;
  discussions: Discussions;
  /** Largest file taken, in bytes (default 20 MB). */
  maxBytes?: number;
  /** Most attachments one instance holds (default 200). */
  maxPerInstance?: number;
}

/** Longest comment, in characters. */
export const COMMENT_MAX = 4000;

/** Where a file is attached: a task row of the instance, or an item of an active stage's checklist. */
export type AttachTarget = { taskId: string } | { item: string };

const ATTACHED = { vi: 'Đã đính kèm tệp', en: 'File attached' };
const REMOVED = { vi: 'Đã gỡ tệp đính kèm', en: 'Attachment removed' };

export class Files {
  private readonly names: NameLookup;
  readonly maxBytes: number;
  readonly maxPerInstance: number;

  constructor(
    private readonly engine: Engine,
    private readonly deps: FilesDeps,
    accounts: Accounts | undefined,
  ) {
    this.names = personNames(accounts, engine.store);
    this.maxBytes = deps.maxBytes ?? DEFAULT_MAX_BYTES;
    this.maxPerInstance = deps.maxPerInstance ?? 200;
  }

  /** An instance's attachments, with who sent each (full name) and whether the caller may remove it. */
  async list(p: Principal, instanceId: string) {
    const instance = await this.readable(p, instanceId);
    const rows = await this.deps.discussions.attachmentsOf(instanceId);
    const nameOf = await this.names(rows.map((r) => r.uploadedByLogin));
    const open = await this.openTargets(instance);
    return {
      items: rows.map((a) => this.row(a, nameOf(a.uploadedByLogin), mayRemoveAttachment(p, a) && open(a))),
      maxBytes: this.maxBytes,
      maxPerInstance: this.maxPerInstance,
    };
  }

  /** Attaches a file; its bytes decide its type (engine/files/content.ts). */
  async attach(p: Principal, instanceId: string, target: AttachTarget, rawName: string, bytes: Buffer) {
    const instance = await this.readable(p, instanceId);
    const { engine } = this;
    const compiled = await engine.catalog.get(instance.definitionId, instance.definitionVersion);
    if (instance.status !== 'running')
      throw new EngineError('INSTANCE_NOT_RUNNING', `instance "${instanceId}" is ${instance.status}`, { instanceId, status: instance.status });
    let where: { stage: string; taskId?: string; task?: string; evidenceItem?: string; detail: Record<string, unknown> };
    if ('taskId' in target) {
      const task = await engine.queries.getTask(target.taskId);
      if (!task || task.instanceId !== instanceId) throw notFound(`task "${target.taskId}"`, { taskId: target.taskId });
      if (!mayWorkTask(p, task))
        throw forbidden('attaching a file to this task needs a staff or administrator role on the unit holding it', { ability: 'work' });
      if (task.status !== 'open')
        throw new EngineError('TASK_NOT_OPEN', `task "${task.task}" is ${task.status}, not open`, {
          taskId: task.id,
          status: task.status,
          taskTitle: compiled.stages[task.stage]?.tasks.find((t) => t.id === task.task)?.title,
        });
      where = { stage: task.stage, taskId: task.id, task: task.task, detail: { task: task.task } };
    } else {
      const stages = stagesHoldingEvidence(compiled, instance, target.item);
      if (!stages.length)
        throw new EngineError('INVALID_ARGUMENT', `no active stage holds the checklist item "${target.item}"`, { field: 'item', item: target.item });
      requireStageAct(p, compiled, instance, await engine.chainOf(instance.orgUnitId), { kind: 'evidence', item: target.item });
      const stage = stages[0]!;
      const title = compiled.stages[stage]!.evidence.find((e) => e.id === target.item)!.title;
      where = { stage, evidenceItem: target.item, detail: { fields: [{ name: 'item', title: { vi: 'Minh chứng', en: 'Evidence' }, value: title.vi }] } };
    }
    const file = checkFile(rawName, bytes, { maxBytes: this.maxBytes });
    const held = await this.deps.discussions.attachmentsOf(instanceId);
    if (held.length >= this.maxPerInstance)
      throw new EngineError('FILE_LIMIT_REACHED', `this instance holds ${held.length} files already; at most ${this.maxPerInstance}`, {
        count: held.length,
        limit: this.maxPerInstance,
      });
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await this.deps.blobs.put(sha256, bytes);
    const row: Attachment = {
      id: randomUUID(),
      instanceId,
      stage: where.stage,
      ...(where.taskId ? { taskId: where.taskId, task: where.task! } : {}),
      ...(where.evidenceItem ? { evidenceItem: where.evidenceItem } : {}),
      name: file.name,
      type: file.type,
      size: bytes.length,
      sha256,
      uploadedBy: p.user.id,
      uploadedByLogin: p.user.login,
      at: engine.clock.now(),
    };
    await this.deps.discussions.addAttachment(row, {
      eventType: 'file.attached',
      payload: { title: ATTACHED, name: file.name, stage: where.stage, attachmentId: row.id, ...where.detail },
    });
    // The same bytes removed by someone else meanwhile (their last record gone) are put back.
    if (!(await this.deps.blobs.has(sha256))) await this.deps.blobs.put(sha256, bytes);
    return { attachment: this.row(row, p.user.name, true), renamed: file.renamed };
  }

  /** An attachment's bytes, for whoever may read its instance. */
  async download(p: Principal, id: string) {
    const a = await this.deps.discussions.getAttachment(id);
    if (!a || !(await this.mayRead(p, a.instanceId))) throw notFound(`attachment "${id}"`, { attachmentId: id });
    const data = await this.deps.blobs.get(a.sha256);
    if (!data) throw notFound(`attachment "${id}"`, { attachmentId: id });
    return { name: a.name, type: a.type, data };
  }

  /** Removes an attachment: its uploader, while its task (or its item's stage) is open. */
  async remove(p: Principal, id: string) {
    const a = await this.deps.discussions.getAttachment(id);
    if (!a || !(await this.mayRead(p, a.instanceId))) throw notFound(`attachment "${id}"`, { attachmentId: id });
    if (!mayRemoveAttachment(p, a)) throw forbidden('only the person who attached a file may remove it', { reason: 'NOT_UPLOADER' });
    const instance = await this.readable(p, a.instanceId);
    if (!(await this.openTargets(instance))(a))
      throw new EngineError('TASK_NOT_OPEN', 'the work this file was attached to is finished: it stays on record', { attachmentId: id });
    const removed = await this.deps.discussions.removeAttachment(id, this.engine.clock.now(), p.user.login, {
      eventType: 'file.removed',
      payload: { title: REMOVED, name: a.name, stage: a.stage, attachmentId: id, ...(a.task ? { task: a.task } : {}) },
    });
    if (removed && (await this.deps.discussions.countBySha(a.sha256)) === 0) await this.deps.blobs.remove(a.sha256);
    return { removed };
  }

  /** A stage's comment thread, oldest first, and whether the caller may write in it. */
  async comments(p: Principal, instanceId: string, stage: string) {
    const instance = await this.readable(p, instanceId);
    const compiled = await this.engine.catalog.get(instance.definitionId, instance.definitionVersion);
    if (!Object.hasOwn(compiled.stages, stage)) throw notFound(`stage "${stage}"`, { stage });
    const rows = await this.deps.discussions.commentsOf(instanceId, stage, 1000);
    const nameOf = await this.names(rows.map((r) => r.authorLogin));
    return {
      stage: { id: stage, title: stageTitle(compiled, stage) },
      items: rows.map((c) => ({ id: c.id, stage: c.stage, text: c.text, at: c.at, authorName: nameOf(c.authorLogin), mine: c.author === p.user.id })),
      canWrite: mayComment(p, compiled, instance, await this.engine.chainOf(instance.orgUnitId)),
      maxLength: COMMENT_MAX,
    };
  }

  /** Every stage's comments of an instance, oldest first, with the stages' titles: the threads of
   * stages it has left (the Phòng's review of a dossier sent back) stay readable. */
  async allComments(p: Principal, instanceId: string) {
    const instance = await this.readable(p, instanceId);
    const compiled = await this.engine.catalog.get(instance.definitionId, instance.definitionVersion);
    const rows = await this.deps.discussions.commentsOf(instanceId, undefined, 5000);
    const nameOf = await this.names(rows.map((r) => r.authorLogin));
    const stages = [...new Set(rows.map((c) => c.stage))];
    return {
      items: rows.map((c) => ({ id: c.id, stage: c.stage, text: c.text, at: c.at, authorName: nameOf(c.authorLogin), mine: c.author === p.user.id })),
      stageTitles: Object.fromEntries(stages.map((s) => [s, stageTitle(compiled, s)])),
    };
  }

  /** Adds a comment to a stage's thread: for those who act on the instance. */
  async comment(p: Principal, instanceId: string, stage: string, text: string) {
    const instance = await this.readable(p, instanceId);
    const compiled = await this.engine.catalog.get(instance.definitionId, instance.definitionVersion);
    if (!Object.hasOwn(compiled.stages, stage)) throw notFound(`stage "${stage}"`, { stage });
    if (!mayComment(p, compiled, instance, await this.engine.chainOf(instance.orgUnitId)))
      throw forbidden('writing here needs a staff or administrator role on the unit or on a unit reviewing it', { ability: 'work' });
    const body = text.replace(/\r\n?/g, '\n').trim();
    if (!body || [...body].length > COMMENT_MAX)
      throw new EngineError('INVALID_ARGUMENT', `a comment has 1 to ${COMMENT_MAX} characters`, {
        field: 'text',
        errors: [
          body ? { field: 'text', message: 'too long', rule: 'maxLength', limit: COMMENT_MAX } : { field: 'text', message: 'is empty', rule: 'required' },
        ],
        max: COMMENT_MAX,
        length: [...body].length,
      });
    const c = await this.deps.discussions.addComment({
      instanceId,
      stage,
      author: p.user.id,
      authorLogin: p.user.login,
      text: body,
      at: this.engine.clock.now(),
    });
    return { comment: { id: c.id, stage: c.stage, text: c.text, at: c.at, authorName: p.user.name || p.user.login, mine: true } };
  }

  private row(a: Attachment, uploadedByName: string, canRemove: boolean) {
    const { sha256, uploadedByLogin: _login, ...rest } = a;
    return { ...rest, sha256, uploadedByName, canRemove };
  }

  /** Whether an attachment's task (or its item's stage) is still open: then its uploader may remove it. */
  private async openTargets(instance: Instance): Promise<(a: Attachment) => boolean> {
    if (instance.status !== 'running') return () => false;
    const open = new Set((await this.engine.queries.tasksOf(instance.id)).filter((t) => t.status === 'open').map((t) => t.id));
    const compiled = await this.engine.catalog.get(instance.definitionId, instance.definitionVersion);
    return (a) => (a.taskId ? open.has(a.taskId) : a.evidenceItem ? stagesHoldingEvidence(compiled, instance, a.evidenceItem).length > 0 : false);
  }

  private async mayRead(p: Principal, instanceId: string): Promise<boolean> {
    return (await this.engine.queries.countInstances({ ids: [instanceId], underPaths: scope(p, 'read') })) > 0;
  }

  /** An instance in the caller's read scope; outside it, as if it did not exist. */
  private async readable(p: Principal, instanceId: string): Promise<Instance> {
    const [instance] = await this.engine.queries.listInstances({ ids: [instanceId], underPaths: scope(p, 'read') }, { limit: 1 });
    if (!instance) throw notFound(`instance "${instanceId}"`, { instanceId });
    return instance;
  }
}
