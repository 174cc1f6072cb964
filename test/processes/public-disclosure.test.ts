import { expect } from 'chai';
import { compileFile, ProcessDriver } from '../support/process-driver.ts';

const compiled = compileFile('processes/public-disclosure.yaml');

/** Drafted and approved: the report is being published on both channels. */
function approved(kind = 'primary'): ProcessDriver {
  const p = new ProcessDriver(compiled, { kind });
  p.completeAll();
  expect(p.send('SUBMIT')).to.equal(true);
  expect(p.stages).to.deep.equal(['approval']);
  expect(p.send('DECISION', { decision: 'approved' })).to.equal(true);
  expect(p.active).to.deep.equal(['publication', 'website_posting', 'board_posting']);
  return p;
}

function published(kind = 'primary'): ProcessDriver {
  const p = approved(kind);
  p.complete('post_on_website', { url: 'https://th-anhoa.edu.vn/cong-khai/2025' });
  p.complete('post_on_board');
  expect(p.stages).to.deep.equal(['published']);
  return p;
}

describe('process: public-disclosure (TT 09/2024, formerly TT 36/2017)', () => {
  it('counts the annual deadline as "before 30/6" and updates as 10 working days from the day of the change', () => {
    expect(compiled.version).to.equal(2);
    expect(compiled.stages.publication!.due).to.deep.equal({ from: 'anchor', anchor: 'report_deadline', unit: 'days', amount: -1, rollForward: false });
    expect(compiled.stages.update!.due).to.deep.equal({
      from: 'choice',
      choices: [
        {
          when: { not: { field: 'anchors.report_deadline', before: '2024-09-01' } },
          rule: { from: 'anchor', anchor: 'change_day', unit: 'workingDays', amount: 10, rollForward: true },
        },
      ],
    });
    expect(compiled.anchors.report_deadline!.relative).to.deep.equal({ schoolYear: '06-30' });
  });

  it('posts on the notice board for 30 days only under TT 36/2017 (school years before 2024–2025)', () => {
    const old = new ProcessDriver(compiled, { kind: 'primary' }, { report_deadline: '2024-06-30' });
    old.completeAll();
    old.send('SUBMIT');
    old.send('DECISION', { decision: 'approved' });
    expect(old.task('board_thirty_days')?.status).to.equal('open');
    const now = approved();
    expect(now.task('board_thirty_days')?.status).to.equal('skipped');
  });

  it('runs the next year in the same instance, with the deadline asked again', () => {
    const p = published();
    expect(p.send('NEXT_YEAR', { reportDeadline: '2027-06-30' })).to.equal(true);
    expect(p.stages).to.deep.equal(['drafting']);
    expect(p.task('draft_report')?.status).to.equal('open');
    expect((p.snapshot.context as { anchors: Record<string, string> }).anchors.report_deadline).to.equal('2027-06-30');
    p.completeAll();
    p.send('SUBMIT');
    p.send('DECISION', { decision: 'approved' });
    p.completeAll();
    expect(p.stages).to.deep.equal(['published']);
    p.send('CLOSE');
    expect(p.stages).to.deep.equal(['superseded']);
    expect(p.status).to.equal('done');
  });

  it('drafts, approves, publishes on the website and the notice board, handles a change, passes the check', () => {
    const p = approved();
    p.complete('post_on_website', { url: 'https://th-anhoa.edu.vn/cong-khai/2025' });
    expect(p.stages, 'the notice board is still to do').to.deep.equal(['website_posted', 'board_posting']);
    p.complete('post_on_board');
    expect(p.stages).to.deep.equal(['published']);

    expect(p.send('CHANGE', { changedOn: '2025-09-05', what: 'Thay đổi hiệu trưởng' })).to.equal(true);
    expect(p.active).to.deep.equal(['update', 'revise_content']);
    expect((p.snapshot.context as { anchors: Record<string, string> }).anchors.change_day).to.equal('2025-09-05');
    p.complete('describe_change', { what: 'Thay đổi hiệu trưởng' });
    p.send('REVISED');
    p.completeAll();
    p.send('REPOSTED');
    expect(p.stages).to.deep.equal(['published']);

    p.send('CHECK');
    expect(p.stages).to.deep.equal(['compliance_check']);
    p.complete('verify_postings', { onWebsite: true, onNoticeBoard: true, onTime: true });
    p.send('CHECKED', { result: 'compliant' });
    expect(p.stages).to.deep.equal(['published']);
    p.send('CLOSE');
    expect(p.stages).to.deep.equal(['superseded']);
    expect(p.status).to.equal('done');
  });

  it('sends a returned draft back to drafting', () => {
    const p = new ProcessDriver(compiled, { kind: 'upper-secondary' });
    p.completeAll();
    p.send('SUBMIT');
    p.send('DECISION', { decision: 'returned', note: 'Bổ sung số liệu tài chính' });
    expect(p.stages).to.deep.equal(['drafting']);
    expect(p.task('draft_report')?.status).to.equal('open');
    expect(p.send('SUBMIT'), 'the draft must be redone').to.equal(false);
  });

  it('moves a unit that misses 30/6 to late publication, then back to published', () => {
    const p = approved('preschool');
    p.complete('post_on_website', { url: 'https://mn-hoahong.edu.vn' });
    expect(p.due('website_posting'), 'tracks have no deadline of their own').to.equal(false);
    expect(p.due('publication')).to.equal(true);
    expect(p.stages).to.deep.equal(['late_publication']);
    expect(p.send('SUBMIT')).to.equal(false);
    p.complete('publish_late', { reason: 'Chưa có trang thông tin điện tử' });
    p.send('SUBMIT');
    expect(p.stages).to.deep.equal(['published']);
  });

  it('lists a late or incomplete unit after the check, and re-checks after remedy', () => {
    const p = published('lower-secondary');
    p.send('CHECK');
    expect(p.send('CHECKED', { result: 'late' }), 'the postings were not verified yet').to.equal(false);
    p.complete('verify_postings', { onWebsite: true, onNoticeBoard: false, onTime: false });
    p.send('CHECKED', { result: 'incomplete' });
    expect(p.stages).to.deep.equal(['remediation']);
    p.completeAll();
    p.send('SUBMIT');
    expect(p.stages).to.deep.equal(['compliance_check']);
    expect(p.task('verify_postings')?.status, 'a fresh check').to.equal('open');
  });

  it('will not finish an update before the website and the notice board are both updated', () => {
    const p = published();
    p.send('CHANGE', { changedOn: '2025-08-20' });
    p.complete('describe_change', { what: 'Học phí' });
    p.send('REVISED');
    p.complete('update_website');
    expect(p.send('REPOSTED')).to.equal(false);
    expect(p.active).to.deep.equal(['update', 'repost']);
  });
});
