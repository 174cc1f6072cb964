// Writes processes/calendars/vn-government/<year>.yaml for years whose holidays are not announced yet,
// by the PROJECTION RULE written at the top of those files (status: projected). Run:
//   node --import tsx scripts/project-calendar.ts 2031 2045          write 2031–2045 (inclusive)
//   node --import tsx scripts/project-calendar.ts --check 2027 2030  compare with the files, write nothing
// Writing never replaces an official year, nor a projected file that differs from what the rule gives
// (it may carry a hand correction) unless --force is given. A unit test (calendar-projection.test.ts)
// checks that the shipped projected files are exactly what this script writes.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

import type { CalendarHoliday, HolidayKind, LocalizedName } from '../engine/calendar/calendar.ts';
import { canChiOfYear, hungKingsDate, solarToLunar, tetDate, tetEveDate } from '../engine/calendar/lunar.ts';
import { addDays, compareDates, weekdayOf } from '../engine/calendar/time.ts';
import type { LocalDate } from '../engine/calendar/time.ts';

export const CALENDAR_ID = 'vn-government';

/** The folder holding the vn-government year files. */
export function projectedCalendarDir(): string {
  return fileURLToPath(new URL(`../processes/calendars/${CALENDAR_ID}`, import.meta.url));
}

const HEADER = `# Vietnamese public holidays and working-day swaps for government offices (cán bộ, công chức, viên chức).
# Applies to cán bộ, công chức, viên chức of offices with Saturday and Sunday off (cơ quan hành chính, sự nghiệp, tổ chức chính trị, chính trị – xã hội).
# holidays: every day OFF that is not a normal weekend day off, plus the named holidays even if they fall on a weekend.
# workingDays: weekend days declared working days (làm bù) in a swap.
# [N] marks facts taken from secondary sources that should be checked against the official notice.
# PROJECTION RULE (status: projected). Computed, not announced; check each year against the notice of the
# Ministry of Home Affairs (Bộ Nội vụ) and update the file (status: official) when it is published.
# - 1/1, 30/4, 1/5, 2/9 and Hùng Kings (10/3 lunar, Hồ Ngọc Đức algorithm, UTC+7) are holidays.
# - Tết: 5 weekdays off = the first five Monday–Friday days counted from Tết eve (last day of the lunar
#   year), i.e. eve + mùng 1–4, with any of those falling on Sat/Sun compensated by the following weekdays.
#   The tet block lists every day from the eve to the fifth weekday, widened to the adjacent weekend when
#   the eve is a Monday or the fifth weekday is a Friday.
# - Quốc khánh: 2/9 plus the adjacent day after it when 2/9 is a Monday, Thursday or Sunday, and the day
#   before it when 2/9 is a Tuesday, Wednesday, Friday or Saturday (this reproduces the official 2021–2026 choices).
# - A holiday on a Saturday or Sunday gives a day off in lieu on the next weekday not already off.
# - No swaps / make-up Saturdays: those are decided case by case each year and cannot be projected.
`;

const SOURCES = [
  'Bộ luật Lao động 2019, Điều 112 (11 ngày nghỉ lễ, Tết) và Điều 111 khoản 3 (nghỉ bù khi ngày lễ trùng ngày nghỉ hằng tuần)',
  'Projected by rule (see the comment above); replace with the government notice for this year when it is published',
];

/** Weekday names as the files write them inside a sentence (0 = Sunday). */
const WEEKDAY_VI = ['Chủ nhật', 'thứ Hai', 'thứ Ba', 'thứ Tư', 'thứ Năm', 'thứ Sáu', 'thứ Bảy'];
const MONTH_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** A named holiday: its name, and how its day off in lieu is named ("Nghỉ bù <vi>", "<en> (day off in lieu of …)"). */
interface NamedHoliday {
  date: LocalDate;
  kind: HolidayKind;
  name: LocalizedName;
  inLieu: LocalizedName;
}

const isWeekend = (date: LocalDate): boolean => weekdayOf(date) === 0 || weekdayOf(date) === 6;

function dmy(date: LocalDate): string {
  return `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
}

function dayMonthEn(date: LocalDate): string {
  return `${Number(date.slice(8, 10))} ${MONTH_EN[Number(date.slice(5, 7)) - 1]!} ${date.slice(0, 4)}`;
}

/** "thứ Bảy 02/02/2030" */
function weekdayAndDate(date: LocalDate): string {
  return `${WEEKDAY_VI[weekdayOf(date)]!} ${dmy(date)}`;
}

/** The named holidays of `year` (not Tết, which is a block of days). */
function namedHolidays(year: number): NamedHoliday[] {
  const d = (md: string): LocalDate => `${year}-${md}`;
  const named = (date: LocalDate, kind: HolidayKind, vi: string, en: string, inLieuVi: string, inLieuEn: string): NamedHoliday => ({
    date,
    kind,
    name: { vi, en },
    inLieu: { vi: inLieuVi, en: inLieuEn },
  });
  const list: NamedHoliday[] = [
    named(d('01-01'), 'holiday', 'Tết Dương lịch', "New Year's Day", 'Tết Dương lịch', "New Year's Day"),
    named(
      hungKingsDate(year),
      'hung-kings',
      'Giỗ Tổ Hùng Vương (10/3 âm lịch)',
      "Hùng Kings' Commemoration Day (10th day of the 3rd lunar month)",
      'Giỗ Tổ Hùng Vương',
      "Hùng Kings' Commemoration Day",
    ),
    named(
      d('04-30'),
      'holiday',
      'Ngày Chiến thắng (Giải phóng miền Nam, thống nhất đất nước)',
      'Reunification Day',
      'Ngày Chiến thắng 30/4',
      'Reunification Day',
    ),
    named(d('05-01'), 'holiday', 'Ngày Quốc tế Lao động', 'International Labour Day', 'Ngày Quốc tế Lao động', 'International Labour Day'),
    named(d('09-02'), 'holiday', 'Quốc khánh', 'National Day', 'Quốc khánh', 'National Day'),
  ];
  // Quốc khánh's adjacent day: after 2/9 on Mon, Thu, Sun; before it on Tue, Wed, Fri, Sat. Always a weekday.
  const nationalDay = d('09-02');
  const after = [1, 4, 0].includes(weekdayOf(nationalDay));
  list.push(
    named(
      addDays(nationalDay, after ? 1 : -1),
      'holiday',
      'Nghỉ lễ Quốc khánh (ngày liền kề)',
      'National Day holiday (adjacent day)',
      'Quốc khánh (ngày liền kề)',
      'National Day holiday (adjacent day)',
    ),
  );
  return list;
}

/** "29 tháng Chạp" / "mùng 1 tháng Giêng", and "29/12" / "1/1", for a day of the Tết block. */
function lunarLabel(date: LocalDate): { vi: string; en: string } {
  const l = solarToLunar(date);
  if (l.leap || (l.month !== 12 && l.month !== 1)) {
    throw new Error(`${date}: lunar ${l.day}/${l.month}${l.leap ? ' (leap)' : ''} is not in tháng Chạp or tháng Giêng; the rule does not cover it`);
  }
  const day = l.day <= 10 ? `mùng ${l.day}` : String(l.day);
  return { vi: `${day} tháng ${l.month === 12 ? 'Chạp' : 'Giêng'}`, en: `${l.day}/${l.month}` };
}

/** The Tết block of `year`: eve to the fifth weekday, widened to the adjacent weekend(s). */
export function tetBlock(year: number): LocalDate[] {
  const eve = tetEveDate(year);
  let last = eve;
  let weekdays = isWeekend(eve) ? 0 : 1;
  while (weekdays < 5) {
    last = addDays(last, 1);
    if (!isWeekend(last)) weekdays++;
  }
  let first = eve;
  if (weekdayOf(eve) === 1) first = addDays(eve, -2);
  if (weekdayOf(last) === 5) last = addDays(last, 2);
  const days: LocalDate[] = [];
  for (let day = first; compareDates(day, last) <= 0; day = addDays(day, 1)) days.push(day);
  return days;
}

/** Every day off of `year` by the projection rule, sorted by date. */
export function projectHolidays(year: number): CalendarHoliday[] {
  if (!Number.isInteger(year) || year < 1900 || year > 2199) throw new RangeError(`not a year the lunar module covers: ${year}`);
  const canChi = canChiOfYear(year);
  const out: CalendarHoliday[] = [];
  const off = new Set<LocalDate>();
  const add = (h: CalendarHoliday): void => {
    if (off.has(h.date)) throw new Error(`${year}: two holidays on ${h.date} (${h.name.en}); the rule does not say what to do`);
    off.add(h.date);
    out.push(h);
  };

  for (const date of tetBlock(year)) {
    const label = lunarLabel(date);
    add({
      date,
      kind: 'tet',
      name: { vi: `Nghỉ Tết Nguyên đán ${canChi} (${label.vi})`, en: `Lunar New Year (Tết) holiday (lunar ${label.en})` },
    });
  }
  const named = namedHolidays(year);
  for (const h of named) add({ date: h.date, kind: h.kind, name: h.name });

  // Days off in lieu, in date order of the holidays, each on the next weekday not already off.
  for (const h of [...named].sort((a, b) => compareDates(a.date, b.date))) {
    if (!isWeekend(h.date)) continue;
    let day = addDays(h.date, 1);
    while (isWeekend(day) || off.has(day)) day = addDays(day, 1);
    if (Number(day.slice(0, 4)) !== year) throw new Error(`${year}: the day off in lieu of ${h.date} falls in the next year`);
    add({
      date: day,
      kind: 'in-lieu',
      name: {
        vi: `Nghỉ bù ${h.inLieu.vi} (${weekdayAndDate(h.date)})`,
        en: `${h.inLieu.en} (day off in lieu of ${dayMonthEn(h.date)})`,
      },
    });
  }
  return out.sort((a, b) => compareDates(a.date, b.date));
}

const quote = (text: string): string => JSON.stringify(text); // a JSON string is a valid YAML double-quoted scalar

/** The year file's text, in the format of the shipped projected files. */
export function projectYearYaml(year: number): string {
  const holidays = projectHolidays(year);
  const canChi = canChiOfYear(year);
  const tet = tetDate(year);
  const hung = hungKingsDate(year);
  const lines = [
    `# Tết ${canChi} falls on ${weekdayAndDate(tet)}; Hùng Kings' day on ${weekdayAndDate(hung)}.`,
    `calendar: ${CALENDAR_ID}`,
    `year: ${year}`,
    'status: projected',
    'sources:',
    ...SOURCES.map((s) => `  - ${quote(s)}`),
    'holidays:',
    ...holidays.map((h) => `  - { date: ${h.date}, kind: ${h.kind}, name: { vi: ${quote(h.name.vi)}, en: ${quote(h.name.en)} } }`),
    'workingDays: []',
  ];
  return HEADER + lines.join('\n') + '\n';
}

export interface YearDifference {
  year: number;
  file: string;
  /** 'missing': no file; 'bytes': same holidays, other text; 'holidays': the days off differ. */
  kind: 'missing' | 'bytes' | 'holidays';
  details: string[];
}

interface ParsedHoliday {
  date: string;
  kind: string;
  vi: string;
  en: string;
}

function holidaysOf(text: string): { status: unknown; workingDays: unknown; holidays: ParsedHoliday[] } {
  const doc = parse(text, { schema: 'core' }) as Record<string, unknown> | null;
  const list = Array.isArray(doc?.holidays) ? (doc.holidays as Record<string, unknown>[]) : [];
  return {
    status: doc?.status,
    workingDays: doc?.workingDays,
    holidays: list.map((h) => {
      const name = (h.name ?? {}) as Record<string, unknown>;
      return { date: String(h.date), kind: String(h.kind), vi: String(name.vi), en: String(name.en) };
    }),
  };
}

/** Compares the file of `year` with what the rule gives; undefined when they are byte-for-byte equal. */
export function compareYear(year: number, dir: string = projectedCalendarDir()): YearDifference | undefined {
  const file = join(dir, `${year}.yaml`);
  if (!existsSync(file)) return { year, file, kind: 'missing', details: [`${file} does not exist`] };
  const actual = readFileSync(file, 'utf8');
  const expected = projectYearYaml(year);
  if (actual === expected) return undefined;

  const a = holidaysOf(actual);
  const e = holidaysOf(expected);
  const details: string[] = [];
  if (a.status !== 'projected') details.push(`status is ${JSON.stringify(a.status)}, the rule gives "projected"`);
  if (!Array.isArray(a.workingDays) || a.workingDays.length > 0) details.push('the file has make-up working days; the rule gives none');
  const show = (h: ParsedHoliday): string => `${h.date} ${h.kind} "${h.vi}" / "${h.en}"`;
  const byDate = (list: ParsedHoliday[]): Map<string, ParsedHoliday> => new Map(list.map((h) => [h.date, h]));
  const aBy = byDate(a.holidays);
  const eBy = byDate(e.holidays);
  for (const date of [...new Set([...aBy.keys(), ...eBy.keys()])].sort()) {
    const x = aBy.get(date);
    const y = eBy.get(date);
    if (!x) details.push(`rule only: ${show(y!)}`);
    else if (!y) details.push(`file only: ${show(x)}`);
    else if (x.kind !== y.kind || x.vi !== y.vi || x.en !== y.en) details.push(`file ${show(x)}\n      rule ${show(y)}`);
  }
  if (details.length > 0) return { year, file, kind: 'holidays', details };
  const al = actual.split('\n');
  const el = expected.split('\n');
  for (let i = 0; i < Math.max(al.length, el.length); i++) {
    if (al[i] !== el[i]) {
      details.push(`line ${i + 1}:\n      file ${JSON.stringify(al[i])}\n      rule ${JSON.stringify(el[i])}`);
      if (details.length >= 5) break;
    }
  }
  return { year, file, kind: 'bytes', details };
}

function yearsOf(args: string[]): number[] {
  const nums = args.map((a) => (/^\d{4}$/.test(a) ? Number(a) : NaN));
  if (nums.length < 1 || nums.length > 2 || nums.some((n) => Number.isNaN(n))) {
    throw new Error('usage: project-calendar.ts [--check] [--force] <fromYear> [toYear]   (years inclusive)');
  }
  const from = nums[0]!;
  const to = nums[1] ?? from;
  if (to < from) throw new Error(`${to} is before ${from}`);
  const years: number[] = [];
  for (let y = from; y <= to; y++) years.push(y);
  return years;
}

function main(argv: string[]): number {
  const check = argv.includes('--check');
  const force = argv.includes('--force');
  const unknown = argv.filter((a) => a.startsWith('--') && a !== '--check' && a !== '--force');
  if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(' ')}`);
  const years = yearsOf(argv.filter((a) => !a.startsWith('--')));
  const dir = projectedCalendarDir();
  let failed = 0;
  for (const year of years) {
    const diff = compareYear(year, dir);
    const file = join(dir, `${year}.yaml`);
    if (check) {
      if (!diff) console.log(`${year}: ok, ${file} is what the rule gives`);
      else {
        failed++;
        console.log(`${year}: ${diff.kind === 'bytes' ? 'same days off, different text' : diff.kind}`);
        for (const d of diff.details) console.log(`    ${d}`);
      }
      continue;
    }
    if (!diff) {
      console.log(`${year}: unchanged ${file}`);
      continue;
    }
    if (diff.kind !== 'missing') {
      const status = holidaysOf(readFileSync(file, 'utf8')).status;
      if (status !== 'projected') {
        failed++;
        console.error(`${year}: not written, ${file} is ${String(status)} (only projected years are generated)`);
        continue;
      }
      if (!force) {
        failed++;
        console.error(`${year}: not written, ${file} differs from the rule (a hand correction?); --force to replace it`);
        for (const d of diff.details) console.error(`    ${d}`);
        continue;
      }
    }
    writeFileSync(file, projectYearYaml(year));
    console.log(`${year}: wrote ${file}`);
  }
  return failed === 0 ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 2;
  }
}
