// The authorization matrix: every private route of the API × role (administrator, supervisor, staff,
// each granted on Phòng A) × target (Phòng A itself, a school under it, its sibling Phòng B, the Sở
// above it) → allowed (2xx), 403 (inside one's units, the role lacks the ability) or 404 (outside
// one's units: answered as if it did not exist), and on every refusal the store is exactly as it was.
//
// The expected cell is derived from the rules the README states, written out below — not from what
// the server answers:
//   - a role is granted on an org unit and covers its subtree (so: own and subtree, never sibling or parent);
//   - every role reads; staff act on stages whose owner unit is in their scope (administrators also);
//   - supervisors watch and acknowledge (administrators also);
//   - administrators also publish, launch campaigns and run cohort operations;
//   - what lies outside one's units is answered as not existing (404), never 403.
// The table walks ROUTES itself, so a new route without a row fails the first test.
import { expect } from 'chai';
import { ROUTES } from '../../adapters/http/routes/index.ts';
import { systemPrincipal } from '../../engine/application/application.ts';
import { createCampaign, runCampaign } from '../../engine/service/campaigns.ts';
import { at8 } from '../support/runtime.ts';
import { Client, errorOf, PASSWORD, startTestServer, storeSnapshot, type Answer, type TestServer } from './support.ts';

type Role = 'admin' | 'supervisor' | 'staff';
type Target = 'own' | 'subtree' | 'sibling' | 'parent';
type Need = 'signed-in' | 'read' | 'work' | 'watch' | 'administer';

const ROLES: Role[] = ['admin', 'supervisor', 'staff'];
const TARGETS: Target[] = ['own', 'subtree', 'sibling', 'parent'];
/** Every user holds one role on Phòng A (see USERS in support.ts). */
const LOGIN: Record<Role, string> = { admin: 'admin_a', supervisor: 'sup_a', staff: 'staff_a' };
const UNIT: Record<Target, string> = { own: 'pgd_a', subtree: 'thcs_a1', sibling: 'pgd_b', parent: 'so' };
const KIND: Record<Target, string> = { own: 'district-office', subtree: 'lower-secondary', sibling: 'district-office', parent: 'department' };

// The README's rules, as data.
const MAY: Record<Need, readonly Role[]> = {
  'signed-in': ROLES,
  read: ROLES,
  work: ['staff', 'admin'],
  watch: ['supervisor', 'admin'],
  administer: ['admin'],
};
const covers = (t: Target) => t === 'own' || t === 'subtree';

const PROBE = 'authz-probe';
const COHORT = 'authz-cohort';
const PURPOSE = {
  events: 'authz-events',
  cancelA: 'authz-cancel-a',
  cancelB: 'authz-cancel-b',
  eventsMid: 'authz-events-mid',
  eventsUp: 'authz-events-up',
  tasksMid: 'authz-tasks-mid',
  tasksUp: 'authz-tasks-up',
  handover: 'authz-handover',
  reopen: 'authz-reopen',
};
/** Every stage is owned by the instance's own unit (`school` = the unit itself), except mid* (its
 * parent, `district`) and up* (the Sở, `department`), so the stage owner can be chosen as a target. */
const probeSource = (id: string, version = 1) => `id: ${id}
version: ${version}
title: { vi: Thử phân quyền, en: Authorization probe }
legalBasis: [Test]
appliesTo: [department, district-office, primary, lower-secondary, upper-secondary]
calendar: vn-government
anchors:
  visit: { title: { vi: Ngày thăm, en: Visit day } }
initial: work
stages:
  work:
    title: { vi: Làm việc, en: Work }
    owner: school
    due: { workingDays: 2 }
    tasks:
      - { id: t1, title: { vi: Việc 1, en: Task 1 } }
      - { id: t2, title: { vi: Việc 2, en: Task 2 } }
      - { id: t3, title: { vi: Việc 3, en: Task 3 } }
      - { id: t4, title: { vi: Việc 4, en: Task 4 } }
    evidence:
      - { id: e1, title: { vi: Minh chứng, en: Evidence }, required: false }
    escalate:
      - { at: { workingDays: 0 }, kind: overdue, notify: owner }
      - { at: { workingDays: 1 }, kind: escalation, notify: owner }
    on:
      PING: again
      MID: mid1
      UP: up1
      FINISH: { target: done, when: { tasksDone: all } }
  again:
    title: { vi: Làm lại, en: Again }
    owner: school
    tasks:
      - { id: a1, title: { vi: Việc lại, en: Again task } }
    on:
      PING: work
  mid1:
    title: { vi: Phòng xem 1, en: District 1 }
    owner: district
    tasks:
      - { id: m1, title: { vi: Phòng 1, en: District task 1 } }
      - { id: m2, title: { vi: Phòng 2, en: District task 2 } }
      - { id: m3, title: { vi: Phòng 3, en: District task 3 } }
    on:
      PING: mid2
  mid2:
    title: { vi: Phòng xem 2, en: District 2 }
    owner: district
    tasks:
      - { id: m4, title: { vi: Phòng 4, en: District task 4 } }
    on:
      PING: mid1
      FINISH: done
  up1:
    title: { vi: Sở xem 1, en: Department 1 }
    owner: department
    tasks:
      - { id: u1, title: { vi: Sở 1, en: Department task 1 } }
      - { id: u2, title: { vi: Sở 2, en: Department task 2 } }
      - { id: u3, title: { vi: Sở 3, en: Department task 3 } }
    on:
      PING: up2
  up2:
    title: { vi: Sở xem 2, en: Department 2 }
    owner: department
    tasks:
      - { id: u4, title: { vi: Sở 4, en: Department task 4 } }
    on:
      PING: up1
      FINISH: done
  done: { title: { vi: Xong, en: Done }, type: final }
`;

/** A parallel stage of three tracks held by three levels: the school (`school`), its Phòng
 * (`district`), the Sở (`department`). Each track's event toggles its own two stages. */
const TRACKS = 'authz-tracks';
const TRACK_EVENT: Partial<Record<Target, string>> = { subtree: 'S_GO', own: 'M_GO', parent: 'U_GO' };
const tracksSource = `id: ${TRACKS}
version: 1
title: { vi: Ba nhánh, en: Three tracks }
legalBasis: [Test]
appliesTo: [lower-secondary]
calendar: vn-government
initial: all
stages:
  all:
    title: { vi: Song song, en: In parallel }
    type: parallel
    owner: school
    tracks:
${(['school', 'district', 'department'] as const)
  .map(
    (owner, i) => `      t${i}:
        title: { vi: Nhánh ${i}, en: Track ${i} }
        initial: t${i}a
        stages:
          t${i}a: { title: { vi: Bước ${i}a, en: Step ${i}a }, owner: ${owner}, on: { ${['S_GO', 'M_GO', 'U_GO'][i]}: t${i}b } }
          t${i}b: { title: { vi: Bước ${i}b, en: Step ${i}b }, owner: ${owner}, on: { ${['S_GO', 'M_GO', 'U_GO'][i]}: t${i}a } }`,
  )
  .join('\n')}
    done: finished
  finished: { title: { vi: Xong, en: Done }, type: final }
`;

/** Every row of every table but sessions (signing in writes one), to show a refusal changed nothing. */
async function snapshot(s: TestServer): Promise<string> {
  return JSON.stringify(await storeSnapshot(s.app));
}

/** The instances made for each target in before(). */
interface Fixtures {
  /** authz-probe at the target, in `work` (owned by the target): evidence, anchors, tasks, escalations. */
  probe: Record<Target, string>;
  /** authz-probe at the target for events (PING toggles between two stages the target owns). */
  events: Record<Target, string>;
  /** authz-probe at the target, to be cancelled. */
  cancel: Record<Target, string[]>;
  /** A campaign rooted at the target. */
  campaign: Record<Target, string>;
  /** authz-probe at the school under Phòng A, in a stage owned by own (Phòng A) or parent (the Sở): events. */
  ownedEvents: Partial<Record<Target, string>>;
  /** The same, for tasks (their owner is the stage owner). */
  ownedTasks: Partial<Record<Target, string>>;
  /** authz-tracks at the school under Phòng A: one track per level. */
  tracks: string;
  /** A process belonging to the target (its administrator published version 1). */
  owned: Record<Target, string>;
  /** authz-reopen at the target, every task of its stage done: to be reopened. */
  reopen: Record<Target, string>;
}

interface Cell {
  s: TestServer;
  f: Fixtures;
  c: Client;
  role: Role;
  t: Target;
}

/**
 * A row of the table. `targeted`: the request names a unit (or a record of one) → 2xx when the role
 * may and the unit is covered, else 403. `global`: the request names no unit → 2xx when the role may,
 * else 403, whatever the target. `listing`: the answer is filtered → 2xx (403 when `denied` says the
 * role lacking the ability is refused), the target's record shown exactly when covered.
 * `owners` limits a row to some targets (the stage-owner rows); `covered` says when the request lies
 * in the caller's units, where that is not simply "the target is own or subtree".
 */
type Row =
  | {
      kind: 'targeted';
      label?: string;
      need: Need;
      owners?: Target[];
      covered?(t: Target): boolean;
      readable?(t: Target): boolean;
      call(x: Cell): Promise<Answer>;
    }
  | { kind: 'global'; label?: string; need: Need; call(x: Cell): Promise<Answer>; check?(x: Cell, r: Answer): Promise<void> }
  | {
      kind: 'listing';
      label?: string;
      need: Need;
      denied?: boolean;
      visible?(role: Role, t: Target): boolean;
      call(x: Cell): Promise<Answer>;
      shows(x: Cell, r: Answer): boolean;
    }
  | {
      kind: 'silent';
      label?: string;
      denied?(role: Role): boolean;
      only?: Target[];
      call(x: Cell): Promise<Answer>;
      changes(role: Role, t: Target): boolean;
      check?(x: Cell, r: Answer, changed: boolean): Promise<void>;
    };

const items = (r: Answer): any[] => (r.body?.items ?? []) as any[];

async function openTask(s: TestServer, instanceId: string): Promise<string> {
  const row = await s.app.runtime.db('tasks').where({ instance_id: instanceId, status: 'open' }).orderBy('task').first();
  if (!row) throw new Error(`fixture ${instanceId} has no open task left`);
  return row.id as string;
}

/** A completed task of the instance (before() completes every task of the reopen fixtures). */
async function doneTask(s: TestServer, instanceId: string): Promise<string> {
  const row = await s.app.runtime.db('tasks').where({ instance_id: instanceId, status: 'done' }).orderBy('task').first();
  if (!row) throw new Error(`fixture ${instanceId} has no done task left`);
  return row.id as string;
}

/** An escalation of the target not yet acknowledged; with `reuse`, one already acknowledged first:
 * acknowledging several at once answers those too, so that row does not use up the fresh ones the
 * one-at-a-time row needs. */
async function unacknowledged(s: TestServer, unitId: string, reuse = false): Promise<string> {
  const query = s.app.runtime
    .db('escalations')
    .join('instances', 'instances.id', 'escalations.instance_id')
    .where('instances.org_unit_id', unitId)
    .where('instances.definition_id', PROBE);
  const row = await (
    reuse
      ? query.orderByRaw('CASE WHEN escalations.acknowledged_at IS NULL THEN 1 ELSE 0 END, escalations.id DESC')
      : query.whereNull('escalations.acknowledged_at').orderBy('escalations.id')
  ).first('escalations.id');
  if (!row) throw new Error(`no ${reuse ? '' : 'unacknowledged '}escalation left at ${unitId}`);
  return row.id as string;
}

async function running(s: TestServer, ids: string[]): Promise<string> {
  const row = await s.app.runtime.db('instances').whereIn('id', ids).where({ status: 'running' }).orderBy('id').first('id');
  if (!row) throw new Error(`no running instance left among ${ids.join(', ')}`);
  return row.id as string;
}

async function notice(s: TestServer, unitId: string): Promise<number> {
  const row = await s.app.runtime.db('inbox').where({ unit_id: unitId }).orderBy('id').first('id');
  if (!row) throw new Error(`no notice at ${unitId}`);
  return row.id as number;
}

const cohortFilter = (t: Target) => ({ definitionId: COHORT, unitId: UNIT[t] });

const MATRIX_PDF = Buffer.from('%PDF-1.4\n%%EOF\n');
/** "role/target" → an attachment on the target's probe instance that the role's user sent (before()). */
const ATTACHED: Record<string, string> = {};

/** Route key → its rows. Destructive rows (cancel) come last in their route and are run last. */
let accountsMade = 0;

const TABLE: Record<string, Row[]> = {
  'DELETE /api/v1/session': [
    {
      kind: 'global',
      need: 'signed-in',
      // its own session: signing out the shared client would end the other rows'
      call: async ({ s, role }) => (await s.client(LOGIN[role])).delete('/api/v1/session'),
    },
  ],
  'GET /api/v1/me': [
    {
      kind: 'global',
      need: 'signed-in',
      call: ({ c }) => c.get('/api/v1/me'),
      async check({ role }, r) {
        expect(r.body.user.grants.map((g: { role: string; unitId: string }) => [g.role, g.unitId])).to.deep.equal([[role, 'pgd_a']]);
      },
    },
  ],
  'POST /api/v1/tokens': [{ kind: 'global', need: 'signed-in', call: ({ c }) => c.post('/api/v1/tokens', { name: 'matrix' }) }],
  // one's own tokens, whatever one's role
  'GET /api/v1/tokens': [{ kind: 'global', need: 'signed-in', call: ({ c }) => c.get('/api/v1/tokens') }],
  'DELETE /api/v1/tokens/:id': [
    { kind: 'global', need: 'signed-in', call: async ({ c }) => c.delete(`/api/v1/tokens/${(await c.post('/api/v1/tokens', { name: 'matrix' })).body.id}`) },
  ],
  // the same password again: this session stays, the other rows' clients are this one
  'POST /api/v1/me/password': [
    { kind: 'global', need: 'signed-in', call: ({ c }) => c.post('/api/v1/me/password', { currentPassword: PASSWORD, newPassword: PASSWORD }) },
  ],
  'GET /api/v1/org-units': [
    // the grant roots: Phòng A only (its schools are one level down, the rest is outside)
    {
      kind: 'listing',
      need: 'read',
      visible: (_r, t) => t === 'own',
      call: ({ c }) => c.get('/api/v1/org-units'),
      shows: ({ t }, r) => items(r).some((u) => u.id === UNIT[t]),
    },
    { kind: 'targeted', label: '?parentId=target', need: 'read', call: ({ c, t }) => c.get(`/api/v1/org-units?parentId=${UNIT[t]}`) },
  ],
  'GET /api/v1/org-units/:id': [{ kind: 'targeted', need: 'read', call: ({ c, t }) => c.get(`/api/v1/org-units/${UNIT[t]}`) }],
  'GET /api/v1/definitions': [{ kind: 'global', need: 'read', call: ({ c }) => c.get('/api/v1/definitions') }],
  'GET /api/v1/definitions/:id/versions/:version': [{ kind: 'global', need: 'read', call: ({ c }) => c.get(`/api/v1/definitions/${PROBE}/versions/latest`) }],
  'POST /api/v1/definitions/validate': [
    { kind: 'global', need: 'read', call: ({ c }) => c.post('/api/v1/definitions/validate', { source: probeSource(PROBE, 2) }) },
  ],
  'POST /api/v1/definitions/impact': [
    {
      kind: 'global',
      need: 'read',
      call: ({ c }) => c.post('/api/v1/definitions/impact', { source: probeSource(PROBE, 2) }),
      // counts only the running instances under Phòng A
      async check({ s }, r) {
        const mine = await s.app.runtime
          .db('instances')
          .where({ definition_id: PROBE })
          .whereIn('status', ['running', 'needs_migration'])
          .where('unit_path', 'like', '/so/pgd_a/%')
          .count({ n: '*' });
        expect(r.body.running).to.equal(Number(mine[0]!.n));
      },
    },
  ],
  'POST /api/v1/definitions': [
    // Publishing is the administrators' (README); definitions are not a unit's, so any administrator.
    // The same text again answers 200, so every allowed cell can publish.
    { kind: 'global', need: 'administer', call: ({ c }) => c.post('/api/v1/definitions', { source: probeSource('authz-published') }) },
    // The next version of a process the target's administrator published: for administrators of
    // that unit or above. Processes are read by everyone, so a refusal is a 403, not a 404.
    {
      kind: 'targeted',
      label: 'next version of a process belonging to target',
      need: 'administer',
      readable: () => true,
      call: ({ c, f, t }) => c.post('/api/v1/definitions', { source: probeSource(f.owned[t], 2) }),
    },
  ],
  'GET /api/v1/campaigns': [
    {
      kind: 'listing',
      need: 'read',
      call: ({ c }) => c.get('/api/v1/campaigns?limit=500'),
      shows: ({ f, t }, r) => items(r).some((x) => x.id === f.campaign[t]),
    },
  ],
  'POST /api/v1/campaigns': [
    {
      kind: 'targeted',
      need: 'administer',
      call: ({ c, t }) => c.post('/api/v1/campaigns', { definitionId: PROBE, rootUnitId: UNIT[t], kinds: [KIND[t]], reason: 'ma trận' }),
    },
  ],
  'POST /api/v1/campaigns/preview': [
    {
      kind: 'targeted',
      need: 'administer',
      call: ({ c, t }) => c.post('/api/v1/campaigns/preview', { definitionId: PROBE, rootUnitId: UNIT[t], kinds: [KIND[t]] }),
    },
  ],
  'GET /api/v1/campaigns/:id': [{ kind: 'targeted', need: 'read', call: ({ c, f, t }) => c.get(`/api/v1/campaigns/${f.campaign[t]}`) }],
  'GET /api/v1/campaigns/:id/export': [
    { kind: 'targeted', need: 'read', call: ({ c, f, t }) => c.get(`/api/v1/campaigns/${f.campaign[t]}/export?format=csv`) },
  ],
  'GET /api/v1/instances': [
    { kind: 'listing', need: 'read', call: ({ c }) => c.get('/api/v1/instances?limit=500'), shows: ({ f, t }, r) => items(r).some((i) => i.id === f.probe[t]) },
    { kind: 'targeted', label: '?unitId=target', need: 'read', call: ({ c, t }) => c.get(`/api/v1/instances?unitId=${UNIT[t]}`) },
  ],
  'GET /api/v1/instances/:id': [{ kind: 'targeted', need: 'read', call: ({ c, f, t }) => c.get(`/api/v1/instances/${f.probe[t]}`) }],
  'GET /api/v1/instances/:id/children': [{ kind: 'targeted', need: 'read', call: ({ c, f, t }) => c.get(`/api/v1/instances/${f.probe[t]}/children`) }],
  'GET /api/v1/instances/:id/children/export': [
    { kind: 'targeted', need: 'read', call: ({ c, f, t }) => c.get(`/api/v1/instances/${f.probe[t]}/children/export`) },
  ],
  'POST /api/v1/instances/:id/events': [
    { kind: 'targeted', need: 'work', call: ({ c, f, t }) => c.post(`/api/v1/instances/${f.events[t]}/events`, { type: 'PING' }) },
    // an instance of the school under Phòng A whose stage Phòng A (own) or the Sở (parent) owns
    {
      kind: 'targeted',
      label: 'stage owner = target',
      need: 'work',
      owners: ['own', 'parent'],
      readable: () => true,
      call: ({ c, f, t }) => c.post(`/api/v1/instances/${f.ownedEvents[t]}/events`, { type: 'PING' }),
    },
    // a parallel stage at the school under Phòng A: the event of the track the target holds, the
    // other tracks active beside it (holding one of them is not enough)
    {
      kind: 'targeted',
      label: 'parallel track owner = target',
      need: 'work',
      owners: ['subtree', 'own', 'parent'],
      readable: () => true,
      call: ({ c, f, t }) => c.post(`/api/v1/instances/${f.tracks}/events`, { type: TRACK_EVENT[t] }),
    },
  ],
  'POST /api/v1/instances/:id/evidence': [
    { kind: 'targeted', need: 'work', call: ({ c, f, t }) => c.post(`/api/v1/instances/${f.probe[t]}/evidence`, { item: 'e1', checked: true }) },
  ],
  // Attachments and comments (issue 16): read with the instance; attach as one completes its task;
  // remove one's own (each cell removes the file its caller attached in before()).
  'GET /api/v1/instances/:id/attachments': [{ kind: 'targeted', need: 'read', call: ({ c, f, t }) => c.get(`/api/v1/instances/${f.probe[t]}/attachments`) }],
  'POST /api/v1/instances/:id/attachments': [
    {
      kind: 'targeted',
      need: 'work',
      call: async ({ s, c, f, t }) =>
        c.post(`/api/v1/instances/${f.probe[t]}/attachments?name=bien-ban.pdf&taskId=${encodeURIComponent(await openTask(s, f.probe[t]))}`, MATRIX_PDF, {
          'content-type': 'application/pdf',
        }),
    },
  ],
  'GET /api/v1/attachments/:id': [{ kind: 'targeted', need: 'read', call: ({ c, role, t }) => c.get(`/api/v1/attachments/${ATTACHED[`${role}/${t}`]}`) }],
  'DELETE /api/v1/attachments/:id': [{ kind: 'targeted', need: 'read', call: ({ c, role, t }) => c.delete(`/api/v1/attachments/${ATTACHED[`${role}/${t}`]}`) }],
  'GET /api/v1/instances/:id/stages/:stage/comments': [
    { kind: 'targeted', need: 'read', call: ({ c, f, t }) => c.get(`/api/v1/instances/${f.probe[t]}/stages/work/comments`) },
  ],
  'GET /api/v1/instances/:id/comments': [{ kind: 'targeted', need: 'read', call: ({ c, f, t }) => c.get(`/api/v1/instances/${f.probe[t]}/comments`) }],
  'POST /api/v1/instances/:id/stages/:stage/comments': [
    { kind: 'targeted', need: 'work', call: ({ c, f, t }) => c.post(`/api/v1/instances/${f.probe[t]}/stages/work/comments`, { text: 'Đề nghị bổ sung.' }) },
  ],
  'POST /api/v1/instances/:id/anchors': [
    { kind: 'targeted', need: 'work', call: ({ c, f, t }) => c.post(`/api/v1/instances/${f.probe[t]}/anchors`, { name: 'visit', date: '2026-04-01' }) },
  ],
  'GET /api/v1/tasks/mine': [
    // open tasks of the units one works on (staff, administrators): a supervisor's list is empty
    {
      kind: 'listing',
      need: 'work',
      call: ({ c }) => c.get('/api/v1/tasks/mine?limit=500'),
      shows: ({ f, t }, r) => items(r).some((k) => k.instanceId === f.probe[t]),
    },
  ],
  'GET /api/v1/tasks/:id': [
    { kind: 'targeted', need: 'read', call: async ({ s, c, f, t }) => c.get(`/api/v1/tasks/${await openTask(s, f.probe[t])}`) },
    // A task of an instance in the subtree is read with the instance, whoever owns its stage.
    {
      kind: 'targeted',
      label: 'stage owner = target, instance in subtree',
      need: 'read',
      owners: ['own', 'parent'],
      covered: () => true,
      call: async ({ s, c, f, t }) => c.get(`/api/v1/tasks/${await openTask(s, f.ownedTasks[t]!)}`),
    },
  ],
  'POST /api/v1/tasks/:id/complete': [
    { kind: 'targeted', need: 'work', call: async ({ s, c, f, t }) => c.post(`/api/v1/tasks/${await openTask(s, f.probe[t])}/complete`, { data: {} }) },
    {
      kind: 'targeted',
      label: 'stage owner = target',
      need: 'work',
      owners: ['own', 'parent'],
      readable: () => true,
      call: async ({ s, c, f, t }) => c.post(`/api/v1/tasks/${await openTask(s, f.ownedTasks[t]!)}/complete`, { data: {} }),
    },
  ],
  'POST /api/v1/tasks/:id/reopen': [
    {
      kind: 'targeted',
      need: 'work',
      call: async ({ s, c, f, t }) => c.post(`/api/v1/tasks/${await doneTask(s, f.reopen[t])}/reopen`, { reason: 'sửa số liệu' }),
    },
  ],
  'POST /api/v1/cohort/extend': [
    // Work held by the target, in an instance of the school under Phòng A: the Sở's stage is left
    // alone (listed as excluded), Phòng A's is extended.
    {
      kind: 'silent',
      label: 'stage held by target, instance in subtree',
      denied: (role) => role !== 'admin',
      call: ({ c, f, t }) =>
        c.post('/api/v1/cohort/extend', {
          filter: { definitionId: t === 'own' ? PURPOSE.tasksMid : PURPOSE.tasksUp, unitId: UNIT.subtree },
          stage: t === 'own' ? 'mid1' : 'up1',
          until: '2026-12-31',
          reason: 'gia hạn',
        }),
      changes: (role, t) => role === 'admin' && t === 'own',
      only: ['own', 'parent'],
      async check(_x, r, changed) {
        expect(r.body).to.include({ matched: 1, changed: changed ? 1 : 0, excluded: changed ? 0 : 1 });
      },
    },
    {
      kind: 'targeted',
      label: 'filter.unitId=target',
      need: 'administer',
      call: ({ c, t }) => c.post('/api/v1/cohort/extend', { filter: cohortFilter(t), stage: 'work', workingDays: 1, reason: 'gia hạn' }),
    },
    {
      kind: 'listing',
      label: 'no unit: only covered instances',
      need: 'administer',
      denied: true,
      call: ({ c }) => c.post('/api/v1/cohort/extend', { filter: { definitionId: COHORT }, stage: 'work', workingDays: 1, reason: 'gia hạn', dryRun: true }),
      shows: ({ t }, r) => (r.body.instances as any[]).some((i) => i.orgUnitId === UNIT[t]),
    },
  ],
  'POST /api/v1/cohort/reassign': [
    {
      kind: 'targeted',
      label: 'filter.unitId=toUnitId=target',
      need: 'administer',
      call: ({ c, t }) => c.post('/api/v1/cohort/reassign', { filter: cohortFilter(t), toUnitId: UNIT[t], reason: 'bàn giao' }),
    },
    {
      kind: 'targeted',
      label: 'own instances → toUnitId=target',
      need: 'administer',
      call: ({ c, t }) => c.post('/api/v1/cohort/reassign', { filter: cohortFilter('own'), toUnitId: UNIT[t], reason: 'bàn giao', dryRun: true }),
    },
  ],
  'POST /api/v1/cohort/migrate': [
    {
      kind: 'targeted',
      label: 'filter.unitId=target',
      need: 'administer',
      call: ({ c, t }) => c.post('/api/v1/cohort/migrate', { filter: cohortFilter(t), toVersion: 2, reason: 'phiên bản mới' }),
    },
  ],
  'POST /api/v1/cohort/cancel': [
    {
      kind: 'listing',
      label: 'no unit: only covered instances',
      need: 'administer',
      denied: true,
      call: ({ c }) => c.post('/api/v1/cohort/cancel', { filter: { definitionId: COHORT }, reason: 'huỷ', dryRun: true }),
      shows: ({ t }, r) => (r.body.instances as any[]).some((i) => i.orgUnitId === UNIT[t]),
    },
    {
      kind: 'targeted',
      label: 'filter.unitId=target',
      need: 'administer',
      call: ({ c, t }) => c.post('/api/v1/cohort/cancel', { filter: cohortFilter(t), reason: 'huỷ' }),
    },
  ],
  'GET /api/v1/board': [
    { kind: 'global', need: 'watch', call: ({ c }) => c.get('/api/v1/board') },
    { kind: 'targeted', label: '?unitId=target', need: 'watch', call: ({ c, t }) => c.get(`/api/v1/board?unitId=${UNIT[t]}`) },
  ],
  'POST /api/v1/org-units': [
    {
      kind: 'targeted',
      label: 'parentId=target (dry run)',
      need: 'administer',
      call: ({ c, t, role }) => c.post('/api/v1/org-units', { id: `authz_${role}`, parentId: UNIT[t], kind: 'primary', name: 'Trường thử', dryRun: true }),
    },
  ],
  'PATCH /api/v1/org-units/:id': [
    {
      kind: 'targeted',
      label: 'phone (dry run)',
      need: 'administer',
      call: ({ c, t }) => c.patch(`/api/v1/org-units/${UNIT[t]}`, { phone: '0275 3822 000', dryRun: true }),
    },
  ],
  'POST /api/v1/org-units/reshape': [
    {
      kind: 'targeted',
      label: 'update target (dry run)',
      need: 'administer',
      call: ({ c, t }) => c.post('/api/v1/org-units/reshape', { operations: [{ op: 'update', id: UNIT[t], phone: '0275' }], dryRun: true }),
    },
  ],
  'POST /api/v1/org-units/:id/move': [
    {
      kind: 'targeted',
      label: 'a school of Phòng A → under target (dry run)',
      need: 'administer',
      call: ({ c, t }) => c.post(`/api/v1/org-units/${UNIT.subtree}/move`, { parentId: UNIT[t], reason: 'thử', dryRun: true }),
    },
  ],
  'POST /api/v1/org-units/:id/merge': [
    {
      kind: 'targeted',
      label: 'a school of Phòng A → into target (dry run)',
      need: 'administer',
      call: ({ c, t }) => c.post(`/api/v1/org-units/${UNIT.subtree}/merge`, { intoId: UNIT[t], reason: 'thử', dryRun: true }),
    },
  ],
  'POST /api/v1/org-units/:id/close': [
    {
      kind: 'targeted',
      label: 'dry run',
      need: 'administer',
      call: ({ c, t }) => c.post(`/api/v1/org-units/${UNIT[t]}/close`, { reason: 'thử', dryRun: true }),
    },
  ],
  'POST /api/v1/unit-lists': [
    {
      kind: 'listing',
      label: 'a list naming the target',
      need: 'read',
      call: ({ c, t }) => c.post('/api/v1/unit-lists?file=mau.csv', `Mã đơn vị\n${UNIT[t]}\n`, { 'content-type': 'text/csv' }),
      shows: ({ t }, r) => ((r.body?.unitIds ?? []) as string[]).includes(UNIT[t]),
    },
  ],
  'POST /api/v1/org-units/import': [
    {
      kind: 'global',
      label: 'a school under Phòng A (dry run)',
      need: 'administer',
      call: ({ c }) =>
        c.post(
          '/api/v1/org-units/import?file=don-vi.csv&dryRun=true',
          'Mã đơn vị,Tên đơn vị,Loại đơn vị,Mã đơn vị cấp trên\nth_authz,TH Thử,Tiểu học,pgd_a\n',
          {
            'content-type': 'text/csv',
          },
        ),
    },
  ],
  'GET /api/v1/org-units/export': [
    { kind: 'targeted', label: '?rootId=target', need: 'read', call: ({ c, t }) => c.get(`/api/v1/org-units/export?format=csv&rootId=${UNIT[t]}`) },
  ],
  'GET /api/v1/audit': [{ kind: 'targeted', label: '?unitId=target', need: 'administer', call: ({ c, t }) => c.get(`/api/v1/audit?unitId=${UNIT[t]}`) }],
  'GET /api/v1/audit/export': [
    { kind: 'targeted', label: '?unitId=target', need: 'administer', call: ({ c, t }) => c.get(`/api/v1/audit/export?format=csv&unitId=${UNIT[t]}`) },
  ],
  'GET /api/v1/board/export': [
    { kind: 'targeted', label: '?unitId=target', need: 'watch', call: ({ c, t }) => c.get(`/api/v1/board/export?format=csv&unitId=${UNIT[t]}`) },
  ],
  'GET /api/v1/board/overdue': [
    { kind: 'targeted', label: '?unitId=target', need: 'watch', call: ({ c, t }) => c.get(`/api/v1/board/overdue?unitId=${UNIT[t]}`) },
  ],
  'POST /api/v1/board/remind': [
    { kind: 'targeted', need: 'watch', call: ({ c, f, t }) => c.post('/api/v1/board/remind', { instanceIds: [f.probe[t]], message: 'ma trận' }) },
  ],
  'GET /api/v1/escalations': [
    {
      kind: 'listing',
      need: 'read',
      call: ({ c }) => c.get('/api/v1/escalations?limit=500'),
      shows: ({ t }, r) => items(r).some((e) => e.orgUnitId === UNIT[t]),
    },
    { kind: 'targeted', label: '?unitId=target', need: 'read', call: ({ c, t }) => c.get(`/api/v1/escalations?unitId=${UNIT[t]}`) },
  ],
  'POST /api/v1/escalations/:id/acknowledge': [
    { kind: 'targeted', need: 'watch', call: async ({ s, c, t }) => c.post(`/api/v1/escalations/${await unacknowledged(s, UNIT[t])}/acknowledge`) },
  ],
  // after the one-at-a-time row: it reuses the escalations that row acknowledged
  'POST /api/v1/escalations/acknowledge': [
    {
      kind: 'targeted',
      need: 'watch',
      call: async ({ s, c, t }) => c.post('/api/v1/escalations/acknowledge', { ids: [await unacknowledged(s, UNIT[t], true)] }),
    },
  ],
  'GET /api/v1/inbox': [
    // each unit's inbox is read by those holding a role on that very unit
    {
      kind: 'listing',
      need: 'read',
      visible: (_r, t) => t === 'own',
      call: ({ c }) => c.get('/api/v1/inbox?limit=500'),
      shows: ({ t }, r) => items(r).some((n) => n.unitId === UNIT[t]),
    },
  ],
  'POST /api/v1/inbox/read': [
    {
      kind: 'silent',
      // marking another unit's notice read answers like any other id and marks nothing
      call: async ({ s, c, t }) => c.post('/api/v1/inbox/read', { ids: [await notice(s, UNIT[t])] }),
      changes: (_r, t) => t === 'own',
      async check({ s, t }, _r, changed) {
        const row = await s.app.runtime
          .db('inbox')
          .where({ id: await notice(s, UNIT[t]) })
          .first('read_at');
        expect(row.read_at !== null, `notice at ${UNIT[t]} read`).to.equal(changed);
      },
    },
  ],
  'POST /api/v1/instances/:id/cancel': [
    {
      kind: 'targeted',
      need: 'administer',
      call: async ({ s, c, f, t }) => c.post(`/api/v1/instances/${await running(s, f.cancel[t])}/cancel`, { reason: 'sáp nhập' }),
    },
  ],
  // user accounts: each target unit has an account at home there (fx_<target>, staff on it)
  'GET /api/v1/users': [
    {
      kind: 'listing',
      need: 'administer',
      denied: true,
      call: ({ c }) => c.get('/api/v1/users?limit=500'),
      shows: ({ t }, r) => items(r).some((u) => u.login === `fx_${t}`),
    },
  ],
  'POST /api/v1/users': [
    {
      kind: 'targeted',
      need: 'administer',
      call: ({ c, t }) => c.post('/api/v1/users', { login: `fx-new-${t}-${++accountsMade}`, name: 'Tài khoản mới', unitId: UNIT[t] }),
    },
  ],
  'POST /api/v1/users/bulk': [{ kind: 'targeted', need: 'administer', call: ({ c, t }) => c.post('/api/v1/users/bulk', { unitId: UNIT[t], dryRun: true }) }],
  'GET /api/v1/users/:id': [{ kind: 'targeted', need: 'administer', call: ({ c, t }) => c.get(`/api/v1/users/fx_${t}`) }],
  'PATCH /api/v1/users/:id': [{ kind: 'targeted', need: 'administer', call: ({ c, t }) => c.patch(`/api/v1/users/fx_${t}`, { phone: '0275 3822 000' }) }],
  'POST /api/v1/users/:id/password-reset': [{ kind: 'targeted', need: 'administer', call: ({ c, t }) => c.post(`/api/v1/users/fx_${t}/password-reset`, {}) }],
  'POST /api/v1/users/:id/grants': [
    { kind: 'targeted', need: 'administer', call: ({ c, t }) => c.post(`/api/v1/users/fx_${t}/grants`, { role: 'supervisor', unitId: UNIT[t] }) },
  ],
  'DELETE /api/v1/users/:id/grants': [
    { kind: 'targeted', need: 'administer', call: ({ c, t }) => c.delete(`/api/v1/users/fx_${t}/grants?role=staff&unitId=${UNIT[t]}`) },
  ],
  'POST /api/v1/users/:id/activate': [{ kind: 'targeted', need: 'administer', call: ({ c, t }) => c.post(`/api/v1/users/fx_${t}/activate`, {}) }],
  'POST /api/v1/users/:id/deactivate': [{ kind: 'targeted', need: 'administer', call: ({ c, t }) => c.post(`/api/v1/users/fx_${t}/deactivate`, {}) }],
};

const keyOf = (r: { method: string; path: string }) => `${r.method.toUpperCase()} ${r.path}`;

describe('HTTP: the authorization matrix (route × role × own / subtree / sibling / parent)', function () {
  this.timeout(60_000);
  let s: TestServer;
  const clients = {} as Record<Role, Client>;
  const f: Fixtures = {
    probe: {} as never,
    events: {} as never,
    cancel: {} as never,
    campaign: {} as never,
    ownedEvents: {},
    ownedTasks: {},
    tracks: '',
    owned: {} as never,
    reopen: {} as never,
  };

  before(async () => {
    s = await startTestServer({ start: at8('2026-03-02') });
    const engine = s.app.runtime.engine;
    const by = { actor: 'fixture' };
    // One instance per (process, unit) outside a campaign: a process per purpose.
    for (const id of [PROBE, COHORT, ...Object.values(PURPOSE)]) await engine.catalog.publish(probeSource(id), `${id}.yaml`, 'fixture');
    await engine.catalog.publish(probeSource(COHORT, 2), `${COHORT}.yaml`, 'fixture');
    const start = async (unit: string, definitionId: string) => (await engine.start({ definitionId, version: 1, orgUnitId: unit }, by)).id;
    for (const t of TARGETS) {
      f.probe[t] = await start(UNIT[t], PROBE);
      f.events[t] = await start(UNIT[t], PURPOSE.events);
      f.cancel[t] = [await start(UNIT[t], PURPOSE.cancelA), await start(UNIT[t], PURPOSE.cancelB)];
      f.reopen[t] = await start(UNIT[t], PURPOSE.reopen);
      for (const task of ['t1', 't2', 't3', 't4']) await engine.completeTask(f.reopen[t], task, {}, by);
      await start(UNIT[t], COHORT);
      const campaign = await createCampaign(engine, { definitionId: PROBE, rootUnitId: UNIT[t], kinds: [KIND[t]] }, by);
      await runCampaign(engine, campaign.id, by);
      f.campaign[t] = campaign.id;
    }
    for (const [t, event] of [
      ['own', 'MID'],
      ['parent', 'UP'],
    ] as const) {
      f.ownedEvents[t] = await start(UNIT.subtree, t === 'own' ? PURPOSE.eventsMid : PURPOSE.eventsUp);
      await engine.send(f.ownedEvents[t]!, { type: event }, by);
      f.ownedTasks[t] = await start(UNIT.subtree, t === 'own' ? PURPOSE.tasksMid : PURPOSE.tasksUp);
      await engine.send(f.ownedTasks[t]!, { type: event }, by);
    }
    for (const t of TARGETS)
      await s.app.accounts.putUser({ id: `fx_${t}`, login: `fx_${t}`, name: `Tài khoản ${t}`, unitId: UNIT[t], passwordHash: 'x', createdAt: 0 }, [
        { role: 'staff', unitId: UNIT[t] },
      ]);
    await engine.catalog.publish(tracksSource, `${TRACKS}.yaml`, 'fixture');
    f.tracks = await start(UNIT.subtree, TRACKS);
    for (const t of TARGETS) {
      f.owned[t] = `authz-owned-${t}`;
      const admin = {
        user: { id: `admin@${UNIT[t]}`, login: `admin@${UNIT[t]}`, name: '' },
        grants: [{ role: 'admin' as const, unitId: UNIT[t], unitPath: (await engine.chainOf(UNIT[t]))[0]!.path }],
      };
      await s.app.application.publish(admin, probeSource(f.owned[t]));
    }
    // Each role's user sent a file to each target's checklist item (the system let them: the rows
    // read and remove it).
    for (const role of ROLES)
      for (const t of TARGETS) {
        const user = (await s.app.accounts.findByLogin(LOGIN[role]))!;
        const as = { user: { id: user.id, login: user.login, name: user.name }, grants: systemPrincipal().grants };
        ATTACHED[`${role}/${t}`] = (await s.app.application.files.attach(as, f.probe[t], { item: 'e1' }, 'minh-chung.pdf', MATRIX_PDF)).attachment.id;
      }
    // Past every `work` deadline and its ladder: overdue and escalated, a notice in each unit's inbox.
    s.clock.set(at8('2026-03-10'));
    await s.app.runtime.runDue();
    for (const role of ROLES) clients[role] = await s.client(LOGIN[role]);
    // the fixtures are what the cells assume
    for (const t of TARGETS) {
      await unacknowledged(s, UNIT[t]);
      await notice(s, UNIT[t]);
    }
  });
  after(() => s?.close());

  it('has a row for every private route, and no row for a route that is not there', () => {
    const routes = ROUTES.filter((r) => !r.public).map(keyOf);
    expect(routes.length).to.be.above(25);
    expect(Object.keys(TABLE).sort()).to.deep.equal([...routes].sort());
    for (const [key, rows] of Object.entries(TABLE)) expect(rows, key).to.not.be.empty;
  });

  it('lets the unit a cohort reassign handed a task to act on it, as its task page says (canAct)', async () => {
    // A school of Phòng B merges into Phòng A's care: the Sở's administrator hands its open tasks over.
    const engine = s.app.runtime.engine;
    const instance = (await engine.start({ definitionId: PURPOSE.handover, version: 1, orgUnitId: 'th_b1' }, { actor: 'fixture' })).id;
    const admin = await s.client('admin_so');
    const moved = await admin.post('/api/v1/cohort/reassign', {
      filter: { definitionId: PURPOSE.handover, unitId: 'th_b1' },
      toUnitId: 'pgd_a',
      reason: 'sáp nhập',
    });
    expect(moved.body).to.include({ matched: 1, changed: 1 });
    const staff = clients.staff;
    const mine = items(await staff.get('/api/v1/tasks/mine?limit=500')).filter((k) => k.instanceId === instance);
    expect(mine.map((k) => k.task)).to.deep.equal(['t1', 't2', 't3', 't4']);
    const page = await staff.get(`/api/v1/tasks/${mine[0].id}`);
    expect(page.status).to.equal(200);
    expect(page.body.canAct).to.equal(true);
    const done = await staff.post(`/api/v1/tasks/${mine[0].id}/complete`, { data: {} });
    expect(done.status, done.text).to.equal(200);
    // the instance stays Phòng B's: its timeline and its events are not Phòng A's (not there, for it)
    expect((await staff.get(`/api/v1/instances/${instance}`)).status).to.equal(404);
    expect((await staff.post(`/api/v1/instances/${instance}/events`, { type: 'PING' })).status).to.equal(404);
    // and a supervisor of Phòng A reads the task but does not act on it
    expect((await clients.supervisor.post(`/api/v1/tasks/${mine[1].id}/complete`, { data: {} })).status).to.equal(403);
  });

  /** What the README's rules say a cell answers. */
  function expected(row: Row, role: Role, t: Target): { allowed: boolean; visible?: boolean; hidden?: boolean } {
    switch (row.kind) {
      case 'targeted': {
        const covered = (row.covered ?? covers)(t);
        return { allowed: MAY[row.need].includes(role) && covered, hidden: !(row.readable ?? row.covered ?? covers)(t) };
      }
      case 'global':
        return { allowed: MAY[row.need].includes(role) };
      case 'listing': {
        const may = MAY[row.need].includes(role);
        return { allowed: may || !row.denied, visible: may && (row.visible ?? ((_r, x) => covers(x)))(role, t) };
      }
      case 'silent':
        return { allowed: !row.denied?.(role) };
    }
  }

  for (const [key, rows] of Object.entries(TABLE)) {
    for (const row of rows) {
      const name = `${key}${row.label ? ` (${row.label})` : ''}`;
      it(name, async () => {
        const targets = row.kind === 'targeted' && row.owners ? row.owners : row.kind === 'silent' && row.only ? row.only : TARGETS;
        const cells = ROLES.flatMap((role) => targets.map((t) => ({ role, t, want: expected(row, role, t) })));
        // refusals first, while every fixture is as before() left it
        cells.sort((a, b) => Number(a.want.allowed) - Number(b.want.allowed));
        const wrong: string[] = [];
        for (const { role, t, want } of cells) {
          const x: Cell = { s, f, c: clients[role], role, t };
          const where = `${role} → ${t} (${UNIT[t]})`;
          const before = await snapshot(s);
          const r = await row.call(x);
          await s.app.settled();
          const ok = r.status >= 200 && r.status < 300;
          const refusal = want.hidden ? { status: 404, code: 'NOT_FOUND' } : { status: 403, code: 'FORBIDDEN' };
          if (want.allowed !== ok) {
            wrong.push(`${where}: expected ${want.allowed ? '2xx' : refusal.status}, got ${r.status} ${r.text.slice(0, 200)}`);
            continue;
          }
          if (!ok) {
            if (r.status !== refusal.status || errorOf(r).code !== refusal.code)
              wrong.push(`${where}: expected ${refusal.status} ${refusal.code}, got ${r.status} ${r.text.slice(0, 200)}`);
            else if ((await snapshot(s)) !== before) wrong.push(`${where}: refused with ${r.status}, yet the store changed`);
            else if (want.hidden && /pgd_b|so\b|Ba Tri|Sở GDĐT/.test(errorOf(r).message.replace(UNIT[t], '')))
              wrong.push(`${where}: the refusal names something outside the caller's units: ${errorOf(r).message}`);
            continue;
          }
          try {
            if (row.kind === 'listing' && row.shows(x, r) !== want.visible)
              wrong.push(`${where}: the answer ${want.visible ? 'lacks' : 'shows'} the target's record`);
            if (row.kind === 'global') await row.check?.(x, r);
            if (row.kind === 'silent') {
              const changed = row.changes(role, t);
              if (!changed && (await snapshot(s)) !== before) wrong.push(`${where}: answered ${r.status} for another unit's record and changed the store`);
              await row.check?.(x, r, changed);
            }
          } catch (e) {
            wrong.push(`${where}: ${(e as Error).message}`);
          }
        }
        expect(wrong, `${name}:\n  ${wrong.join('\n  ')}`).to.deep.equal([]);
      });
    }
  }
});
