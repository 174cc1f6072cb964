// The accreditation process (processes/accreditation-general-school.yaml) as BPMN 2.0, for the
// bpmn-engine peer of the events benchmark. Every event the benchmark sends our engine — a task
// completed, an evidence item ticked, SUBMIT, REGISTER, REVIEW… — is one user task here, so both
// sides make the same number of durable state changes. A stage's tasks and evidence items may be
// done in any order, as in the YAML: a parallel gateway forks them and joins them before the
// stage's leaving event (SUBMIT, REGISTER…). Where the YAML branches there is an exclusive gateway:
// upper-secondary schools register straight with the Sở, a registration may be returned, a school may
// object to the draft report, a school not recognised improves and registers again, a recognised one
// closes or starts its renewal.
//
// What the peer does not do, and ours does (so the comparison favours the peer):
// - no deadlines: no timers, no escalation ladder (ours arms two to four timer rows per stage
//   entry and relays them to the job table);
// - no form validation (ours checks each task's and event's data against its JSON Schema);
// - gateway conditions are plain boolean lookups (`${environment.output.review_district.accepted}`):
//   the client passes `accepted`, `agrees`, `recognized` already decided, where ours evaluates the
//   YAML's guards (`event.decision eq accepted`, `accreditationLevel gte 1 or …`). bpmn-engine's
//   default expressions have no operators; a JavaScript script condition would compile a vm.Script
//   per engine and run it in a new context per evaluation, which would only slow the peer down.

/** A user task of the BPMN model: the event of our sequence it stands for. */
export interface BpmnStep {
  /** The user task's id: what `execution.signal({ id })` names. */
  id: string;
  /** What the signal carries besides the id (becomes the task's output, read by gateways). */
  data?: Record<string, unknown>;
}

/** Tasks that run in parallel inside a stage, then the stage's leaving task. */
interface Stage {
  parallel: string[];
  leave: string;
}

const STAGES = {
  self_assessment: {
    parallel: [
      'council',
      'sa_plan',
      'collect_evidence',
      'rating',
      'sa_report',
      'publish_report',
      'ev_council_decision',
      'ev_evidence_list',
      'ev_signed_report',
    ],
    leave: 'submit_self_assessment',
  },
  improvement_plan: { parallel: ['improvement_actions', 'improvement_commitment'], leave: 'submit_improvement_plan' },
  registration: { parallel: ['request_letter', 'report_copies'], leave: 'register' },
} satisfies Record<string, Stage>;

function parallelStage(name: string, stage: Stage, next: string): { nodes: string[]; flows: [string, string][] } {
  const nodes = [
    `<exclusiveGateway id="enter_${name}" />`,
    `<parallelGateway id="fork_${name}" />`,
    `<parallelGateway id="join_${name}" />`,
    `<userTask id="${stage.leave}" />`,
  ];
  const flows: [string, string][] = [[`enter_${name}`, `fork_${name}`]];
  for (const task of stage.parallel) {
    nodes.push(`<userTask id="${task}" />`);
    flows.push([`fork_${name}`, task], [task, `join_${name}`]);
  }
  flows.push([`join_${name}`, stage.leave], [stage.leave, next]);
  return { nodes, flows };
}

function buildXml(): string {
  const nodes: string[] = ['<startEvent id="start" />', '<endEvent id="closed" />'];
  const flows: [string, string][] = [['start', 'enter_self_assessment']];
  const conditional: string[] = [];
  const add = (part: { nodes: string[]; flows: [string, string][] }) => {
    nodes.push(...part.nodes);
    flows.push(...part.flows);
  };
  add(parallelStage('self_assessment', STAGES.self_assessment, 'enter_improvement_plan'));
  // improvement_plan has no branch; its "enter" gateway merges nothing but keeps the shape uniform.
  add(parallelStage('improvement_plan', STAGES.improvement_plan, 'enter_registration'));
  add(parallelStage('registration', STAGES.registration, 'gw_register'));
  // REGISTER: upper-secondary and multi-level schools go to the Sở, the others to the Phòng.
  nodes.push('<exclusiveGateway id="gw_register" default="to_district" />', '<userTask id="review_district" />', '<userTask id="review_department" />');
  conditional.push(condition('to_department', 'gw_register', 'enter_department', '${environment.variables.registersWithDepartment}'));
  nodes.push('<exclusiveGateway id="enter_district" />', '<exclusiveGateway id="enter_department" />');
  flows.push(['enter_district', 'review_district'], ['enter_department', 'review_department']);
  // REVIEW at the Phòng, then at the Sở: accepted goes on, returned goes back to registration.
  nodes.push(
    '<exclusiveGateway id="gw_review_district" default="district_returns" />',
    '<exclusiveGateway id="gw_review_department" default="department_returns" />',
  );
  flows.push(['review_district', 'gw_review_district'], ['review_department', 'gw_review_department']);
  conditional.push(condition('district_accepts', 'gw_review_district', 'enter_department', '${environment.output.review_district.accepted}'));
  conditional.push(condition('department_accepts', 'gw_review_department', 'appoint_team', '${environment.output.review_department.accepted}'));
  // External evaluation: the team, the desk review (visit date, then SCHEDULE_VISIT), the visits.
  const chain = [
    'appoint_team',
    'appointed',
    'set_visit_date',
    'schedule_visit',
    'school_dossier',
    'preliminary_visit_done',
    'official_visit_done',
    'enter_draft',
    'send_draft',
    'feedback',
    'gw_feedback',
  ];
  for (const id of chain)
    nodes.push(
      id.startsWith('gw_') || id.startsWith('enter_')
        ? `<exclusiveGateway id="${id}"${id === 'gw_feedback' ? ' default="objects"' : ''} />`
        : `<userTask id="${id}" />`,
    );
  for (let i = 1; i < chain.length; i++) flows.push([chain[i - 1]!, chain[i]!]);
  // FEEDBACK: agreement goes to the team's conclusion and the final report, objections back to the draft.
  conditional.push(condition('agrees', 'gw_feedback', 'team_conclusion', '${environment.output.feedback.agrees}'));
  nodes.push('<userTask id="team_conclusion" />');
  flows.push(['team_conclusion', 'submit_final_report']);
  nodes.push('<userTask id="submit_final_report" />', '<userTask id="decide" />', '<exclusiveGateway id="gw_decide" default="not_recognized" />');
  flows.push(['submit_final_report', 'decide'], ['decide', 'gw_decide']);
  conditional.push(condition('recognized', 'gw_decide', 'recognized_close', '${environment.output.decide.recognized}'));
  // Not recognised: improve, then register again.
  nodes.push('<userTask id="remedial_plan" />', '<userTask id="register_again" />');
  flows.push(['remedial_plan', 'register_again'], ['register_again', 'enter_registration']);
  // Recognised: CLOSE ends it; START_RENEWAL starts the self-assessment again.
  nodes.push('<userTask id="recognized_close" />', '<exclusiveGateway id="gw_recognized" default="renewal" />');
  flows.push(['recognized_close', 'gw_recognized']);
  conditional.push(condition('close', 'gw_recognized', 'closed', '${environment.output.recognized_close.close}'));

  // Default flows (named, so the gateways can point at them).
  const named: string[] = [
    flow('to_district', 'gw_register', 'enter_district'),
    flow('district_returns', 'gw_review_district', 'enter_registration'),
    flow('department_returns', 'gw_review_department', 'enter_registration'),
    flow('objects', 'gw_feedback', 'enter_draft'),
    flow('not_recognized', 'gw_decide', 'remedial_plan'),
    flow('renewal', 'gw_recognized', 'enter_self_assessment'),
  ];
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="accreditation_definitions" targetNamespace="urn:tiendo:bench">
  <process id="accreditation_general_school" isExecutable="true">
    ${nodes.join('\n    ')}
    ${flows.map(([from, to], i) => flow(`f${i}`, from, to)).join('\n    ')}
    ${named.join('\n    ')}
    ${conditional.join('\n    ')}
  </process>
</definitions>`;
}

function flow(id: string, from: string, to: string): string {
  return `<sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}" />`;
}

function condition(id: string, from: string, to: string, expression: string): string {
  return `<sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}"><conditionExpression xsi:type="tFormalExpression">${expression}</conditionExpression></sequenceFlow>`;
}

export const ACCREDITATION_BPMN = buildXml();
