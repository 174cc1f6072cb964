// Dates in a file handed over, as Vietnamese offices write them: dd/mm/yyyy (and HH:mm), in
// Vietnam's time whatever the server's zone.
import { localTimeOf } from '../../engine/calendar/time.ts';

export type Lang = 'vi' | 'en';

export function formatDate(instant: number): string {
  const [y, m, d] = localTimeOf(instant).date.split('-');
  return `${d}/${m}/${y}`;
}

export function formatDateTime(instant: number): string {
  const t = localTimeOf(instant);
  return `${formatDate(instant)} ${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`;
}
