// What "New process" opens with: the smallest definition that passes, to be edited from there.
export const NEW_DEFINITION = `# yaml-language-server: $schema=../engine/definition/schema.json
id: new-process
version: 1
title: { vi: Quy trình mới, en: New process }
legalBasis: [Thông tư 19/2020/TT-BGDĐT]
appliesTo: [primary, lower-secondary]
calendar: vn-government
events:
  SUBMIT: { title: { vi: Gửi báo cáo, en: Submit the report } }
  ACCEPT: { title: { vi: Tiếp nhận báo cáo, en: Accept the report } }
  RETURN: { title: { vi: Trả lại để hoàn thiện, en: Return for completion } }
initial: draft
stages:
  draft:
    title: { vi: Soạn thảo, en: Draft }
    owner: school
    due: { workingDays: 10 }
    tasks:
      - { id: write, title: { vi: Soạn báo cáo, en: Write the report } }
    escalate:
      - { at: { workingDays: -2 }, kind: reminder, notify: owner }
      - { at: { workingDays: 0 }, kind: overdue, notify: [owner, district] }
    on:
      SUBMIT: { target: review, when: { tasksDone: all } }
  review:
    title: { vi: Xem xét, en: Review }
    owner: district
    due: { workingDays: 5 }
    on:
      ACCEPT: done
      RETURN: draft
  done: { title: { vi: Hoàn thành, en: Done }, type: final }
`;
