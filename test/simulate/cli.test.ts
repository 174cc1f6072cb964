import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { simulate } from './scenarios.test.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/simulate/${name}`, import.meta.url));

describe('tiendo simulate: invalid scenarios exit 1 with located errors', () => {
  it('names unknown keys, values outside an enum and malformed steps, by line and column', async () => {
    const { code, out, err } = await simulate(fixture('malformed.yaml'));
    expect(code).to.equal(1);
    expect(out).to.equal('');
    expect(err).to.match(/malformed\.yaml:7:1: error SCENARIO_INVALID unknown key "colour"; allowed: process, school, start, anchors, steps, until/);
    expect(err).to.match(/malformed\.yaml:3:17: error SCENARIO_INVALID must be one of: ministry, department, district-office/);
    expect(err).to.match(/malformed\.yaml:6:5: error SCENARIO_INVALID each step has "at" and one of: complete, reopen, send/);
  });

  it('refuses steps out of time order and instants without an offset', async () => {
    const { code, err } = await simulate(fixture('out-of-order.yaml'));
    expect(code).to.equal(1);
    expect(err).to.match(/out-of-order\.yaml:6:\d+: error STEP_OUT_OF_ORDER/);
    expect(err).to.match(/out-of-order\.yaml:7:\d+: error BAD_INSTANT .*2022-01-10T09:00:00\+07:00/);
  });

  it("says where a missing process file is named, and relays a process file's own errors", async () => {
    const missing = await simulate(fixture('missing-process.yaml'));
    expect(missing.code).to.equal(1);
    expect(missing.err).to.match(/missing-process\.yaml:2:10: error PROCESS_NOT_FOUND process file "no-such-process.yaml" not found/);
    const invalid = await simulate(fixture('invalid-process.yaml'));
    expect(invalid.code).to.equal(1);
    expect(invalid.err).to.match(/BAD_DATE\.yaml:\d+:\d+: error BAD_DATE "30\/02\/2022" is not a real date/);
  });
});
