// A supervisor's "đôn đốc": a reminder sent by hand to a unit whose work is late. It changes no
// stage, but it is part of the instance's story, so it is written like any change: a history entry
// (who, when, from which office, the message), one inbox notice to the unit, and the same outbox
// notice escalations use, so it is e-mailed (and posted to the webhook) where that is configured.
// Pure: the engine commits the change.
import type { CompiledProcess } from '../definition/compile.ts';
import type { Text } from '../definition/types.generated.ts';
import type { Change, Escalation, LoadedInstance } from '../domain.ts';
import { EngineError } from '../errors.ts';
import { bareChange } from './change.ts';

/** What history records for a reminder: its title and message are in the payload. */
export const REMINDER_EVENT = 'board.remind';

export interface Reminder {
  /** The login of who sent it. */
  actor: string;
  /** The office it is sent from (the supervisor's unit over the instance): "Sở GDĐT Bến Tre". */
  from: { id: string; name: string };
  /** The unit the instance belongs to, by name, for the notice. */
  unitName: string;
  message?: string;
  at: number;
}

export function reminderChange(compiled: CompiledProcess, loaded: LoadedInstance, r: Reminder): Change {
  const instance = loaded.instance;
  if (instance.status !== 'running') {
    throw new EngineError('INSTANCE_NOT_RUNNING', `the instance is ${instance.status}: there is nothing to remind about`, {
      instanceId: instance.id,
      status: instance.status,
    });
  }
  const stage = lateStage(loaded) ?? instance.stages[0]!;
  const info = compiled.stages[stage];
  const stageTitle: Text = info?.title ?? { vi: stage, en: stage };
  const message = r.message?.trim() || undefined;
  const change = bareChange(loaded, {
    actor: r.actor,
    eventType: REMINDER_EVENT,
    // `title` names the entry on the timeline; `reason` is how a timeline shows what was said.
    payload: {
      title: { vi: `${r.from.name} đôn đốc`, en: `Reminder from ${r.from.name}` },
      stage,
      from: r.from.id,
      ...(message ? { reason: message } : {}),
    },
    at: r.at,
  });
  const role = info?.owner ?? 'school';
  const text: Text = {
    vi: `${r.from.name} đôn đốc: ${stageTitle.vi} — ${r.unitName}${message ? ` — “${message}”` : ''}`,
    en: `${r.from.name} reminds: ${stageTitle.en ?? stageTitle.vi} — ${r.unitName}${message ? ` — “${message}”` : ''}`,
  };
  change.inbox.push({ unitId: instance.orgUnitId, role, instanceId: instance.id, kind: 'reminder', message: text, createdAt: r.at });
  // Not an escalation of the ladder (none is recorded): only the notice's envelope, so the e-mail
  // and webhook targets carry it the way they carry the ladder's. Its id is unique per change.
  const notice: Escalation = {
    id: `${instance.id}.remind.${change.instance.rev}`,
    instanceId: instance.id,
    unitPath: instance.unitPath,
    stage,
    kind: 'reminder',
    firedAt: r.at,
    notified: [{ role, unitId: instance.orgUnitId }],
  };
  change.outbox.push({ instanceId: instance.id, kind: 'notify', payload: { escalation: notice, message: text }, createdAt: r.at });
  return change;
}

/** The active stage that fell due first: the one the reminder is about. */
function lateStage(loaded: LoadedInstance): string | undefined {
  const entries = loaded.instance.state.entries;
  return [...loaded.instance.stages].filter((s) => entries[s]?.dueAt !== undefined).sort((a, b) => entries[a]!.dueAt! - entries[b]!.dueAt!)[0];
}
