// UI strings of one area, Vietnamese first; i18n.ts joins every area into one table (a key must be
// unique across areas — the type check fails on a duplicate).
export const STRINGS_ADMIN = {
  // definition editor and the process diagram (ed_)
  ed_impactByVersion: { vi: 'phiên bản {v}: {n} hồ sơ', en: 'version {v}: {n}' },
} as const satisfies Record<string, { vi: string; en: string }>;
