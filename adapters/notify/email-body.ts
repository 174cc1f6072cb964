// What an escalation e-mail says: subject, plain text and minimal HTML, Vietnamese first and then
// English. Pure, so the wording can be read and tested without an SMTP server. Messages carry unit
// names and stage titles that administrators type, so every value is escaped in the HTML part.
import { localTimeOf } from '../../engine/calendar/time.ts';
import type { Text } from '../../engine/definition/types.generated.ts';
import type { Escalation, Notice } from '../../engine/domain.ts';

export interface EmailBody {
  subject: string;
  text: string;
  html: string;
}

const KIND: Record<Escalation['kind'], Text> = {
  reminder: { vi: 'Nhắc hạn', en: 'Reminder' },
  overdue: { vi: 'Quá hạn', en: 'Overdue' },
  escalation: { vi: 'Báo cáo cấp trên', en: 'Escalated' },
};

const LABELS = {
  vi: { stage: 'Giai đoạn', kind: 'Loại', unit: 'Đơn vị', at: 'Thời điểm', open: 'Mở hồ sơ' },
  en: { stage: 'Stage', kind: 'Kind', unit: 'Unit', at: 'At', open: 'Open the file' },
} as const;

/** `baseUrl`: the app's public address; when given, the mail links to `<baseUrl>/#/instances/<id>`. */
export function emailBody({ escalation, message, stageTitle, unitName }: Notice, baseUrl?: string): EmailBody {
  const link = baseUrl ? `${baseUrl.replace(/\/+$/, '')}/#/instances/${encodeURIComponent(escalation.instanceId)}` : undefined;
  const sections = (['vi', 'en'] as const).map((lang) => {
    const l = LABELS[lang];
    return {
      lang,
      title: message[lang],
      rows: [
        [l.stage, stageTitle?.[lang] || stageTitle?.vi || escalation.stage],
        [l.kind, KIND[escalation.kind][lang]],
        [l.unit, unitName ?? escalation.unitPath],
        [l.at, when(escalation.firedAt, lang)],
      ] as const,
      open: l.open,
    };
  });
  const text = sections
    .map((s) => [s.title, '', ...s.rows.map(([k, v]) => `${k}: ${v}`), ...(link ? ['', `${s.open}: ${link}`] : [])].join('\n'))
    .join('\n\n—\n\n');
  const html = [
    '<!doctype html><html><body>',
    ...sections.map(
      (s, i) =>
        `${i ? '<hr>' : ''}<div lang="${s.lang}"><p><strong>${esc(s.title)}</strong></p><ul>` +
        s.rows.map(([k, v]) => `<li>${esc(k)}: ${esc(v)}</li>`).join('') +
        `</ul>${link ? `<p><a href="${esc(link)}">${esc(s.open)}</a></p>` : ''}</div>`,
    ),
    '</body></html>',
  ].join('\n');
  return { subject: oneLine(`[Tiến độ] ${message.vi} / ${message.en}`), text, html };
}

/** Escapes text for HTML content and double- or single-quoted attributes. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITY[c]!);
}

const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Vietnamese time (UTC+07:00), as each language writes it. */
function when(instant: number, lang: 'vi' | 'en'): string {
  const { date, hour, minute } = localTimeOf(instant);
  const hm = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
  const [y, m, d] = date.split('-');
  return lang === 'vi' ? `${hm} ngày ${d}/${m}/${y}` : `${date} ${hm} (UTC+07:00)`;
}
