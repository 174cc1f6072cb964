// The scanner the walk relies on: what it calls raw, and what it lets through (and why).
import { expect } from 'chai';
import { rawFindings } from './visible-text.ts';

const scan = (text: string) => rawFindings([{ where: 'p', text }]).map((f) => `${f.kind}:${f.match}`);

describe('visible text scanner', () => {
  it('finds upper-case event names, snake_case ids and the engine English', () => {
    expect(scan('Đã gửi "SUBMIT".')).to.deep.equal(['event:SUBMIT']);
    expect(scan('Nút VISIT_DONE')).to.deep.equal(['event:VISIT_DONE']);
    expect(scan('signed_report · ✓')).to.deep.equal(['snake:signed_report']);
    expect(scan('Lỗi: SUBMIT is not possible yet at "improvement_plan"')).to.have.members([
      'event:SUBMIT',
      'snake:improvement_plan',
      'english:is not possible yet',
    ]);
    expect(scan('must be one of: true')).to.deep.equal(['english:must be one of']);
    expect(scan('Trạng thái: running')).to.deep.equal(['english:running']);
    expect(scan('Language')).to.deep.equal(['english:Language']);
  });

  it('lets Vietnamese, e-mail addresses, legal document numbers and a support code through', () => {
    expect(scan('Trường THCS Nguyễn Du — Đăng ký đánh giá ngoài, hạn 15/01/2026')).to.deep.equal([]);
    expect(scan('Liên hệ: nguyen_van_a@truong.edu.vn')).to.deep.equal([]);
    expect(scan('Theo Thông tư 17/2018/TT-BGDĐT')).to.deep.equal([]);
    expect(scan('Mã lỗi: CONDITION_NOT_MET')).to.deep.equal([]);
    // only the whole tooltip is a support code: the same code inside a sentence is raw
    expect(scan('Không được: CONDITION_NOT_MET')).to.deep.equal(['event:CONDITION_NOT_MET']);
  });
});
