// Instances (hồ sơ): list and filter within one's units, read one's timeline, and act on it —
// send a process event, tick evidence, set an anchor date, cancel.
import { timeline } from '../../../engine/service/queries.ts';
import { ID, route, TEXT } from '../route.ts';
import { instanceInScope, scope, unitInScope } from '../scope.ts';
import { DUE_EVENT } from '../../../engine/definition/model.ts';
import { escalationRows, instanceRows, requireStageOwner, stageTitle, workingDaysLeft } from '../views.ts';

const STATUSES = ['running', 'done', 'cancelled', 'needs_migration'] as const;

export const instanceRoutes = [
  route({
    method: 'get',
    path: '/api/v1/instances',
    summary: 'Instances in your units, filtered; a page at a time (pass `next` back as `after`)',
    tag: 'instances',
    query: {
      type: 'object',
      additionalProperties: false,
      properties: {
        definitionId: ID,
        campaignId: ID,
        unitId: ID,
        stage: ID,
        status: { enum: STATUSES },
        overdue: { type: 'boolean' },
        limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
        after: ID,
      },
    },
    async handle({ services, principal, query }) {
      const { engine } = services;
      const unit = query.unitId ? await unitInScope(services, principal, query.unitId, 'read') : undefined;
      const limit = query.limit ?? 100;
      const page = await engine.store.listInstances(
        {
          underPaths: scope(principal, 'read'),
          ...(unit ? { underPath: unit.path } : {}),
          ...(query.definitionId ? { definitionId: query.definitionId } : {}),
          ...(query.campaignId ? { campaignId: query.campaignId } : {}),
          ...(query.stage ? { stages: [query.stage] } : {}),
          ...(query.status ? { statuses: [query.status] } : {}),
          ...(query.overdue ? { dueBefore: engine.clock.now() } : {}),
        },
        { limit, ...(query.after ? { afterId: query.after } : {}) },
      );
      return { items: await instanceRows(engine, page), ...(page.length === limit ? { next: page.at(-1)!.id } : {}) };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/instances/:id',
    summary: "One instance's timeline: active stages with deadlines, history, tasks, escalations",
    tag: 'instances',
    errors: [404],
    async handle({ services, principal, params }) {
      const { engine } = services;
      const found = await instanceInScope(services, principal, params.id!, 'read');
      const t = await timeline(engine, params.id!);
      const compiled = await engine.catalog.get(t.instance.definitionId, t.instance.definitionVersion);
      const { state: _state, unitPath: _p, ...instance } = t.instance;
      const mayAct = await requireStageOwner(engine, principal, found).then(
        () => true,
        () => false,
      );
      const evidence = (t.instance.state.snapshot as { context?: { evidence?: Record<string, Record<string, boolean>> } } | null)?.context?.evidence ?? {};
      return {
        instance,
        title: t.title,
        unit: t.unit,
        /** Whether the caller may send events, tick evidence and complete tasks here now. */
        canAct: mayAct && t.instance.status === 'running',
        stageTitles: Object.fromEntries(Object.values(compiled.stages).map((s) => [s.id, s.title])),
        stages: t.instance.stages.map((s) => {
          const info = compiled.stages[s];
          const entry = t.instance.state.entries[s];
          return {
            id: s,
            title: stageTitle(compiled, s),
            legalBasis: info?.legalBasis.length ? info.legalBasis : compiled.legalBasis,
            enteredAt: entry?.enteredAt ?? null,
            dueAt: entry?.dueAt ?? null,
            workingDaysLeft: workingDaysLeft(engine, compiled, entry?.dueAt),
            // DUE is the engine's own: nobody sends it by hand.
            accepts: (info?.accepts ?? []).filter((e) => e !== DUE_EVENT).map((type) => ({ type, title: compiled.events[type]?.title ?? { vi: type, en: type }, form: compiled.events[type]?.form ?? null })),
            evidence: (info?.evidence ?? []).map((e) => ({ ...e, checked: evidence[s]?.[e.id] === true })),
          };
        }),
        history: t.history,
        tasks: t.tasks,
        escalations: await escalationRows(engine, t.escalations),
      };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/instances/:id/events',
    summary: 'Send a process event (SUBMIT, DECIDE…) with its data, checked against the event form',
    tag: 'instances',
    errors: [404, 409, 422],
    body: { type: 'object', additionalProperties: false, required: ['type'], properties: { type: { type: 'string', minLength: 1, maxLength: 64 }, data: { type: 'object' } } },
    async handle({ services, principal, params, body, actor, idempotencyKey, requestHash }) {
      const instance = await instanceInScope(services, principal, params.id!, 'work');
      await requireStageOwner(services.engine, principal, instance);
      return services.engine.send(instance.id, { type: body.type, ...(body.data ? { data: body.data } : {}) }, { actor, ...(idempotencyKey ? { idempotencyKey, requestHash } : {}) });
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/instances/:id/evidence',
    summary: 'Tick (or untick) an item of the current stage’s evidence checklist (minh chứng)',
    tag: 'instances',
    errors: [404, 409, 422],
    body: { type: 'object', additionalProperties: false, required: ['item', 'checked'], properties: { item: ID, checked: { type: 'boolean' } } },
    async handle({ services, principal, params, body, actor, idempotencyKey, requestHash }) {
      const instance = await instanceInScope(services, principal, params.id!, 'work');
      await requireStageOwner(services.engine, principal, instance);
      return services.engine.checkEvidence(instance.id, body.item, body.checked, { actor, ...(idempotencyKey ? { idempotencyKey, requestHash } : {}) });
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/instances/:id/anchors',
    summary: 'Set (or with null clear) an anchor date such as the visit date; anchored deadlines move',
    tag: 'instances',
    errors: [404, 409, 422],
    body: { type: 'object', additionalProperties: false, required: ['name', 'date'], properties: { name: ID, date: { type: ['string', 'null'], maxLength: 10 } } },
    async handle({ services, principal, params, body, actor, idempotencyKey, requestHash }) {
      const instance = await instanceInScope(services, principal, params.id!, 'work');
      await requireStageOwner(services.engine, principal, instance);
      return services.engine.setAnchor(instance.id, body.name, body.date, { actor, ...(idempotencyKey ? { idempotencyKey, requestHash } : {}) });
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/instances/:id/cancel',
    summary: 'End an instance early, with the reason on record (administrators)',
    tag: 'instances',
    errors: [404, 409],
    body: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: TEXT(1000) } },
    async handle({ services, principal, params, body, actor, idempotencyKey, requestHash }) {
      const instance = await instanceInScope(services, principal, params.id!, 'administer');
      return services.engine.cancel(instance.id, body.reason, { actor, ...(idempotencyKey ? { idempotencyKey, requestHash } : {}) });
    },
  }),
];
