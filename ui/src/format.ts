// Dates as Vietnamese offices write them (dd/mm/yyyy), always in Asia/Ho_Chi_Minh whatever the
// laptop's own time zone, and the colour a deadline earns.

const TZ = 'Asia/Ho_Chi_Minh';
const dateParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: TZ,
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

function parts(ms: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of dateParts.formatToParts(new Date(ms))) out[p.type] = p.value;
  return out;
}

/** 24/01/2022 */
export function formatDate(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const p = parts(ms);
  return `${p.day}/${p.month}/${p.year}`;
}

/** 24/01/2022 09:30 */
export function formatDateTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const p = parts(ms);
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}

const DAY = 86_400_000;
/** How far off a deadline is, for the row colour. "Soon" is 5 calendar days: the list has no calendar. */
export type Urgency = 'overdue' | 'soon' | 'ok' | 'none';
export function urgency(dueAt: number | null | undefined, now = Date.now()): Urgency {
  if (dueAt === null || dueAt === undefined) return 'none';
  if (dueAt < now) return 'overdue';
  if (dueAt - now <= 5 * DAY) return 'soon';
  return 'ok';
}
