import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulate } from './scenarios.test.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/simulate/${name}`, import.meta.url));

/** Exit 1, nothing on stdout, and no stack trace: every line of stderr a located error. */
function refused(r: { code: number; out: string; err: string }): string[] {
  expect(r.code).to.equal(1);
  expect(r.out).to.equal('');
  expect(r.err).to.not.match(/^\s+at /m);
  expect(r.err).to.not.match(/EngineError|Error:/);
  const lines = r.err.trimEnd().split('\n');
  for (const line of lines) expect(line).to.match(/^[^:]+\.yaml:\d+:\d+: error [A-Z_]+ /);
  return lines;
}

describe('tiendo simulate: invalid scenarios exit 1 with located errors', () => {
  it('names unknown keys, values outside an enum and malformed steps, by line and column (Vietnamese by default)', async () => {
    const err = refused(await simulate(fixture('malformed.yaml'))).join('\n');
    expect(err).to.match(/malformed\.yaml:3:17: error SCENARIO_INVALID phải là một trong: ministry, department, district-office/);
    expect(err).to.match(/malformed\.yaml:6:5: error SCENARIO_INVALID mỗi bước có "at" và một trong: complete, reopen, send/);
    expect(err).to.match(
      /malformed\.yaml:7:1: error SCENARIO_INVALID khóa "colour" không hợp lệ; các khóa được phép: process, school, start, anchors, steps, until/,
    );
  });

  it('--lang en says the same in English', async () => {
    const err = refused(await simulate(fixture('malformed.yaml'), '--lang', 'en')).join('\n');
    expect(err).to.match(/malformed\.yaml:7:1: error SCENARIO_INVALID unknown key "colour"; allowed: process, school, start, anchors, steps, until/);
    expect(err).to.match(/malformed\.yaml:3:17: error SCENARIO_INVALID must be one of: ministry, department, district-office/);
    expect(err).to.match(/malformed\.yaml:6:5: error SCENARIO_INVALID each step has "at" and one of: complete, reopen, send/);
  });

  it('refuses steps out of time order and instants without an offset', async () => {
    const err = refused(await simulate(fixture('out-of-order.yaml'), '--lang', 'en')).join('\n');
    expect(err).to.match(/out-of-order\.yaml:6:\d+: error STEP_OUT_OF_ORDER/);
    expect(err).to.match(/out-of-order\.yaml:7:\d+: error BAD_INSTANT .*2022-01-10T09:00:00\+07:00/);
  });

  it("says where a missing process file is named, and relays a process file's own errors", async () => {
    const missing = await simulate(fixture('missing-process.yaml'));
    expect(refused(missing)[0]).to.match(/missing-process\.yaml:2:10: error PROCESS_NOT_FOUND không có tệp quy trình "no-such-process.yaml"/);
    const missingEn = await simulate(fixture('missing-process.yaml'), '--lang', 'en');
    expect(missingEn.err).to.match(/missing-process\.yaml:2:10: error PROCESS_NOT_FOUND process file "no-such-process.yaml" not found/);
    const invalid = await simulate(fixture('invalid-process.yaml'));
    expect(invalid.code).to.equal(1);
    expect(invalid.err).to.match(/BAD_DATE\.yaml:\d+:\d+: error BAD_DATE "30\/02\/2022" is not a real date/);
  });

  it('refuses --lang other than vi or en as a usage error', async () => {
    const r = await simulate(fixture('tree-district.yaml'), '--lang', 'fr');
    expect(r.code).to.equal(2);
    expect(r.err).to.match(/--lang is vi or en/);
  });
});

describe('tiendo simulate: what the engine refuses at start is said at the scenario line that caused it', () => {
  it('an unknown anchor: at its key in "anchors"', async () => {
    const [line] = refused(await simulate(fixture('start-unknown-anchor.yaml')));
    expect(line).to.equal(
      'test/fixtures/simulate/start-unknown-anchor.yaml:7:3: error UNKNOWN_ANCHOR quy trình sim-school-report không có mốc "visit_day"; các mốc: meeting',
    );
    const [en] = refused(await simulate(fixture('start-unknown-anchor.yaml'), '--lang', 'en'));
    expect(en).to.equal('test/fixtures/simulate/start-unknown-anchor.yaml:7:3: error UNKNOWN_ANCHOR unknown anchor "visit_day"; anchors are: meeting');
  });

  it('dates that do not exist (30 February, 31 April): each at its value, all at once', async () => {
    const lines = refused(await simulate(fixture('start-bad-date.yaml')));
    expect(lines).to.have.length(2);
    expect(lines[0]).to.match(/^test\/fixtures\/simulate\/start-bad-date\.yaml:6:12: error BAD_DATE "2022-02-30" không phải một ngày có thật/);
    expect(lines[1]).to.match(/^test\/fixtures\/simulate\/start-bad-date\.yaml:7:10: error BAD_DATE "31\/04\/2022" không phải một ngày có thật/);
    const en = refused(await simulate(fixture('start-bad-date.yaml'), '--lang', 'en'));
    expect(en[0]).to.match(/start-bad-date\.yaml:6:12: error BAD_DATE No such date: "2022-02-30"/);
  });

  it("a unit kind the process does not apply to: at the school's kind, or the main unit's kind in a tree", async () => {
    const [school] = refused(await simulate(fixture('start-not-applicable.yaml')));
    expect(school).to.match(
      /^test\/fixtures\/simulate\/start-not-applicable\.yaml:3:17: error NOT_APPLICABLE quy trình sim-school-report áp dụng cho Tiểu học \(primary\), THCS/,
    );
    expect(school).to.include('là Sở GDĐT (department)');
    const [tree] = refused(await simulate(fixture('tree-not-applicable.yaml'), '--lang', 'en'));
    expect(tree).to.equal(
      'test/fixtures/simulate/tree-not-applicable.yaml:6:24: error NOT_APPLICABLE sim-school-report applies to primary, lower-secondary, upper-secondary; unit "pgd-a" is a district-office',
    );
  });

  it('units that cannot sit where they are declared, by the placement rule of the Organisation', async () => {
    const lines = refused(await simulate(fixture('tree-placement.yaml'), '--lang', 'en'));
    const at = (code: string) => lines.filter((l) => l.includes(` error ${code} `)).map((l) => l.split(': error')[0]!.replace(/^.*\.yaml:/, ''));
    expect(at('BAD_PARENT_KIND')).to.deep.equal(['8:49', '9:23']);
    expect(at('SCHOOL_UNDER_SCHOOL')).to.deep.equal(['11:40']);
    expect(at('UNKNOWN_PARENT')).to.deep.equal(['12:40']);
    expect(at('DUPLICATE_UNIT')).to.deep.equal(['13:11']);
    expect(at('UNKNOWN_UNIT')).to.deep.equal(['14:7']);
    expect(lines.join('\n')).to.include('a district-office ("pgd-a") cannot be under a ministry ("bo"); it may be under: department');
    expect(lines.join('\n')).to.include('a commune ("xa-1") needs a parent unit ("parent"); it may be under: department');
    const vi = refused(await simulate(fixture('tree-placement.yaml'))).join('\n');
    expect(vi).to.include('error SCHOOL_UNDER_SCHOOL trường "th-2" (Tiểu học) không thể trực thuộc trường "th-1" (Tiểu học)');
  });

  it("a step's or a list's unit the scenario does not declare; a step aimed at a unit with no instance of the run", async () => {
    const lines = refused(await simulate(fixture('tree-step-unit.yaml')));
    expect(lines).to.deep.equal([
      'test/fixtures/simulate/tree-step-unit.yaml:7:25: error UNKNOWN_UNIT không có đơn vị "th-7" trong kịch bản; các đơn vị: so, th-1',
      'test/fixtures/simulate/tree-step-unit.yaml:10:44: error UNKNOWN_UNIT không có đơn vị "th-8" trong kịch bản; các đơn vị: so, th-1',
    ]);
    const [none] = refused(await simulate(fixture('tree-no-instance.yaml'), '--lang', 'en'));
    expect(none).to.equal(
      'test/fixtures/simulate/tree-no-instance.yaml:11:44: error NO_INSTANCE unit "th-2" has no instance of this run at 2022-03-09T09:00:00+07:00',
    );
  });

  it('a list the process does not take: at its key in "lists"', async () => {
    const [vi] = refused(await simulate(fixture('fan-out-unknown-list.yaml')));
    expect(vi).to.equal(
      'test/fixtures/simulate/fan-out-unknown-list.yaml:9:3: error UNKNOWN_LIST quy trình sim-sample-survey không nhận danh sách "samples"; các danh sách: sample',
    );
    const [en] = refused(await simulate(fixture('fan-out-unknown-list.yaml'), '--lang', 'en'));
    expect(en).to.equal('test/fixtures/simulate/fan-out-unknown-list.yaml:9:3: error UNKNOWN_LIST unknown list "samples"; lists are: sample');
  });

  it('a child process the scenario does not publish: at the line naming the process that opens it', async () => {
    const [line] = refused(await simulate(fixture('fan-out-child-missing.yaml'), '--lang', 'en'));
    expect(line).to.equal(
      'test/fixtures/simulate/fan-out-child-missing.yaml:3:10: error CHILD_PROCESS_MISSING sim-so-collect opens work for the units below with "sim-unit-report", which is not published: add its file to "processes"',
    );
  });

  it('a school and a tree at once', async () => {
    const [line] = refused(await simulate(fixture('tree-school-and-units.yaml'), '--lang', 'en'));
    expect(line).to.equal(
      'test/fixtures/simulate/tree-school-and-units.yaml:4:1: error SCENARIO_INVALID give "school" (one school) or "units" (a tree), not both',
    );
  });
});

describe('tiendo simulate: files that are not scenarios', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tiendo-sim-'));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('an empty file, a list, a key twice: said of a scenario, in Vietnamese', async () => {
    expect(refused(await simulate(write('empty.yaml', '# nothing\n')))[0]).to.equal(
      `${dir}/empty.yaml:1:1: error EMPTY_FILE tệp kịch bản trống; một kịch bản có các khóa process, school | units + unit, start, steps`,
    );
    expect(refused(await simulate(write('list.yaml', '- a\n'), '--lang', 'en'))[0]).to.match(
      /list\.yaml:1:1: error ROOT_NOT_MAPPING a scenario is a mapping of keys/,
    );
    expect(refused(await simulate(write('twice.yaml', 'process: a\nprocess: b\n')))[0]).to.match(
      /twice\.yaml:2:1: error DUPLICATE_KEY khóa "process" xuất hiện hai lần/,
    );
  });

  it('a second process file with the id and version of another but other content: at the line naming it', async () => {
    const report = fileURLToPath(new URL('../fixtures/simulate/processes/school-report.yaml', import.meta.url));
    write('other.yaml', readFileSync(report, 'utf8').replace('minimum: 1', 'minimum: 2'));
    const file = write(
      'clash.yaml',
      `process: other.yaml\nprocesses: [${JSON.stringify(report)}]\nschool: { kind: primary }\nstart: 2022-03-07T08:00:00+07:00\n`,
    );
    const [line] = refused(await simulate(file, '--lang', 'en'));
    expect(line).to.match(
      /clash\.yaml:1:10: error DEFINITION_EXISTS process file "other\.yaml" cannot be published: sim-school-report version 1 is already published/,
    );
  });

  it('a process file past its size limit (/dev/zero) is refused at the line naming it, not read', async () => {
    const file = write('zero.yaml', 'process: a.yaml\nprocesses: [/dev/zero]\nschool: { kind: primary }\nstart: 2022-03-07T08:00:00+07:00\n');
    const [line] = refused(await simulate(file, '--lang', 'en'));
    expect(line).to.equal(`${file}:2:13: error FILE_TOO_LARGE process file "/dev/zero" is larger than 1048576 bytes`);
  });
});
