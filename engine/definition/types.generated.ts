// Generated from engine/definition/schema.json by `npm run gen:types`. Do not edit by hand.

/**
 * ministry = Bộ GDĐT (above the Sở, where a deployment keeps one); department = Sở GDĐT; district-office = Phòng GDĐT; commune = UBND cấp xã (after 1/7/2025); multi-level = trường phổ thông nhiều cấp học; continuing-education = Trung tâm GDNN-GDTX.
 *
 * This interface was referenced by `ProcessDefinition`'s JSON-Schema
 * via the `definition` "OrgUnitKind".
 */
export type OrgUnitKind =
  | 'ministry'
  | 'department'
  | 'district-office'
  | 'commune'
  | 'preschool'
  | 'primary'
  | 'lower-secondary'
  | 'upper-secondary'
  | 'multi-level'
  | 'continuing-education';
/**
 * A calendar date in Vietnamese time: 2022-01-24 or 24/01/2022.
 *
 * This interface was referenced by `ProcessDefinition`'s JSON-Schema
 * via the `definition` "CalendarDate".
 */
export type CalendarDate = string;
/**
 * A month and day, MM-DD (e.g. 06-30).
 *
 * This interface was referenced by `ProcessDefinition`'s JSON-Schema
 * via the `definition` "MonthDay".
 */
export type MonthDay = string;
/**
 * snake_case identifier
 *
 * This interface was referenced by `ProcessDefinition`'s JSON-Schema
 * via the `definition` "Name".
 */
export type Name = string;
/**
 * A date written YYYY-MM-DD.
 *
 * This interface was referenced by `ProcessDefinition`'s JSON-Schema
 * via the `definition` "IsoDate".
 */
export type IsoDate = string;
/**
 * A target stage name, one transition, or a list of guarded transitions tried in order (the first whose condition holds is taken).
 *
 * This interface was referenced by `ProcessDefinition`'s JSON-Schema
 * via the `definition` "TransitionSpec".
 */
export type TransitionSpec = Name | Transition | (Name | Transition)[];
/**
 * UPPER_CASE event name
 *
 * This interface was referenced by `ProcessDefinition`'s JSON-Schema
 * via the `definition` "EventName".
 */
export type EventName = string;

/**
 * A Tiến độ process definition: one recurring, deadline-driven process of the education sector (accreditation, exam preparation, disclosure, reporting…), run once per org unit.
 */
export interface ProcessDefinition {
  /**
   * Optional pointer to this schema, for editors.
   */
  $schema?: string;
  /**
   * Stable identifier of the process, kebab-case (e.g. accreditation-general-school). Versions share it.
   */
  id: string;
  /**
   * Version number; a published version never changes. At most 2147483647: the stores keep it in a 32-bit integer column.
   */
  version: number;
  title: Text;
  description?: Text;
  /**
   * The documents the process implements (căn cứ pháp lý), e.g. "Thông tư 18/2018/TT-BGDĐT".
   *
   * @minItems 1
   */
  legalBasis: string[];
  /**
   * Kinds of org unit an instance of this process runs for.
   *
   * @minItems 1
   */
  appliesTo: OrgUnitKind[];
  /**
   * Working-day calendar deadlines are counted in (a folder under processes/calendars), normally vn-government.
   */
  calendar: string;
  /**
   * Extra actor roles beyond the built-in school (the instance's own unit), district (its parent unit: Phòng GDĐT, or the Sở for units that report to it directly) and department (the Sở above it).
   */
  roles?: {
    [k: string]: Role;
  };
  /**
   * Dates the process learns while it runs (e.g. the external-evaluation visit); deadlines can be counted from them and move when they change.
   */
  anchors?: {
    [k: string]: Anchor;
  };
  /**
   * Lists of unit codes the process is given when it starts (danh sách đơn vị: a sample the Ministry chose); a fan-out can open work for the units of a list.
   */
  lists?: {
    [k: string]: UnitList;
  };
  /**
   * The events stages accept: each with its title (what its button and its history line say; the linter warns without one, and refuses one in the shipped library) and, when it carries data, the form of that data. DUE and CHILDREN_DONE have built-in titles.
   */
  events?: {
    [k: string]: EventDeclaration;
  };
  initial: Name;
  stages: StageMap;
}
/**
 * A label in Vietnamese (shown by default) and English.
 *
 * This interface was referenced by `ProcessDefinition`'s JSON-Schema
 * via the `definition` "Text".
 */
export interface Text {
  vi: string;
  en: string;
}
/**
 * This interface was referenced by `ProcessDefinition`'s JSON-Schema
 * via the `definition` "Role".
 */
export interface Role {
  title: Text;
  /**
   * Which org unit holds the role, relative to the instance's unit: self, parent (one level up), department (the nearest Sở at or above), ministry (the Bộ above, where the tree has one); or, pointing down, for a ladder's notify only: children (the units directly below) or descendants (the whole subtree), of `kinds` when given.
   */
  unit: 'self' | 'parent' | 'department' | 'ministry' | 'children' | 'descendants';
  /**
   * For a role pointing down: only units of these kinds (the schools, not the Phòng).
   *
   * @minItems 1
   */
  kinds?: OrgUnitKind[];
}
/**
 * This interface was referenced by `ProcessDefinition`'s JSON-Schema
 * via the `definition` "Anchor".
 */
export interface Anchor {
  title: Text;
  /**
   * A fixed date, or one relative to the instance, resolved when it starts: { schoolYear: "06-30" } (that day of the school year, 1 September → 31 August, the start falls in), { year: "10-31" } (that day of the start's calendar year), or { fromStart: { days: 30 } }.
   */
  default?: CalendarDate | RelativeDate;
}
/**
 * A date counted from the instance's start: exactly one of schoolYear, year, fromStart.
 *
 * This interface was referenced by `ProcessDefinition`'s JSON-Schema
 * via the `definition` "RelativeDate".
 */
export interface RelativeDate {
  schoolYear?: MonthDay;
  year?: MonthDay;
  fromStart?: Duration;
}
/**
 * Exactly one of workingDays, days, months, years.
 *
 * This interface was referenced by `ProcessDefinition`'s JSON-Schema
 * via the `definition` "Duration".
 */
export interface Duration {
  /**
   * Vietnamese working days (ngày làm việc); the first day is not counted.
   */
  workingDays?: number;
  /**
   * Calendar days.
   */
  days?: number;
  months?: number;
  years?: number;
}
/**
 * This interface was referenced by `ProcessDefinition`'s JSON-Schema
 * via the `definition` "UnitList".
 */
export interface UnitList {
  title: Text;
}
/**
 * This interface was referenced by `ProcessDefinition`'s JSON-Schema
 * via the `definition` "EventDeclaration".
 */
export interface EventDeclaration {
  title?: Text;
  form?: Form;
}
/**
 * A JSON Schema (object) of the data submitted, with bilingual field titles.
 *
 * This interface was referenced by `ProcessDefinition`'s JSON-Schema
 * via the `definition` "Form".
 */
export interface Form {
  type?: 'object';
  properties: {
    [k: string]: FormField;
  };
  required?: string[];
}
/**
 * This interface was referenced by `ProcessDefinition`'s JSON-Schema
 * via the `definition` "FormField".
 */
export interface FormField {
  type: 'string' | 'integer' | 'number' | 'boolean' | 'array';
  title?: Text;
  description?: Text;
  /**
   * @minItems 1
   */
  enum?: (string | number | boolean)[];
  enumTitles?: EnumTitles;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: 'date' | 'date-time' | 'email' | 'uri';
  items?: {
    type: 'string' | 'integer' | 'number' | 'boolean';
    /**
     * @minItems 1
     */
    enum?: (string | number | boolean)[];
    enumTitles?: EnumTitles;
  };
  minItems?: number;
  maxItems?: number;
}
/**
 * What each allowed value is called on screen, keyed by the value written as text (true, 2, "both" → "both"); the value submitted stays the value.
 *
 * This interface was referenced by `ProcessDefinition`'s JSON-Schema
 * via the `definition` "EnumTitles".
 */
export interface EnumTitles {
  [k: string]: Text;
}
/**
 * This interface was referenced by `ProcessDefinition`'s JSON-Schema
 * via the `definition` "StageMap".
 */
export interface StageMap {
  [k: string]: Stage;
}
/**
 * This interface was referenced by `ProcessDefinition`'s JSON-Schema
 * via the `definition` "Stage".
 */
export interface Stage {
  title: Text;
  description?: Text;
  /**
   * final: the process (or the enclosing sub-process/track) ends here. parallel: the stage runs its tracks at once. A stage with nested stages is a sub-process.
   */
  type?: 'final' | 'parallel';
  owner?: Name;
  legalBasis?: string[];
  /**
   * When the stage is due: one rule, or a list of rules each with a `when` (the first whose condition holds at entry applies; one without `when` is the default and comes last).
   */
  due?: Due | Due[];
  /**
   * The escalation ladder, relative to the due moment: reminders before it, overdue at it, escalation up the tree after it.
   */
  escalate?: EscalationStep[];
  tasks?: Task[];
  /**
   * Evidence checklist (minh chứng): every required item must be checked before the stage can be left.
   */
  evidence?: EvidenceItem[];
  /**
   * Transitions on named events. DUE is sent by the engine when the stage's due moment passes.
   */
  on?: {
    [k: string]: TransitionSpec;
  };
  always?: TransitionSpec;
  done?: TransitionSpec;
  initial?: Name;
  stages?: StageMap;
  fanOut?: FanOut;
  /**
   * For a parallel stage: tracks that run at once, each a small sub-process.
   */
  tracks?: {
    [k: string]: Track;
  };
  /**
   * Anchors cleared on each entry into the stage, so they are asked again (a cycle that comes round); deadlines counting from them wait until they are set again.
   *
   * @minItems 1
   */
  resetAnchors?: Name[];
}
/**
 * When the stage is due: { workingDays: 20 } from entering it; { days: 30 }; { date: 24/01/2022 }; { anchor: visit_date, workingDays: -10 }; { anchor: recognized_on, years: 1, every: { years: 1 } } for a yearly one.
 *
 * This interface was referenced by `ProcessDefinition`'s JSON-Schema
 * via the `definition` "Due".
 */
export interface Due {
  workingDays?: number;
  days?: number;
  months?: number;
  years?: number;
  date?: CalendarDate;
  anchor?: Name;
  /**
   * If the last day is not a working day, end at the close of the next working day (Civil Code Art. 148). Default: true for counted periods, false for a fixed date.
   */
  rollForward?: boolean;
  /**
   * When the last day is not a working day: forward (the next working day, Civil Code Art. 148), back (the working day before: for "no later than … before" limits) or none. Default: back for a negative period from an anchor, none for a fixed date, forward otherwise.
   */
  roll?: 'forward' | 'back' | 'none';
  /**
   * A repeating deadline: the stage's n-th entry in the instance is due at the first due day + (n − 1) × every. Needs an anchor or a date.
   */
  every?: Duration;
  /**
   * In a list of rules: this rule applies when the condition holds on entering the stage.
   */
  when?: Condition;
}
/**
 * A declarative guard: { tasksDone: all }, { field: event.level, gte: 2 }, { field: anchors.school_year_end, before: "2025-06-30" }, { field: event.a, lte: { field: event.b } }, { anchorSet: visit_date }, or all/any/not of conditions.
 *
 * This interface was referenced by `ProcessDefinition`'s JSON-Schema
 * via the `definition` "Condition".
 */
export interface Condition {
  /**
   * all (every required task of the stage) or a list of task ids.
   */
  tasksDone?: 'all' | Name[];
  anchorSet?: Name;
  /**
   * event.<field> (the event's data), events.<EVENT>.<field> (the last accepted EVENT's data), <task>.<field> (a task's form data), anchors.<name> (an anchor's date), cycle.<stage> (which entry of the stage this is: 1, 2, …), unit.kind / unit.levels, children.total|done|pending (a fan-out's children) or rollup.<name>.count|sum|min|max.
   */
  field?: string;
  eq?: unknown;
  ne?: unknown;
  gt?: number | FieldRef;
  gte?: number | FieldRef;
  lt?: number | FieldRef;
  lte?: number | FieldRef;
  /**
   * The field's date is before this one (ISO dates compared as text).
   */
  before?: IsoDate | FieldRef;
  /**
   * The field's date is this one or later.
   */
  onOrAfter?: IsoDate | FieldRef;
  /**
   * @minItems 1
   */
  in?: unknown[];
  /**
   * @minItems 1
   */
  notIn?: unknown[];
  contains?: unknown;
  exists?: boolean;
  /**
   * @minItems 1
   */
  all?: Condition[];
  /**
   * @minItems 1
   */
  any?: Condition[];
  not?: Condition;
}
/**
 * Another field to compare with, instead of a literal.
 *
 * This interface was referenced by `ProcessDefinition`'s JSON-Schema
 * via the `definition` "FieldRef".
 */
export interface FieldRef {
  field: string;
}
/**
 * This interface was referenced by `ProcessDefinition`'s JSON-Schema
 * via the `definition` "EscalationStep".
 */
export interface EscalationStep {
  at: Duration;
  kind: 'reminder' | 'overdue' | 'escalation';
  /**
   * Role(s) to notify; owner means the stage's owner.
   */
  notify: string | string[];
  message?: Text;
}
/**
 * This interface was referenced by `ProcessDefinition`'s JSON-Schema
 * via the `definition` "Task".
 */
export interface Task {
  id: Name;
  title: Text;
  description?: Text;
  owner?: Name;
  /**
   * Whether { tasksDone: all } waits for it. Default true.
   */
  required?: boolean;
  when?: Condition;
  form?: Form;
  /**
   * Form fields filled in beforehand from what the units below answered: { schools: rollup.schools.sum, reported: children.done }. The person still checks and submits them.
   */
  prefill?: {
    [k: string]: string;
  };
}
/**
 * This interface was referenced by `ProcessDefinition`'s JSON-Schema
 * via the `definition` "EvidenceItem".
 */
export interface EvidenceItem {
  id: Name;
  title: Text;
  /**
   * Default true.
   */
  required?: boolean;
}
/**
 * This interface was referenced by `ProcessDefinition`'s JSON-Schema
 * via the `definition` "Transition".
 */
export interface Transition {
  target: Name;
  when?: Condition;
  title?: Text;
  /**
   * Leave without the evidence checklist being complete (e.g. a return for completion).
   */
  ignoreEvidence?: boolean;
  /**
   * Anchors set when the transition is taken, each from a date field: event.<field> or <task>.<field> (e.g. change_day: event.changedOn). Deadlines counting from them re-arm.
   */
  setAnchors?: {
    [k: string]: string;
  };
}
/**
 * Work the stage opens for units below the instance's unit (giao việc cho đơn vị cấp dưới): one child instance of `process` per unit chosen; the stage then waits for them (CHILDREN_DONE when `wait` is met; DUE at the cut-off).
 *
 * This interface was referenced by `ProcessDefinition`'s JSON-Schema
 * via the `definition` "FanOut".
 */
export interface FanOut {
  units: UnitSelection;
  /**
   * The id of the child process (its latest published version when the stage is entered).
   */
  process: string;
  wait?: Wait;
  /**
   * Stages of the child process where a unit has done its part (its report filed, only the office's check left): a child in one of them counts as answered for `wait` and is not late. Default: only a finished child has.
   *
   * @minItems 1
   */
  reported?: Name[];
  /**
   * Anchor dates each child starts with, from the parent's: { <child's anchor>: <parent's anchor> } — a round's cut-off passed down.
   */
  anchors?: {
    [k: string]: Name;
  };
  /**
   * Figures added up from the children's completed tasks (tổng hợp): guards read rollup.<name>.count|sum|min|max.
   */
  rollup?: {
    [k: string]: Rollup;
  };
}
/**
 * Which units below get the work: every filter given applies; `ids` and `list` add named units to those `kinds` and `levels` choose.
 *
 * This interface was referenced by `ProcessDefinition`'s JSON-Schema
 * via the `definition` "UnitSelection".
 */
export interface UnitSelection {
  /**
   * @minItems 1
   */
  kinds?: OrgUnitKind[];
  /**
   * Units whose levels include any of these (a Phòng managing primary schools).
   *
   * @minItems 1
   */
  levels?: string[];
  /**
   * Unit codes named one by one (two special schools a letter names).
   *
   * @minItems 1
   */
  ids?: string[];
  list?: Name;
  /**
   * children (default): the units directly under the instance's unit; descendants: the whole subtree.
   */
  depth?: 'children' | 'descendants';
}
/**
 * When the stage has what it waits for: all children finished (default), a share of them (quorum: 0.9) or a number (count: 3). Whichever comes first, that or the stage's due moment (the cut-off).
 *
 * This interface was referenced by `ProcessDefinition`'s JSON-Schema
 * via the `definition` "Wait".
 */
export interface Wait {
  all?: true;
  quorum?: number;
  count?: number;
}
/**
 * This interface was referenced by `ProcessDefinition`'s JSON-Schema
 * via the `definition` "Rollup".
 */
export interface Rollup {
  task: Name;
  field: string;
  title?: Text;
}
/**
 * This interface was referenced by `ProcessDefinition`'s JSON-Schema
 * via the `definition` "Track".
 */
export interface Track {
  title?: Text;
  initial: Name;
  stages: StageMap;
}
