// A refusal reaches the person as a code with its parameters and is worded in their language: the
// titles of the tasks, stages, events and fields it names, and what this event, with this data, lacks.
import { expect } from 'chai';
import { loadCalendar } from '../../adapters/files/calendars.ts';
import { calendarRanges, loadCalendars } from '../../adapters/files/definitions.ts';
import { ENGINE_STATUS } from '../../adapters/http/errors.ts';
import { parseInstant } from '../../engine/calendar/time.ts';
import { compileProcess, ENGINE_EVENTS } from '../../engine/definition/compile.ts';
import { loadDefinition } from '../../engine/definition/load.ts';
import { EngineError } from '../../engine/errors.ts';
import { wordFieldProblem, wordRefusal } from '../../engine/refusals.ts';
import { advance, startInstance } from '../../engine/runtime/advance.ts';

const cal = loadCalendar();
const t0 = parseInstant('2026-03-02T09:00:00+07:00');

const SOURCE = `
id: returns
version: 1
title: { vi: Kiểm tra hồ sơ, en: Dossier check }
appliesTo: [primary]
calendar: vn-government
legalBasis: [Thông tư 17/2018/TT-BGDĐT]
roles:
  school: { title: { vi: Nhà trường, en: The school }, unit: self }
  office: { title: { vi: Phòng GDĐT, en: District office }, unit: parent }
events:
  SUBMIT: { title: { vi: Gửi hồ sơ, en: Send the dossier } }
  REVIEW:
    title: { vi: Kết quả kiểm tra hồ sơ, en: Check result }
    form:
      properties:
        decision:
          type: string
          enum: [accepted, returned]
          enumTitles: { accepted: { vi: Tiếp nhận, en: Accepted }, returned: { vi: Trả lại để hoàn thiện, en: Returned } }
          title: { vi: Kết luận, en: Decision }
        note: { type: string, maxLength: 200, title: { vi: Yêu cầu hoàn thiện, en: What to complete } }
      required: [decision]
initial: preparing
stages:
  preparing:
    title: { vi: Chuẩn bị hồ sơ, en: Preparing the dossier }
    owner: school
    tasks:
      - id: sa_plan
        title: { vi: Kế hoạch tự đánh giá, en: Self-assessment plan }
      - id: sa_report
        title: { vi: Báo cáo tự đánh giá, en: Self-assessment report }
    on:
      SUBMIT: { target: checking, when: { tasksDone: all } }
  checking:
    title: { vi: Phòng GDĐT kiểm tra hồ sơ, en: The office checks the dossier }
    owner: office
    tasks:
      - id: check_list
        title: { vi: Đối chiếu danh mục hồ sơ, en: Check the list of documents }
    on:
      REVIEW:
        - { target: done, when: { all: [{ field: event.decision, eq: accepted }, { tasksDone: all }] } }
        - { target: preparing, when: { all: [{ field: event.decision, eq: returned }, { field: event.note, exists: true }] } }
  done:
    title: { vi: Hoàn thành, en: Done }
    type: final
`;

function compiled() {
  const { definition, diagnostics } = loadDefinition(SOURCE, 'returns.yaml', { calendars: calendarRanges(loadCalendars()) });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (!definition || errors.length) throw new Error(errors.map((e) => `${e.code} ${e.message}`).join('\n'));
  return compileProcess(definition);
}

function refusal(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
  throw new Error('it was accepted');
}

/** Visible words must never carry an id: snake_case or an UPPER_CASE event name. */
function expectNoIds(text: string): void {
  expect(text).not.to.match(/\b[a-z]+_[a-z_]+\b/);
  expect(text).not.to.match(/\b[A-Z]{3,}(_[A-Z]+)*\b/);
}

describe('refusals worded for people', () => {
  const p = compiled();
  const vi = { lang: 'vi' as const };
  const en = { lang: 'en' as const };

  function atChecking() {
    let r = startInstance(p, { unit: { kind: 'primary' } }, t0, cal);
    for (const task of ['sa_plan', 'sa_report']) r = advance(p, r.state, { type: ENGINE_EVENTS.completeTask, task }, t0, cal);
    return advance(p, r.state, { type: 'SUBMIT' }, t0, cal);
  }

  it('a SUBMIT before the tasks names the tasks and the action by their titles', () => {
    const r = startInstance(p, { unit: { kind: 'primary' } }, t0, cal);
    const e = refusal(() => advance(p, r.state, { type: 'SUBMIT' }, t0, cal));
    expect(e.code).to.equal('CONDITION_NOT_MET');
    const words = wordRefusal(e.code, e.details, vi)!;
    expect(words).to.equal('Chưa thể “Gửi hồ sơ”: còn việc chưa hoàn thành: “Kế hoạch tự đánh giá”, “Báo cáo tự đánh giá”.');
    expect(wordRefusal(e.code, e.details, en)).to.equal(
      '“Send the dossier” is not possible yet: tasks not done: “Self-assessment plan”, “Self-assessment report”.',
    );
  });

  it('"returned" without a note blames the missing note, not the tasks of the other branch', () => {
    const r = atChecking();
    const e = refusal(() => advance(p, r.state, { type: 'REVIEW', data: { decision: 'returned' } }, t0, cal));
    expect(e.details.tasks).to.deep.equal([]);
    expect(e.details.fields).to.deep.equal([{ field: 'event.note', rule: 'exists', expected: true }]);
    const words = wordRefusal(e.code, e.details, vi)!;
    expect(words).to.equal('Chưa thể “Kết quả kiểm tra hồ sơ”: “Yêu cầu hoàn thiện” cần được điền.');
    expectNoIds(words);
    // "accepted" with the list unchecked: now the task is what is missing.
    const accepted = refusal(() => advance(p, r.state, { type: 'REVIEW', data: { decision: 'accepted' } }, t0, cal));
    expect(accepted.details.tasks).to.deep.equal(['check_list']);
    expect(wordRefusal(accepted.code, accepted.details, vi)).to.contain('“Đối chiếu danh mục hồ sơ”');
  });

  it('an event the stage does not take names the stage and what it takes now', () => {
    const r = startInstance(p, { unit: { kind: 'primary' } }, t0, cal);
    const e = refusal(() => advance(p, r.state, { type: 'REVIEW', data: { decision: 'accepted' } }, t0, cal));
    expect(e.code).to.equal('STAGE_REJECTS_EVENT');
    const words = wordRefusal(e.code, e.details, vi)!;
    expect(words).to.equal('Bước “Chuẩn bị hồ sơ” không nhận thao tác “Kết quả kiểm tra hồ sơ”. Lúc này có thể: “Gửi hồ sơ”.');
  });

  it('a task done twice says it is done, by its title', () => {
    let r = startInstance(p, { unit: { kind: 'primary' } }, t0, cal);
    r = advance(p, r.state, { type: ENGINE_EVENTS.completeTask, task: 'sa_plan' }, t0, cal);
    const e = refusal(() => advance(p, r.state, { type: ENGINE_EVENTS.completeTask, task: 'sa_plan' }, t0, cal));
    expect(wordRefusal(e.code, e.details, vi)).to.equal('Công việc “Kế hoạch tự đánh giá” đã hoàn thành. Việc đang mở: “Báo cáo tự đánh giá”.');
  });

  it('a form problem names the field by its label and the allowed values by theirs', () => {
    const details = {
      errors: [
        {
          field: 'decision',
          rule: 'enum',
          allowed: ['accepted', 'returned'],
          title: { vi: 'Kết luận', en: 'Decision' },
          allowedTitles: { accepted: { vi: 'Tiếp nhận', en: 'Accepted' }, returned: { vi: 'Trả lại', en: 'Returned' } },
        },
        { field: 'members', rule: 'minimum', limit: 5, title: { vi: 'Số thành viên', en: 'Members' } },
        { field: 'decisionNo', rule: 'required' },
      ],
    };
    const words = wordRefusal('FORM_INVALID', details, { lang: 'vi', fieldLabel: (f) => (f === 'decisionNo' ? 'Số quyết định' : undefined) })!;
    expect(words).to.equal(
      'Thông tin chưa hợp lệ: “Kết luận” phải là một trong: “Tiếp nhận”, “Trả lại”; “Số thành viên” không được nhỏ hơn 5; “Số quyết định” chưa được điền (bắt buộc).',
    );
    expect(wordFieldProblem(details.errors[1]!, vi)).to.equal('không được nhỏ hơn 5');
    expect(wordFieldProblem({ field: 'x', rule: 'type', limit: 'integer' }, en)).to.equal('must be a whole number');
  });

  it('a value a guard wants is named by the title the form gives it', () => {
    const details = {
      event: 'REVIEW',
      fields: [{ field: 'event.decision', rule: 'eq', expected: 'accepted', valueTitles: { accepted: { vi: 'Tiếp nhận', en: 'Accepted' } } }],
      names: { 'event:REVIEW': { vi: 'Kết quả kiểm tra', en: 'Check result' }, 'field:event.decision': { vi: 'Kết luận', en: 'Decision' } },
    };
    expect(wordRefusal('CONDITION_NOT_MET', details, vi)).to.equal('Chưa thể “Kết quả kiểm tra”: “Kết luận” phải là “Tiếp nhận”.');
  });

  it("a guard on the unit's kind names the kinds in words", () => {
    const details = { event: 'SUBMIT', fields: [{ field: 'unit.kind', rule: 'in', expected: ['upper-secondary', 'multi-level'] }] };
    const kinds: Record<string, string> = { 'upper-secondary': 'Trung học phổ thông', 'multi-level': 'Trường phổ thông nhiều cấp học' };
    expect(wordRefusal('CONDITION_NOT_MET', details, { lang: 'vi', kindLabel: (k) => kinds[k] })).to.equal(
      'Chưa thể “submit”: “Loại đơn vị” phải là một trong: “Trung học phổ thông”, “Trường phổ thông nhiều cấp học”.',
    );
  });

  it('an engine event sent by hand is refused in words, by its built-in title', () => {
    expect(wordRefusal('STAGE_REJECTS_EVENT', { type: 'DUE', names: { 'event:DUE': { vi: 'Hết hạn', en: 'Deadline passed' } } }, vi)).to.equal(
      '“Hết hạn” do hệ thống tự gửi; không gửi tay được.',
    );
  });

  it('an id without a title is made readable rather than shown raw', () => {
    const words = wordRefusal('STAGE_REJECTS_EVENT', { event: 'VISIT_DONE', stages: ['external_evaluation'], accepted: [] }, vi)!;
    expect(words).to.equal('Bước “external evaluation” không nhận thao tác “visit done”. Lúc này bước này không nhận thao tác nào.');
  });

  it('every engine code that reaches a person has words in both languages, or is left to the UI table', () => {
    // The UI's own table (ui/src/i18n.ts err_*) words NOT_FOUND, LOGIN_TAKEN, UNIT_CLOSED and RESHAPE_REFUSED.
    const uiTable = new Set(['NOT_FOUND', 'LOGIN_TAKEN', 'UNIT_CLOSED', 'RESHAPE_REFUSED', 'FORBIDDEN']);
    for (const code of Object.keys(ENGINE_STATUS)) {
      if (uiTable.has(code)) continue;
      for (const lang of ['vi', 'en'] as const)
        expect(wordRefusal(code, {}, { lang }), `${code} in ${lang}`)
          .to.be.a('string')
          .and.not.equal('');
    }
  });
});
