// UI strings of one area, Vietnamese first; i18n.ts joins every area into one table (a key must be
// unique across areas — the type check fails on a duplicate).
export const STRINGS_MESSAGES = {
  errorCode: { vi: 'Mã lỗi', en: 'Error code' },
  ed_yamlSource: { vi: 'Nội dung quy trình (YAML)', en: 'Process source (YAML)' },
  errUnexpected: { vi: 'Trang gặp lỗi ngoài dự kiến; hãy tải lại trang.', en: 'Something unexpected went wrong on the page; reload it.' },
  lib_evidenceChecked: { vi: 'đã có', en: 'provided' },
  lib_evidenceUnchecked: { vi: 'bỏ đánh dấu', en: 'unticked' },
  lib_anchorCleared: { vi: 'đã xoá ngày', en: 'date cleared' },
  lib_no: { vi: 'Không', en: 'No' },
  wlk_language: { vi: 'Ngôn ngữ', en: 'Language' },
  wlk_mainNav: { vi: 'Điều hướng chính', en: 'Main navigation' },
  wlk_pwWrongCurrent: { vi: 'Mật khẩu hiện tại không đúng.', en: 'The current password is wrong.' },
  wlk_pwSameAsInitial: {
    vi: 'Mật khẩu mới phải khác mật khẩu ban đầu được cấp.',
    en: 'The new password must differ from the initial password you were given.',
  },
} as const satisfies Record<string, { vi: string; en: string }>;
