// Attachments' records and stage comment threads on knex (SQLite or PostgreSQL), and the shared
// store's file bytes (`file_blobs`), used when several processes share one PostgreSQL.
import type { Knex } from 'knex';
import type { Attachment, Comment, Discussions, FileBlobs } from '../../engine/ports.ts';

type Row = Record<string, any>;

const toAttachment = (r: Row): Attachment => ({
  id: r.id,
  instanceId: r.instance_id,
  stage: r.stage,
  ...(r.task_id ? { taskId: r.task_id } : {}),
  ...(r.task ? { task: r.task } : {}),
  ...(r.evidence_item ? { evidenceItem: r.evidence_item } : {}),
  name: r.name,
  type: r.type,
  size: Number(r.size),
  sha256: r.sha256,
  uploadedBy: r.uploaded_by,
  uploadedByLogin: r.uploaded_by_login,
  at: Number(r.at),
});

const toComment = (r: Row): Comment => ({
  id: Number(r.id),
  instanceId: r.instance_id,
  stage: r.stage,
  author: r.author,
  authorLogin: r.author_login,
  text: r.text,
  at: Number(r.at),
});

export class KnexDiscussions implements Discussions {
  constructor(private readonly db: Knex) {}

  async addAttachment(a: Attachment, history: { eventType: string; payload: Record<string, unknown> }): Promise<void> {
    await this.db.transaction(async (trx) => {
      await trx('attachments').insert({
        id: a.id,
        instance_id: a.instanceId,
        stage: a.stage,
        task_id: a.taskId ?? null,
        task: a.task ?? null,
        evidence_item: a.evidenceItem ?? null,
        name: a.name,
        type: a.type,
        size: a.size,
        sha256: a.sha256,
        uploaded_by: a.uploadedBy,
        uploaded_by_login: a.uploadedByLogin,
        at: a.at,
      });
      await recordOn(trx, a.instanceId, a.at, a.uploadedByLogin, history);
    });
  }

  async removeAttachment(id: string, at: number, actor: string, history: { eventType: string; payload: Record<string, unknown> }): Promise<boolean> {
    return this.db.transaction(async (trx) => {
      const row = await trx('attachments').where({ id }).first('instance_id');
      if (!row) return false;
      await trx('attachments').where({ id }).del();
      await recordOn(trx, row.instance_id, at, actor, history);
      return true;
    });
  }

  async getAttachment(id: string): Promise<Attachment | undefined> {
    const r = await this.db('attachments').where({ id }).first();
    return r ? toAttachment(r) : undefined;
  }

  async attachmentsOf(instanceId: string): Promise<Attachment[]> {
    return (
      await this.db('attachments')
        .where({ instance_id: instanceId })
        .orderBy([{ column: 'at' }, { column: 'id' }])
    ).map(toAttachment);
  }

  async countBySha(sha256: string): Promise<number> {
    const [row] = await this.db('attachments').where({ sha256 }).count({ n: '*' });
    return Number(row?.n ?? 0);
  }

  async addComment(c: Omit<Comment, 'id'>): Promise<Comment> {
    const [row] = await this.db('comments')
      .insert({ instance_id: c.instanceId, stage: c.stage, author: c.author, author_login: c.authorLogin, text: c.text, at: c.at })
      .returning('id');
    const id = typeof row === 'object' ? (row as { id: number }).id : row;
    return { ...c, id: Number(id) };
  }

  async commentsOf(instanceId: string, stage: string | undefined, limit: number): Promise<Comment[]> {
    const q = this.db('comments').where({ instance_id: instanceId });
    if (stage !== undefined) q.where({ stage });
    return (await q.orderBy('id').limit(limit)).map(toComment);
  }
}

/** The instance's history gets the entry, its rev bumped (as a unit's move does, reshape.ts): the
 * timeline says who attached what, and a command in flight over the old rev is recomputed. */
async function recordOn(trx: Knex.Transaction, instanceId: string, at: number, actor: string, h: { eventType: string; payload: Record<string, unknown> }) {
  await trx.into(trx.raw('history (instance_id, rev, at, actor, event_type, payload, from_stages, to_stages)')).insert(
    trx('instances')
      .where({ id: instanceId })
      .select(
        'id',
        trx.raw('rev + 1'),
        trx.raw('?', [at]),
        trx.raw('?', [actor]),
        trx.raw('?', [h.eventType]),
        trx.raw('?', [JSON.stringify(h.payload)]),
        'stages',
        'stages',
      ),
  );
  await trx('instances')
    .where({ id: instanceId })
    .update({ rev: trx.raw('rev + 1'), updated_at: at });
}

/** File bytes in the shared store: every process behind one PostgreSQL reads what any of them wrote. */
export class SqlBlobs implements FileBlobs {
  constructor(
    private readonly db: Knex,
    private readonly now: () => number = Date.now,
  ) {}

  async put(sha256: string, data: Buffer): Promise<void> {
    await this.db('file_blobs').insert({ sha256, data, size: data.length, created_at: this.now() }).onConflict('sha256').ignore();
  }

  async get(sha256: string): Promise<Buffer | undefined> {
    const row = await this.db('file_blobs').where({ sha256 }).first('data');
    return row ? Buffer.from(row.data as Uint8Array) : undefined;
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.db('file_blobs').where({ sha256 }).first('sha256')) !== undefined;
  }

  async remove(sha256: string): Promise<void> {
    await this.db('file_blobs').where({ sha256 }).del();
  }
}
