// One instance's timeline: where it stands, what it can do next, and everything that happened.
import { get, post, uuid } from '../api.ts';
import { h, replace, table } from '../dom.ts';
import { formatDate, formatDateTime } from '../format.ts';
import { t, tKey, tx } from '../i18n.ts';
import type { PageCtx } from '../router.ts';
import { renderForm } from '../form.ts';
import type { Accepted, FanOutList, InstanceSummary, Timeline } from '../types.ts';
import { anchorFlash, anchorsSection, markAnchoredStages } from './anchors.ts';
import { fanOutSections } from './fan-out.ts';
import { mayReopenOnTimeline, reopenControl } from './reopen.ts';
import { stackTables } from './stack.ts';
import { attachmentsSection, instanceFiles } from './attachments.ts';
import { commentThread, pastThreads } from './comments.ts';
import { dueCell, errorBox, loading, pageTitle, section, statusBadge, successBox, workingDaysText } from '../widgets.ts';

export async function instancePage(ctx: PageCtx): Promise<void> {
  const id = ctx.params[0]!;
  const messages = h('div', { 'aria-live': 'polite' });
  if (ctx.flash) messages.appendChild(successBox(ctx.flash, 'flash'));
  const body = h('div', null, loading());
  replace(ctx.root, messages, body);
  const load = async () => {
    const [tl, below] = await Promise.all([
      get<Timeline>(`/api/v1/instances/${encodeURIComponent(id)}`),
      get<FanOutList>(`/api/v1/instances/${encodeURIComponent(id)}/children`),
    ]);
    const anchors = anchorsSection(tl, async (saved) => {
      await load();
      replace(messages, anchorFlash(saved));
    });
    if (ctx.signal.aborted) return;
    replace(
      body,
      ...renderTimeline(tl, (event, data) => sendEvent(id, event, data, messages, load), [...(anchors ? [anchors] : []), ...fanOutSections(id, below)]),
    );
    markAnchoredStages(body, tl);
    stackTables(body);
  };
  await load();
}

/** The event sent: its name for the server, its title for the person. */
interface SentEvent {
  type: string;
  title: string;
}

type OnEvent = (event: SentEvent, data?: Record<string, unknown>) => Promise<void>;

async function sendEvent(
  id: string,
  { type, title }: SentEvent,
  data: Record<string, unknown> | undefined,
  messages: HTMLElement,
  reload: () => Promise<void>,
): Promise<void> {
  replace(messages);
  try {
    await post<InstanceSummary>(`/api/v1/instances/${encodeURIComponent(id)}/events`, { type, ...(data ? { data } : {}) }, { 'Idempotency-Key': uuid() });
    await reload();
    // after the redraw, so whoever sees the message sees the new stages
    messages.appendChild(successBox(t('eventSent', { e: title }), 'event-sent'));
  } catch (e) {
    messages.appendChild(errorBox(e, 'event-error'));
  }
}

/** Stage ids as titles where the timeline knows them (the active stages, and `stageTitles` if sent). */
function stageNames(tl: Timeline): (ids: string[]) => string {
  const titles = new Map([
    ...Object.entries(tl.stageTitles ?? {}).map(([id, title]) => [id, tx(title)] as const),
    ...tl.stages.map((s) => [s.id, tx(s.title)] as const),
  ]);
  return (ids) => ids.map((id) => titles.get(id) ?? id).join(', ') || '—';
}

/** `below`: the sections of the work it opened for the units below, shown after its active stages. */
export function renderTimeline(tl: Timeline, onEvent: OnEvent, below: HTMLElement[] = []): HTMLElement[] {
  const names = stageNames(tl);
  const current = tl.instance.stages.map((s) => names([s])).join(', ');
  return [
    pageTitle(tx(tl.title), statusBadge(tl.instance.status)),
    h(
      'p',
      { class: 'subtitle', 'data-testid': 'instance-unit' },
      tl.unit.name,
      ` · ${t('version')} ${tl.instance.definitionVersion} · ${t('startedAt')}: ${formatDate(tl.instance.createdAt)}`,
    ),
    ...(tl.openedBy
      ? [
          h(
            'p',
            { class: 'subtitle', 'data-testid': 'opened-by' },
            `${t('openedBy')}: `,
            h('a', { href: `#/instances/${encodeURIComponent(tl.openedBy.instanceId)}` }, `${tl.openedBy.unitName} — ${tx(tl.openedBy.title)}`),
            ` (${tx(tl.openedBy.stageTitle)})`,
          ),
        ]
      : []),
    section(
      t('activeStages'),
      'active-stages',
      tl.stages.length
        ? tl.stages.map((s) =>
            h(
              'div',
              { class: 'stage', 'data-testid': 'active-stage', 'data-stage': s.id },
              h('h3', null, tx(s.title)),
              h(
                'p',
                null,
                `${t('dueDate')}: `,
                dueCell(s.dueAt),
                s.workingDaysLeft !== undefined && s.workingDaysLeft !== null ? ` (${workingDaysText(s.workingDaysLeft)})` : null,
                s.enteredAt ? h('span', { class: 'muted' }, ` · ${t('enteredAt')}: ${formatDate(s.enteredAt)}`) : null,
              ),
              s.legalBasis.length ? h('p', { class: 'muted' }, `${t('legalBasis')}: ${s.legalBasis.join('; ')}`) : null,
              // Each stage says whether the reader may act in it: a parallel track of another unit shows no buttons.
              s.canAct && sendable(s.accepts).length
                ? h(
                    'div',
                    { class: 'actions' },
                    sendable(s.accepts).map((a) => eventButton(a, onEvent)),
                  )
                : null,
              commentThread(tl.instance.id, s.id),
            ),
          )
        : h('p', { class: 'muted', 'data-testid': 'current-stages' }, current || t('none')),
    ),
    ...below,
    section(t('tasks'), 'instance-tasks', tasksTable(tl, names)),
    attachmentsSection(instanceFiles(tl)),
    pastThreads(tl.instance.id, tl.instance.stages),
    section(t('history'), 'history', historyTable(tl, names)),
    section(t('escalations'), 'instance-escalations', escalationsTable(tl, names)),
  ];
}

/** DUE is the engine's own event: nobody sends it by hand. */
const sendable = (accepts: Accepted[]) => accepts.filter((a) => (typeof a === 'string' ? a : a.type) !== 'DUE');

/** A button per event; an event that carries data (a decision's level, a review's result) opens
 * its form first, and the server's field errors land next to their fields. */
function eventButton(accepted: Accepted, onEvent: OnEvent): HTMLElement {
  const type = typeof accepted === 'string' ? accepted : accepted.type;
  const title = (typeof accepted === 'string' ? '' : tx(accepted.title)) || type;
  const event = { type, title };
  const form = typeof accepted === 'string' ? null : accepted.form;
  if (!form || !Object.keys(form.properties ?? {}).length)
    return h('button', { type: 'button', 'data-testid': `event-${type}`, onclick: () => void onEvent(event) }, title);
  const rendered = renderForm(form);
  const panel = h(
    'form',
    { class: 'event-form', hidden: true, 'data-testid': `event-form-${type}` },
    rendered.element,
    h('button', { type: 'submit', class: 'primary', 'data-testid': `event-send-${type}` }, t('send')),
  );
  panel.addEventListener('submit', (ev) => {
    ev.preventDefault();
    rendered.clearErrors();
    void onEvent(event, rendered.read());
  });
  const open = h('button', { type: 'button', 'data-testid': `event-${type}`, onclick: () => (panel.hidden = !panel.hidden) }, title);
  return h('div', { class: 'event' }, open, panel);
}

function tasksTable(tl: Timeline, names: (ids: string[]) => string): HTMLElement {
  if (!tl.tasks.length) return h('p', { class: 'muted' }, t('none'));
  return table(
    'tasks-of-instance',
    [t('task'), t('stage'), t('status'), t('dueDate'), t('completedAt')],
    tl.tasks.map((k) => [
      h('a', { href: `#/tasks/${encodeURIComponent(k.id)}`, 'data-testid': k.status === 'open' ? 'open-task-link' : 'task-link-done' }, tx(k.title)),
      names([k.stage]),
      statusBadge(k.status, 'taskStatus'),
      k.status === 'open' ? dueCell(k.dueAt) : formatDate(k.dueAt),
      h(
        'span',
        null,
        k.completedAt ? `${formatDateTime(k.completedAt)}${k.completedBy ? ` · ${k.completedByName ?? k.completedBy}` : ''}` : '',
        mayReopenOnTimeline(tl, k) ? reopenControl(k.id, tx(k.title)) : null,
      ),
    ]),
  );
}

function historyTable(tl: Timeline, names: (ids: string[]) => string): HTMLElement {
  const rows = [...tl.history].sort((a, b) => b.rev - a.rev);
  // a process's own events by their titles (the stages on screen know them), never their names in capitals
  const titles = new Map(tl.stages.flatMap((s) => s.accepts.map((a) => [a.type, tx(a.title)] as const)));
  const taskTitles = new Map(tl.tasks.map((k) => [k.task, tx(k.title)] as const));
  return table(
    'history-table',
    [t('time'), t('actor'), t('event'), t('detail'), t('change')],
    rows.map((r) => [
      h('span', { class: 'nowrap' }, formatDateTime(r.at)),
      r.actorName || r.actor,
      titles.get(r.eventType) ?? eventTitle(r.payload) ?? tKey('ev', r.eventType),
      payloadSummary(r.payload, names, taskTitles),
      `${names(r.fromStages)} → ${names(r.toStages)}`,
    ]),
    (i) => ({ 'data-testid': 'history-row', 'data-event': rows[i]!.eventType }),
  );
}

/** A one-line reading of an event's payload: the task, item, anchor or reason it carried. */
function payloadSummary(payload: unknown, names: (ids: string[]) => string, taskTitles: Map<string, string>): string {
  if (!payload || typeof payload !== 'object') return '';
  const p = payload as Record<string, unknown>;
  const bits: string[] = [];
  // Tasks, evidence items, anchors and stages by their titles (the server labels them), never their ids.
  const titled: Record<string, string> = { task: 'taskTitle', item: 'itemTitle', name: 'anchorTitle' };
  for (const key of ['task', 'item', 'name', 'date', 'reason', 'stage']) {
    const v = p[key];
    if (typeof v !== 'string') continue;
    const title = key in titled ? textOf(p[titled[key]!]) : undefined;
    // a date as people write it (dd/mm/yyyy), not as it is stored
    const day = key === 'date' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(v) : null;
    if (day) bits.push(`${day[3]}/${day[2]}/${day[1]}`);
    else bits.push(title ?? (key === 'stage' ? names([v]) : key === 'task' ? (taskTitles.get(v) ?? v) : v));
  }
  if (typeof p.checked === 'boolean') bits.push(p.checked ? t('lib_evidenceChecked') : t('lib_evidenceUnchecked'));
  if (p.name !== undefined && p.date === null) bits.push(t('lib_anchorCleared'));
  // the data sent or the task's answers, each value beside its form label and by its own words
  // (an option's title, Có/Không) where it has them
  if (Array.isArray(p.fields)) {
    for (const f of p.fields as { title: { vi: string; en: string }; value: unknown; valueTitle?: unknown }[]) {
      bits.push(`${tx(f.title)}: ${textOf(f.valueTitle) ?? answerText(f.value)}`);
    }
  }
  return bits.join(' · ');
}

/** A bilingual text the server sent, in the chosen language; undefined when it is not one. */
function textOf(v: unknown): string | undefined {
  return v && typeof v === 'object' && typeof (v as { vi?: unknown }).vi === 'string' ? tx(v as { vi: string; en: string }) : undefined;
}

/** A value without words of its own, as written (yes/no in words all the same). */
function answerText(v: unknown): string {
  if (typeof v === 'boolean') return v ? t('yes') : t('lib_no');
  if (Array.isArray(v)) return v.map(answerText).join(', ');
  return String(v);
}

/** The title an event's declaration gives it, carried in the timeline's payload. */
function eventTitle(payload: unknown): string | undefined {
  const title = (payload as { title?: { vi: string; en: string } } | undefined)?.title;
  return title && typeof title.vi === 'string' ? tx(title) : undefined;
}

function escalationsTable(tl: Timeline, names: (ids: string[]) => string): HTMLElement {
  if (!tl.escalations.length) return h('p', { class: 'muted' }, t('noEscalations'));
  return table(
    'escalations-of-instance',
    [t('firedAt'), t('kind'), t('stage'), t('status')],
    tl.escalations.map((e) => [
      formatDateTime(e.firedAt),
      tKey('kind', e.kind),
      e.stageTitle ? tx(e.stageTitle) : names([e.stage]),
      e.acknowledgedAt ? t('acknowledgedBy', { who: e.acknowledgedByName ?? e.acknowledgedBy ?? '', at: formatDateTime(e.acknowledgedAt) }) : '',
    ]),
  );
}
