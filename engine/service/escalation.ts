// What a ladder rung does when its timer fires: the roles it names are resolved up the org tree,
// the escalation is recorded with who was told, each unit gets one inbox notice, and the outbox
// carries the notice on to a Notifier. Pure: the engine commits the change.
import type { CompiledProcess } from '../definition/compile.ts';
import type { Text } from '../definition/types.generated.ts';
import { bareChange, SYSTEM_ACTOR } from './change.ts';
import type { Change, Escalation, LoadedInstance, OrgUnit, Timer } from '../domain.ts';
import { recipients, type UnitChain } from './roles.ts';

/** `below`: the units each role of the rung that points down the tree reaches (read by the engine):
 * `children` on a fan-out stage, the units it still waits for (đôn đốc đơn vị chưa báo cáo); a role
 * declared `unit: children | descendants`, the units below of its kinds. */
export function escalationChange(
  compiled: CompiledProcess,
  loaded: LoadedInstance,
  timer: Timer,
  chain: UnitChain,
  at: number,
  below: Readonly<Record<string, readonly OrgUnit[]>> = {},
): Change | undefined {
  const info = compiled.stages[timer.stage]!;
  const rung = info.escalate[timer.step];
  if (!rung) return undefined;
  const escalation: Escalation = {
    id: timer.id,
    instanceId: loaded.instance.id,
    unitPath: loaded.instance.unitPath,
    stage: timer.stage,
    kind: rung.kind,
    firedAt: at,
    notified: [
      ...recipients(
        rung.notify.filter((r) => !below[r]),
        compiled.roles,
        chain,
      ),
      ...rung.notify.flatMap((role) => (below[role] ?? []).map((u) => ({ role, unitId: u.id }))),
    ],
  };
  const message = rung.message ?? escalationMessage(rung.kind, info.title, chain[0]!.name);
  const change = bareChange(loaded, {
    actor: SYSTEM_ACTOR,
    eventType: `escalation.${rung.kind}`,
    payload: { stage: timer.stage, step: timer.step, notified: escalation.notified },
    at,
  });
  change.timerUpdates.push({ id: timer.id, status: 'fired', firedAt: at });
  change.escalation = escalation;
  // One notice per unit, even when two of the rung's roles are held by the same office.
  const units = [...new Map(escalation.notified.map((r) => [r.unitId, r])).values()];
  change.inbox.push(
    ...units.map((r) => ({
      unitId: r.unitId,
      role: r.role,
      instanceId: loaded.instance.id,
      escalationId: escalation.id,
      kind: rung.kind,
      message,
      createdAt: at,
    })),
  );
  change.outbox.push({
    instanceId: loaded.instance.id,
    kind: 'notify',
    payload: { escalation, message, stageTitle: info.title, unitName: chain[0]!.name },
    createdAt: at,
  });
  return change;
}

const KIND_TEXT = {
  reminder: { vi: 'Nhắc hạn', en: 'Reminder' },
  overdue: { vi: 'Quá hạn', en: 'Overdue' },
  escalation: { vi: 'Báo cáo cấp trên: quá hạn', en: 'Escalated: overdue' },
} as const;

function escalationMessage(kind: keyof typeof KIND_TEXT, stage: Text, unitName: string): Text {
  return { vi: `${KIND_TEXT[kind].vi}: ${stage.vi} — ${unitName}`, en: `${KIND_TEXT[kind].en}: ${stage.en} — ${unitName}` };
}

/** The pending ladder rungs of a DUE timer's own stage entry and arming that were due before it or
 * with it, in the order they were due. */
export function rungsDueBy(pending: readonly Timer[], due: Timer): Timer[] {
  return pending
    .filter((t) => t.kind !== 'due' && t.stage === due.stage && t.stageSeq === due.stageSeq && t.arm === due.arm && t.fireAt <= due.fireAt)
    .sort((a, b) => a.fireAt - b.fireAt || a.step - b.step);
}
