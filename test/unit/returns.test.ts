// What counts as a returned dossier, on the shipped processes: a reviewer above sending the work back
// down to an earlier stage — not a renewal, a new year's round, nor a correction sent back up.
import { expect } from 'chai';
import type { OrgUnit } from '../../engine/domain.ts';
import { isReturn } from '../../engine/service/returns.ts';
import { compileFile } from '../support/process-driver.ts';

const unit = (id: string, kind: OrgUnit['kind'], path: string): OrgUnit => ({ id, kind, name: id, path, depth: path.split('/').length - 2, createdAt: 0 });
const SO = unit('so', 'department', '/so/');
const PGD = unit('pgd', 'district-office', '/so/pgd/');
const TH = unit('th', 'primary', '/so/pgd/th/');
const chain = [TH, PGD, SO];
const file = (id: string) => new URL(`../../processes/${id}.yaml`, import.meta.url).pathname;

describe('returns (trả lại)', () => {
  it('the Phòng’s and the Sở’s checks sending a primary school’s registration back are returns', () => {
    const primary = compileFile(file('accreditation-primary'));
    expect(isReturn(primary, 'district_review', 'registration', chain)).to.equal(true);
    expect(isReturn(primary, 'department_review', 'registration', chain)).to.equal(true);
  });

  it('going back by the school’s own hand, or forward, is not', () => {
    const primary = compileFile(file('accreditation-primary'));
    expect(Object.keys(primary.stages)).to.include.members(['improvement', 'recognized', 'registration', 'self_assessment', 'district_review']);
    expect(isReturn(primary, 'improvement', 'registration', chain), 'registering again').to.equal(false);
    expect(isReturn(primary, 'recognized', 'self_assessment', chain), 'a renewal').to.equal(false);
    expect(isReturn(primary, 'registration', 'district_review', chain), 'submitting').to.equal(false);
    const disclosure = compileFile(file('public-disclosure'));
    expect(isReturn(disclosure, 'published', 'drafting', chain), 'next year').to.equal(false);
  });

  it('a correction sent back up for a new check is not a return to the checker', () => {
    const stats = compileFile(file('statistics-report-unit'));
    expect(stats.stages.correction!.tasks.length + stats.stages.department_check!.tasks.length).to.be.greaterThan(0);
    expect(isReturn(stats, 'correction', 'department_check', chain)).to.equal(false);
  });
});
