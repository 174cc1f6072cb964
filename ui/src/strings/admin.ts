// UI strings of one area, Vietnamese first; i18n.ts joins every area into one table (a key must be
// unique across areas — the type check fails on a duplicate).
export const STRINGS_ADMIN = {
  // definition editor and the process diagram (ed_)
  ed_impactByVersion: { vi: 'phiên bản {v}: {n} hồ sơ', en: 'version {v}: {n}' },
  ed_zoomIn: { vi: 'Phóng to sơ đồ', en: 'Zoom in' },
  ed_zoomOut: { vi: 'Thu nhỏ sơ đồ', en: 'Zoom out' },
  ed_zoomReset: { vi: 'Cỡ thật (100%)', en: 'Actual size (100%)' },
  ed_zoomFit: { vi: 'Vừa khung nhìn', en: 'Fit to view' },
  ed_zoomResetShort: { vi: 'Cỡ thật', en: 'Actual size' },
  ed_zoomFitShort: { vi: 'Vừa khung', en: 'Fit' },
  ed_fullscreenShort: { vi: 'Toàn màn hình', en: 'Full screen' },
  ed_fullscreen: { vi: 'Xem sơ đồ toàn màn hình', en: 'Show the diagram full screen' },
  ed_exitFullscreen: { vi: 'Thoát chế độ toàn màn hình', en: 'Exit full screen' },
  ed_diagramTools: { vi: 'Công cụ xem sơ đồ', en: 'Diagram view tools' },
  ed_diagramViewport: {
    vi: 'Sơ đồ quy trình (kéo để di chuyển, phím mũi tên để cuộn, + và − để phóng to, thu nhỏ)',
    en: 'Process diagram (drag to move, arrow keys to scroll, + and − to zoom)',
  },
  ed_diagramHelp: { vi: 'Kéo để di chuyển sơ đồ; giữ Ctrl và cuộn chuột để phóng to, thu nhỏ.', en: 'Drag to move the diagram; hold Ctrl and scroll to zoom.' },
} as const satisfies Record<string, { vi: string; en: string }>;
