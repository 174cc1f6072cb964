// Every UI string in both languages, Vietnamese first. The chosen language is kept in localStorage;
// texts that come from the API are `{ vi, en }` and go through `tx()`.
import type { MaybeText } from './types.ts';

export type Lang = 'vi' | 'en';

const STRINGS = {
  appName: { vi: 'Tiến độ', en: 'Tiến độ' },
  appTagline: { vi: 'Quản lý tiến độ công việc kiểm định, báo cáo và thi cử', en: 'Deadlines for accreditation, reporting and exams' },
  // session
  login: { vi: 'Tên đăng nhập', en: 'Login' },
  password: { vi: 'Mật khẩu', en: 'Password' },
  signIn: { vi: 'Đăng nhập', en: 'Sign in' },
  signingIn: { vi: 'Đang đăng nhập…', en: 'Signing in…' },
  logout: { vi: 'Đăng xuất', en: 'Sign out' },
  sessionExpired: { vi: 'Phiên làm việc đã hết, vui lòng đăng nhập lại.', en: 'Your session has ended; please sign in again.' },
  // roles and nav
  role_admin: { vi: 'Quản trị', en: 'Administrator' },
  role_supervisor: { vi: 'Giám sát', en: 'Supervisor' },
  role_staff: { vi: 'Cán bộ', en: 'Staff' },
  navTasks: { vi: 'Việc của tôi', en: 'My tasks' },
  navBoard: { vi: 'Bảng quá hạn', en: 'Overdue board' },
  navDefinitions: { vi: 'Quy trình', en: 'Processes' },
  navCampaigns: { vi: 'Chiến dịch', en: 'Campaigns' },
  navInbox: { vi: 'Hộp thư', en: 'Inbox' },
  unreadCount: { vi: 'thông báo chưa đọc', en: 'unread notices' },
  // common
  loading: { vi: 'Đang tải…', en: 'Loading…' },
  saving: { vi: 'Đang lưu…', en: 'Saving…' },
  none: { vi: 'Không có', en: 'None' },
  back: { vi: 'Quay lại', en: 'Back' },
  forbidden: { vi: 'Tài khoản của bạn không có quyền mở trang này.', en: 'Your account may not open this page.' },
  notFound: { vi: 'Không tìm thấy trang này.', en: 'This page does not exist.' },
  errorPrefix: { vi: 'Lỗi', en: 'Error' },
  unit: { vi: 'Đơn vị', en: 'Unit' },
  process: { vi: 'Quy trình', en: 'Process' },
  stage: { vi: 'Giai đoạn', en: 'Stage' },
  task: { vi: 'Công việc', en: 'Task' },
  dueDate: { vi: 'Hạn chót', en: 'Due' },
  status: { vi: 'Trạng thái', en: 'Status' },
  time: { vi: 'Thời gian', en: 'Time' },
  actor: { vi: 'Người thực hiện', en: 'By' },
  event: { vi: 'Sự kiện', en: 'Event' },
  change: { vi: 'Chuyển giai đoạn', en: 'Stages' },
  version: { vi: 'Phiên bản', en: 'Version' },
  versions: { vi: 'Các phiên bản', en: 'Versions' },
  open: { vi: 'Mở', en: 'Open' },
  legalBasis: { vi: 'Căn cứ pháp lý', en: 'Legal basis' },
  overdueBy: { vi: 'Quá hạn {n} ngày làm việc', en: 'Overdue by {n} working days' },
  daysLeft: { vi: 'Còn {n} ngày làm việc', en: '{n} working days left' },
  dueToday: { vi: 'Hết hạn hôm nay', en: 'Due today' },
  // tasks
  myTasksTitle: { vi: 'Việc của tôi', en: 'My tasks' },
  noTasks: { vi: 'Không có việc nào đang mở.', en: 'No open tasks.' },
  legendOverdue: { vi: 'Quá hạn', en: 'Overdue' },
  legendSoon: { vi: 'Đến hạn trong 5 ngày', en: 'Due within 5 days' },
  legendOk: { vi: 'Còn thời gian', en: 'On track' },
  taskForm: { vi: 'Nội dung báo cáo', en: 'Form' },
  noForm: { vi: 'Việc này không cần nhập thông tin; bấm “Hoàn thành” khi đã làm xong.', en: 'This task has no form; press “Complete” once it is done.' },
  required: { vi: 'bắt buộc', en: 'required' },
  choose: { vi: '— Chọn —', en: '— Choose —' },
  onePerLine: { vi: 'Mỗi dòng một mục', en: 'One item per line' },
  yes: { vi: 'Có', en: 'Yes' },
  complete: { vi: 'Hoàn thành', en: 'Complete' },
  completed: { vi: 'Đã hoàn thành việc “{t}”.', en: 'Task “{t}” completed.' },
  viewOnly: { vi: 'Chỉ xem: việc này do đơn vị khác thực hiện.', en: 'View only: another unit does this task.' },
  send: { vi: 'Gửi', en: 'Send' },
  taskClosed: { vi: 'Việc này đã đóng ({s}).', en: 'This task is closed ({s}).' },
  formInvalid: { vi: 'Vui lòng sửa các ô được đánh dấu.', en: 'Please correct the marked fields.' },
  evidence: { vi: 'Minh chứng', en: 'Evidence' },
  noEvidence: { vi: 'Giai đoạn này không yêu cầu minh chứng.', en: 'This stage needs no evidence.' },
  optional: { vi: 'không bắt buộc', en: 'optional' },
  deadline: { vi: 'Thời hạn', en: 'Deadline' },
  viewTimeline: { vi: 'Xem tiến trình hồ sơ', en: 'View the timeline' },
  // instance
  timeline: { vi: 'Tiến trình', en: 'Timeline' },
  activeStages: { vi: 'Giai đoạn hiện tại', en: 'Current stages' },
  startedAt: { vi: 'Bắt đầu', en: 'Started' },
  enteredAt: { vi: 'Bắt đầu', en: 'Entered' },
  actions: { vi: 'Thao tác', en: 'Actions' },
  sendEvent: { vi: 'Gửi', en: 'Send' },
  eventSent: { vi: 'Đã gửi “{e}”.', en: '“{e}” sent.' },
  history: { vi: 'Lịch sử', en: 'History' },
  tasks: { vi: 'Công việc', en: 'Tasks' },
  escalations: { vi: 'Nhắc nhở và đôn đốc', en: 'Reminders and escalations' },
  noEscalations: { vi: 'Chưa có nhắc nhở nào.', en: 'No reminders yet.' },
  completedAt: { vi: 'Hoàn thành lúc', en: 'Completed' },
  kind_reminder: { vi: 'Nhắc nhở', en: 'Reminder' },
  kind_overdue: { vi: 'Quá hạn', en: 'Overdue' },
  kind_escalation: { vi: 'Đôn đốc', en: 'Escalation' },
  status_running: { vi: 'Đang thực hiện', en: 'Running' },
  status_done: { vi: 'Hoàn tất', en: 'Done' },
  status_cancelled: { vi: 'Đã huỷ', en: 'Cancelled' },
  status_open: { vi: 'Đang mở', en: 'Open' },
  status_completed: { vi: 'Đã hoàn thành', en: 'Completed' },
  taskStatus_open: { vi: 'Đang mở', en: 'Open' },
  taskStatus_done: { vi: 'Đã hoàn thành', en: 'Done' },
  taskStatus_skipped: { vi: 'Bỏ qua', en: 'Skipped' },
  taskStatus_closed: { vi: 'Đã đóng', en: 'Closed' },
  status_closed: { vi: 'Đã đóng', en: 'Closed' },
  status_active: { vi: 'Đang thực hiện', en: 'Active' },
  status_needs_migration: { vi: 'Cần chuyển phiên bản', en: 'Needs migration' },
  'ev_instance.start': { vi: 'Bắt đầu', en: 'Started' },
  'ev_instance.cancel': { vi: 'Huỷ', en: 'Cancelled' },
  'ev_instance.needs_migration': { vi: 'Cần chuyển phiên bản', en: 'Needs migration' },
  'ev_task.complete': { vi: 'Hoàn thành việc', en: 'Task completed' },
  'ev_task.reopen': { vi: 'Mở lại việc', en: 'Task reopened' },
  'ev_evidence.check': { vi: 'Cập nhật minh chứng', en: 'Evidence updated' },
  'ev_anchor.set': { vi: 'Đặt mốc thời gian', en: 'Anchor date set' },
  ev_DUE: { vi: 'Hết hạn', en: 'Deadline passed' },
  'ev_escalation.reminder': { vi: 'Nhắc nhở', en: 'Reminder' },
  'ev_escalation.overdue': { vi: 'Báo quá hạn', en: 'Overdue notice' },
  'ev_escalation.escalation': { vi: 'Đôn đốc', en: 'Escalation' },
  'ev_cohort.extend': { vi: 'Gia hạn', en: 'Deadline extended' },
  'ev_cohort.reassign': { vi: 'Chuyển đơn vị thực hiện', en: 'Reassigned' },
  'ev_cohort.migrate': { vi: 'Chuyển phiên bản', en: 'Migrated' },
  detail: { vi: 'Chi tiết', en: 'Detail' },
  stageAdvanced: { vi: 'Hồ sơ đã chuyển sang: {s}', en: 'The instance moved to: {s}' },
  // board
  boardTitle: { vi: 'Bảng theo dõi quá hạn', en: 'Overdue board' },
  chooseUnit: { vi: 'Đơn vị', en: 'Unit' },
  asOf: { vi: 'Số liệu lúc', en: 'As of' },
  overdue: { vi: 'Quá hạn', en: 'Overdue' },
  dueSoon: { vi: 'Sắp đến hạn', en: 'Due soon' },
  agesCaption: { vi: 'Số ngày làm việc quá hạn', en: 'Working days overdue' },
  ageBucket: { vi: 'Quá hạn {a} ngày làm việc', en: '{a} working days overdue' },
  ageHeader: { vi: '{a} ngày', en: '{a} days' },
  zoomDiagram: { vi: 'Bấm để phóng to / thu nhỏ', en: 'Click to zoom in / out' },
  total: { vi: 'Tổng', en: 'Total' },
  byUnit: { vi: 'Theo đơn vị', en: 'By unit' },
  byStage: { vi: 'Theo giai đoạn', en: 'By stage' },
  byUnitHint: { vi: 'Bấm vào một đơn vị để xem các hồ sơ quá hạn.', en: 'Click a unit to see its overdue instances.' },
  escalationsRaised: { vi: 'Cảnh báo chưa xem', en: 'Unacknowledged escalations' },
  acknowledge: { vi: 'Đã xem', en: 'Acknowledge' },
  acknowledgedBy: { vi: 'Đã xem: {who}, {at}', en: 'Acknowledged by {who}, {at}' },
  overdueInstances: { vi: 'Hồ sơ quá hạn của {u}', en: 'Overdue instances of {u}' },
  openBoardOf: { vi: 'Xem bảng của {u}', en: 'Open the board of {u}' },
  noOverdue: { vi: 'Không có hồ sơ quá hạn.', en: 'No overdue instances.' },
  exportCsv: { vi: 'Xuất CSV', en: 'Export CSV' },
  exportXlsx: { vi: 'Xuất Excel', en: 'Export Excel' },
  firedAt: { vi: 'Lúc', en: 'Raised' },
  kind: { vi: 'Loại', en: 'Kind' },
  notSupervisor: { vi: 'Bạn không có quyền giám sát đơn vị nào.', en: 'You supervise no unit.' },
  // definitions
  definitionsTitle: { vi: 'Quy trình', en: 'Processes' },
  newDefinition: { vi: 'Quy trình mới', en: 'New process' },
  edit: { vi: 'Sửa', en: 'Edit' },
  publishedAt: { vi: 'Xuất bản', en: 'Published' },
  editorTitle: { vi: 'Soạn quy trình', en: 'Edit process' },
  diagnostics: { vi: 'Kiểm tra', en: 'Checks' },
  noDiagnostics: { vi: 'Không có lỗi.', en: 'No problems.' },
  checking: { vi: 'Đang kiểm tra…', en: 'Checking…' },
  lineCol: { vi: 'dòng {l}, cột {c}', en: 'line {l}, column {c}' },
  diagram: { vi: 'Sơ đồ', en: 'Diagram' },
  diagramPending: { vi: 'Sơ đồ hiện khi quy trình hợp lệ.', en: 'The diagram shows once the process is valid.' },
  diagramFailed: { vi: 'Không vẽ được sơ đồ', en: 'Could not draw the diagram' },
  impact: { vi: 'Ảnh hưởng', en: 'Impact' },
  impactTitle: { vi: 'Hồ sơ đang chạy theo giai đoạn', en: 'Running instances by stage' },
  impactRunning: { vi: '{n} hồ sơ đang chạy', en: '{n} running instances' },
  impactRemoved: { vi: 'Bị xoá trong bản nháp — cần ánh xạ khi chuyển phiên bản', en: 'Removed in the draft — needs a state map to migrate' },
  count: { vi: 'Số hồ sơ', en: 'Instances' },
  publish: { vi: 'Xuất bản phiên bản mới', en: 'Publish as new version' },
  published: { vi: 'Đã xuất bản “{id}” phiên bản {v}.', en: 'Published “{id}” version {v}.' },
  unchanged: { vi: 'Nội dung trùng với phiên bản đã xuất bản; không có gì thay đổi.', en: 'Same text as a published version; nothing changed.' },
  publishInvalid: { vi: 'Chưa xuất bản được: quy trình còn lỗi.', en: 'Not published: the process has errors.' },
  versionHint: {
    vi: 'Phiên bản {v} đã có; đổi “version:” thành {n} để xuất bản bản mới.',
    en: 'Version {v} exists; set “version:” to {n} to publish a new one.',
  },
  unpublishedDraft: { vi: 'Bản nháp chưa xuất bản', en: 'Unpublished draft' },
  setVersion: { vi: 'Đổi thành {n}', en: 'Set it to {n}' },
  errorsCount: { vi: '{e} lỗi, {w} cảnh báo', en: '{e} errors, {w} warnings' },
  // campaigns
  campaignsTitle: { vi: 'Chiến dịch', en: 'Campaigns' },
  noCampaigns: { vi: 'Chưa có chiến dịch nào.', en: 'No campaigns yet.' },
  progress: { vi: 'Tiến độ', en: 'Progress' },
  startedOf: { vi: '{s}/{t} đơn vị', en: '{s}/{t} units' },
  launch: { vi: 'Phát động chiến dịch', en: 'Launch a campaign' },
  launchButton: { vi: 'Phát động', en: 'Launch' },
  rootUnit: { vi: 'Đơn vị gốc', en: 'Root unit' },
  kinds: { vi: 'Loại trường (để trống: theo quy trình)', en: 'School kinds (none: as the process says)' },
  reason: { vi: 'Lý do', en: 'Reason' },
  createdAt: { vi: 'Tạo lúc', en: 'Created' },
  exportLink: { vi: 'Tải CSV', en: 'Download CSV' },
  launched: { vi: 'Đã phát động chiến dịch.', en: 'Campaign launched.' },
  unitKind_preschool: { vi: 'Mầm non', en: 'Preschool' },
  unitKind_primary: { vi: 'Tiểu học', en: 'Primary' },
  'unitKind_lower-secondary': { vi: 'THCS', en: 'Lower secondary' },
  'unitKind_upper-secondary': { vi: 'THPT', en: 'Upper secondary' },
  'unitKind_multi-level': { vi: 'Nhiều cấp học', en: 'Multi-level' },
  'unitKind_continuing-education': { vi: 'GDNN-GDTX', en: 'Continuing education' },
  unitKind_department: { vi: 'Sở GDĐT', en: 'Provincial department' },
  'unitKind_district-office': { vi: 'Phòng GDĐT', en: 'District office' },
  unitKind_commune: { vi: 'UBND cấp xã', en: 'Commune' },
  // inbox
  inboxTitle: { vi: 'Hộp thư thông báo', en: 'Inbox' },
  inboxEmpty: { vi: 'Không có thông báo.', en: 'No notices.' },
  markRead: { vi: 'Đánh dấu đã đọc', en: 'Mark read' },
  markAllRead: { vi: 'Đánh dấu tất cả đã đọc', en: 'Mark all read' },
  unread: { vi: 'Chưa đọc', en: 'Unread' },
} as const satisfies Record<string, { vi: string; en: string }>;

export type Key = keyof typeof STRINGS;

const STORAGE_KEY = 'tiendo.lang';
let lang: Lang = readLang();

function readLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'vi';
  } catch {
    return 'vi';
  }
}

export function getLang(): Lang {
  return lang;
}

export function setLang(next: Lang): void {
  lang = next;
  document.documentElement.lang = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    /* private mode: the choice lasts this page only */
  }
}

/** A UI string, with `{name}` placeholders filled in. */
export function t(key: Key, vars?: Record<string, string | number>): string {
  let s: string = STRINGS[key][lang];
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  return s;
}

/** A string for a key built at run time (a status, a kind) — the raw value when the table lacks it. */
export function tKey(prefix: string, value: string): string {
  const key = `${prefix}_${value}`;
  return key in STRINGS ? t(key as Key) : value;
}

/** A bilingual text from the API in the chosen language (Vietnamese when English is missing). */
export function tx(text: MaybeText | null | undefined): string {
  if (text === null || text === undefined) return '';
  if (typeof text === 'string') return text;
  return (lang === 'en' ? text.en : text.vi) || text.vi || text.en || '';
}
