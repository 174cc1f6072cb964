// The rule table of engine/application/policy.ts, as a table: who (a grant) × what act (an event, an
// evidence item, an anchor, a task, a cohort operation, a publication) × where the instance stands →
// allowed or not. Pure: a compiled process, a unit chain and grants; no store.
import { expect } from 'chai';
import type { Grant } from '../../engine/access.ts';
import { compileProcess } from '../../engine/definition/compile.ts';
import { loadDefinition } from '../../engine/definition/load.ts';
import type { Instance, OrgUnit } from '../../engine/domain.ts';
import { administersTop, cohortExclusion, mayPublish, mayWorkTask, requireStageAct, type Principal, type StageAct } from '../../engine/application/policy.ts';
import { EngineError } from '../../engine/errors.ts';

const SOURCE = `
id: policy-table
version: 1
title: { vi: Bảng quyền, en: Rule table }
legalBasis: [Test]
appliesTo: [lower-secondary]
calendar: vn-government
roles:
  issuer: { title: { vi: Cơ quan cấp, en: Issuer }, unit: parent }
anchors:
  decision: { title: { vi: Ngày quyết định, en: Decision day } }
  note_day: { title: { vi: Ngày ghi chú, en: Note day } }
initial: both
stages:
  both:
    title: { vi: Song song, en: In parallel }
    type: parallel
    owner: issuer
    due: { anchor: decision, days: 75 }
    tracks:
      office:
        title: { vi: Phòng, en: Office }
        initial: register
        stages:
          register:
            title: { vi: Sổ gốc, en: Register }
            evidence:
              - { id: register_book, title: { vi: Sổ, en: Book } }
            on:
              READY: registered
              SHARED: registered
          registered: { title: { vi: Xong sổ, en: Registered }, type: final }
      school:
        title: { vi: Trường, en: School }
        initial: temporary
        stages:
          temporary:
            title: { vi: Giấy tạm thời, en: Temporary certificates }
            owner: school
            evidence:
              - { id: signed_list, title: { vi: Danh sách ký nhận, en: Signed list } }
            on:
              ISSUED: issued
              SHARED: issued
          issued: { title: { vi: Đã cấp, en: Issued }, type: final }
    done: archive
  archive:
    title: { vi: Lưu trữ, en: Archive }
    owner: department
    on:
      SHARED: archive
`;

const loaded = loadDefinition(SOURCE, 'policy-table.yaml', {});
if (!loaded.definition) throw new Error(JSON.stringify(loaded.diagnostics));
const compiled = compileProcess(loaded.definition);

const unit = (id: string, path: string, kind: OrgUnit['kind']): OrgUnit => ({
  id,
  path,
  kind,
  name: id,
  depth: path.split('/').filter(Boolean).length - 1,
  createdAt: 0,
});
const SO = unit('so', '/so/', 'department');
const PGD = unit('pgd', '/so/pgd/', 'district-office');
const SCHOOL = unit('thcs', '/so/pgd/thcs/', 'lower-secondary');
const CHAIN = [SCHOOL, PGD, SO];

const who = (role: Grant['role'], u: OrgUnit): Principal => ({
  user: { id: `${role}@${u.id}`, login: `${role}@${u.id}`, name: '' },
  grants: [{ role, unitId: u.id, unitPath: u.path }],
});
const instanceIn = (stages: string[]): Instance =>
  ({
    id: 'i',
    definitionId: compiled.id,
    definitionVersion: 1,
    orgUnitId: SCHOOL.id,
    unitPath: SCHOOL.path,
    status: 'running',
    stages,
    rev: 1,
    state: { snapshot: null, entries: {}, seq: 0 },
  }) as unknown as Instance;

function allowed(p: Principal, stages: string[], act: StageAct): boolean {
  try {
    requireStageAct(p, compiled, instanceIn(stages), CHAIN, act);
    return true;
  } catch (e) {
    if (e instanceof EngineError && e.code === 'FORBIDDEN') return false;
    throw e;
  }
}

const TRACKS = ['register', 'temporary'];
const school = who('staff', SCHOOL);
const office = who('staff', PGD);
const officeSupervisor = who('supervisor', PGD);
const so = who('staff', SO);

describe('policy: the rule table', () => {
  // [who, stages, act, allowed]
  const table: [string, Principal, string[], StageAct, boolean][] = [
    ['the school sends its track’s event', school, TRACKS, { kind: 'event', type: 'ISSUED' }, true],
    ['the school sends the office track’s event', school, TRACKS, { kind: 'event', type: 'READY' }, false],
    ['the office sends its track’s event', office, TRACKS, { kind: 'event', type: 'READY' }, true],
    ['the office sends the school track’s event (the school’s own stage, below the office)', office, TRACKS, { kind: 'event', type: 'ISSUED' }, true],
    ['the Sở covers both tracks', so, TRACKS, { kind: 'event', type: 'READY' }, true],
    ['a supervisor watches, does not act', officeSupervisor, TRACKS, { kind: 'event', type: 'READY' }, false],
    ['an event no active stage accepts: any stage’s owner hears the engine’s refusal', school, TRACKS, { kind: 'event', type: 'NOPE' }, true],
    ['… but not someone who owns none of them', school, ['archive'], { kind: 'event', type: 'NOPE' }, false],
    ['the school ticks its track’s item', school, TRACKS, { kind: 'evidence', item: 'signed_list' }, true],
    ['the school ticks the office track’s item', school, TRACKS, { kind: 'evidence', item: 'register_book' }, false],
    ['the school sets the anchor of the office’s 75-day deadline', school, TRACKS, { kind: 'anchor', name: 'decision' }, false],
    ['the office sets it', office, TRACKS, { kind: 'anchor', name: 'decision' }, true],
    ['an anchor no deadline counts from: any active stage’s owner', school, TRACKS, { kind: 'anchor', name: 'note_day' }, true],
    ['the school’s event in the Sở’s stage', school, ['archive'], { kind: 'event', type: 'SHARED' }, false],
    ['an event both tracks accept needs both: the school holds one', school, TRACKS, { kind: 'event', type: 'SHARED' }, false],
    ['… the office covers both', office, TRACKS, { kind: 'event', type: 'SHARED' }, true],
  ];
  for (const [what, p, stages, act, want] of table) {
    it(`${what} → ${want ? 'allowed' : 'refused'}`, () => expect(allowed(p, stages, act)).to.equal(want));
  }

  it('a task is for whoever works over the unit holding it', () => {
    expect(mayWorkTask(school, { ownerUnitPath: SCHOOL.path })).to.equal(true);
    expect(mayWorkTask(school, { ownerUnitPath: PGD.path })).to.equal(false);
    expect(mayWorkTask(office, { ownerUnitPath: SCHOOL.path })).to.equal(true);
    expect(mayWorkTask(officeSupervisor, { ownerUnitPath: SCHOOL.path })).to.equal(false);
  });

  it('a cohort operation leaves alone the stages held above the caller, and says which', () => {
    const officeAdmin = who('admin', PGD);
    expect(cohortExclusion(officeAdmin, compiled, instanceIn(TRACKS), CHAIN, TRACKS)).to.equal(undefined);
    const archived = cohortExclusion(officeAdmin, compiled, instanceIn(['archive']), CHAIN, ['archive']);
    expect(archived).to.deep.include({ code: 'OUTSIDE_SCOPE', stages: [{ stage: 'archive', role: 'department' }] });
    expect(archived!.message).to.not.include('/so/');
    expect(cohortExclusion(who('admin', SO), compiled, instanceIn(['archive']), CHAIN, ['archive'])).to.equal(undefined);
    expect(cohortExclusion(who('admin', SCHOOL), compiled, instanceIn(TRACKS), CHAIN, ['register'])).to.not.equal(undefined);
  });

  it('a process is published by administrators of the unit it belongs to or above; the library by the top', () => {
    expect(mayPublish(who('admin', PGD), undefined)).to.equal(true);
    expect(mayPublish(who('staff', PGD), undefined)).to.equal(false);
    expect(mayPublish(who('admin', PGD), { ownerUnitPath: PGD.path })).to.equal(true);
    expect(mayPublish(who('admin', SO), { ownerUnitPath: PGD.path })).to.equal(true);
    expect(mayPublish(who('admin', SCHOOL), { ownerUnitPath: PGD.path })).to.equal(false);
    expect(mayPublish(who('admin', unit('pgd2', '/so/pgd2/', 'district-office')), { ownerUnitPath: PGD.path })).to.equal(false);
    expect(mayPublish(who('admin', PGD), {})).to.equal(false);
    expect(mayPublish(who('admin', SO), {})).to.equal(true);
  });

  it('the service’s metrics are for administrators of a top unit: their counts cover the whole tree', () => {
    expect(administersTop(who('admin', SO))).to.equal(true);
    expect(administersTop(who('admin', PGD))).to.equal(false);
    expect(administersTop(who('supervisor', SO))).to.equal(false);
  });
});
