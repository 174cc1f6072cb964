import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { defaultCalendarDir, loadCalendar, loadCalendarYears } from '../../adapters/files/calendars.ts';
import {
  CalendarError,
  addDays,
  addMonths,
  compareDates,
  createCalendar,
  endOfDay,
  formatInstant,
  hungKingsDate,
  instantAt,
  localDateOf,
  localTimeOf,
  parseInstant,
  parseLocalDate,
  tetDate,
  tetEveDate,
  weekdayOf,
} from '../../engine/calendar/index.ts';
import type { CalendarYearData, WorkingCalendar } from '../../engine/calendar/index.ts';

/** Runs `fn`, expects a CalendarError and returns it. */
function calendarErrorOf(fn: () => unknown): CalendarError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(CalendarError);
    return err as CalendarError;
  }
  return expect.fail('expected a CalendarError to be thrown');
}

const isWeekend = (date: string): boolean => weekdayOf(date) === 0 || weekdayOf(date) === 6;

function* daysOf(from: string, to: string): Generator<string> {
  for (let d = from; compareDates(d, to) <= 0; d = addDays(d, 1)) yield d;
}

describe('calendar: Vietnamese civil time (time.ts)', () => {
  it('formats the end of a day as 23:59:59 +07:00 and parses it back', () => {
    const end = endOfDay('2022-01-24');
    expect(formatInstant(end)).to.equal('2022-01-24T23:59:59+07:00');
    expect(end).to.equal(Date.parse('2022-01-24T16:59:59Z'));
    expect(parseInstant('2022-01-24T23:59:59+07:00')).to.equal(end);
    expect(localDateOf(end)).to.equal('2022-01-24');
    expect(localDateOf(end + 1000)).to.equal('2022-01-25');
  });

  it('shows milliseconds only when they are not zero', () => {
    expect(formatInstant(instantAt('2022-01-24', 8, 30, 0, 250))).to.equal('2022-01-24T08:30:00.250+07:00');
    expect(formatInstant(instantAt('2022-01-24', 8, 30))).to.equal('2022-01-24T08:30:00+07:00');
  });

  it('puts instants near midnight UTC on the Vietnamese date', () => {
    const t = Date.parse('2022-01-23T17:30:00Z');
    expect(localDateOf(t)).to.equal('2022-01-24');
    expect(localTimeOf(t)).to.deep.equal({ date: '2022-01-24', hour: 0, minute: 30 });
    expect(localDateOf(Date.parse('2022-01-23T16:59:59Z'))).to.equal('2022-01-23');
    expect(instantAt('2022-01-24', 8, 30)).to.equal(Date.parse('2022-01-24T01:30:00Z'));
    expect(instantAt('2022-01-24')).to.equal(Date.parse('2022-01-23T17:00:00Z'));
  });

  it('parses instants with Z or an offset and rejects the rest with BAD_INSTANT', () => {
    expect(parseInstant('2022-01-24T16:59:59Z')).to.equal(Date.parse('2022-01-24T16:59:59Z'));
    expect(parseInstant('2022-01-24T16:59:59.5Z')).to.equal(Date.parse('2022-01-24T16:59:59.500Z'));
    expect(parseInstant('2022-01-24T10:00:00-05:00')).to.equal(Date.parse('2022-01-24T15:00:00Z'));
    for (const bad of ['2022-01-24T23:59:59', '2022-01-24', 'yesterday', '2022-02-30T00:00:00Z', '2022-01-24T24:00:00Z']) {
      expect(calendarErrorOf(() => parseInstant(bad)).code, bad).to.equal('BAD_INSTANT');
    }
  });

  it('parses ISO and Vietnamese day-first dates', () => {
    expect(parseLocalDate('24/01/2022')).to.equal('2022-01-24');
    expect(parseLocalDate('24/1/2022')).to.equal('2022-01-24');
    expect(parseLocalDate('2022-01-24')).to.equal('2022-01-24');
    expect(parseLocalDate('29/02/2024')).to.equal('2024-02-29');
  });

  it('rejects impossible or malformed dates with BAD_DATE', () => {
    for (const bad of ['30/02/2022', '2022-02-30', '2022-13-01', '29/02/2023', '01/13/2022', 'abc', '', '2022-1-24']) {
      const err = calendarErrorOf(() => parseLocalDate(bad));
      expect(err.code, bad).to.equal('BAD_DATE');
    }
  });

  it('adds months clamping to the end of the month', () => {
    expect(addMonths('2022-01-31', 1)).to.equal('2022-02-28');
    expect(addMonths('2024-01-31', 1)).to.equal('2024-02-29');
    expect(addMonths('2022-03-31', -1)).to.equal('2022-02-28');
    expect(addMonths('2022-05-31', 1)).to.equal('2022-06-30');
    expect(addMonths('2022-12-15', 1)).to.equal('2023-01-15');
    expect(addMonths('2022-01-15', -13)).to.equal('2020-12-15');
    expect(addMonths('2024-02-29', 12)).to.equal('2025-02-28');
  });

  it('adds days across months, years and leap days', () => {
    expect(addDays('2022-01-31', 1)).to.equal('2022-02-01');
    expect(addDays('2024-02-28', 1)).to.equal('2024-02-29');
    expect(addDays('2023-02-28', 1)).to.equal('2023-03-01');
    expect(addDays('2022-01-01', -1)).to.equal('2021-12-31');
    expect(addDays('2022-01-01', 365)).to.equal('2023-01-01');
  });

  it('knows the day of the week (0 = Sunday)', () => {
    expect(weekdayOf('2022-02-01')).to.equal(2); // Tết Nhâm Dần, Tuesday
    expect(weekdayOf('2023-05-06')).to.equal(6);
    expect(weekdayOf('2022-04-10')).to.equal(0);
    expect(compareDates('2022-01-24', '2022-01-25')).to.be.below(0);
    expect(compareDates('2022-02-01', '2022-01-31')).to.be.above(0);
    expect(compareDates('2022-02-01', '2022-02-01')).to.equal(0);
  });
});

describe('calendar: working days on the shipped vn-government data', () => {
  let cal: WorkingCalendar;
  before(() => {
    cal = loadCalendar(defaultCalendarDir(), 'vn-government');
  });

  it('covers 2021–2045', () => {
    expect(cal.id).to.equal('vn-government');
    expect([cal.firstYear, cal.lastYear]).to.deep.equal([2021, 2045]);
    expect(cal.covers('2021-01-01')).to.equal(true);
    expect(cal.covers('2045-12-31')).to.equal(true);
    expect(cal.covers('2020-12-31')).to.equal(false);
    expect(cal.covers('2046-01-01')).to.equal(false);
  });

  describe('Tết Nhâm Dần 2022 (off Sat 29/1 – Sun 6/2)', () => {
    it('5 working days from Thu 27/1 is Thu 10/2 (28/1, 7/2, 8/2, 9/2, 10/2)', () => {
      expect(cal.addWorkingDays('2022-01-27', 5)).to.equal('2022-02-10');
      expect(cal.addWorkingDays('2022-01-27', 1)).to.equal('2022-01-28');
      expect(cal.addWorkingDays('2022-01-27', 2)).to.equal('2022-02-07');
    });

    it('10 working days from Thu 20/1 is also Thu 10/2 (21, 24–28/1, 7–10/2)', () => {
      expect(cal.addWorkingDays('2022-01-20', 10)).to.equal('2022-02-10');
      expect(cal.addWorkingDays('2022-01-20', 12)).to.equal('2022-02-14');
    });

    it('does not count the day of the event, even when it is a holiday (Civil Code Art. 147)', () => {
      expect(cal.addWorkingDays('2022-01-21', 1)).to.equal('2022-01-24');
      expect(cal.addWorkingDays('2022-02-01', 1)).to.equal('2022-02-07');
      expect(cal.addWorkingDays('2022-02-01', 0)).to.equal('2022-02-01');
    });

    it('knows why each day is off', () => {
      expect(cal.isWorkingDay('2022-01-28')).to.equal(true);
      expect(cal.isWorkingDay('2022-02-01')).to.equal(false);
      expect(cal.dayOff('2022-02-01')?.kind).to.equal('tet');
      expect(cal.dayOff('2022-01-29')?.kind).to.equal('tet');
      expect(cal.dayOff('2022-01-22')?.kind).to.equal('weekend');
      expect(cal.dayOff('2022-01-22')?.name.vi).to.equal('Thứ Bảy');
      expect(cal.dayOff('2022-04-10')?.kind).to.equal('hung-kings'); // named even on a Sunday
      expect(cal.dayOff('2022-04-11')?.kind).to.equal('in-lieu');
      expect(cal.dayOff('2022-01-24')).to.equal(undefined);
    });
  });

  describe('roll forward (Civil Code Art. 148)', () => {
    it('moves a Saturday deadline to Monday', () => {
      expect(cal.rollForward('2022-01-22')).to.equal('2022-01-24');
      expect(cal.rollForward('2022-01-23')).to.equal('2022-01-24');
    });

    it('skips a Monday day off in lieu: Sat 9/4/2022 → Tue 12/4 (Mon 11/4 in lieu of Hùng Kings)', () => {
      expect(cal.rollForward('2022-04-09')).to.equal('2022-04-12');
    });

    it('leaves a working day alone and crosses the whole Tết break', () => {
      expect(cal.rollForward('2022-01-24')).to.equal('2022-01-24');
      expect(cal.rollForward('2022-01-29')).to.equal('2022-02-07');
      expect(cal.rollForward('2022-04-30')).to.equal('2022-05-04'); // 30/4 Sat, 1/5 Sun, in lieu 2–3/5
    });
  });

  describe('swaps and make-up Saturdays', () => {
    it('2025: Fri 2/5 off, made up on Sat 26/4', () => {
      expect(cal.isWorkingDay('2025-04-26')).to.equal(true);
      expect(cal.isWorkingDay('2025-05-02')).to.equal(false);
      expect(cal.dayOff('2025-05-02')?.kind).to.equal('swap');
      expect(cal.dayOff('2025-04-26')).to.equal(undefined);
      expect(cal.addWorkingDays('2025-04-25', 1)).to.equal('2025-04-26');
      expect(cal.addWorkingDays('2025-04-28', -1)).to.equal('2025-04-26');
      expect(cal.addWorkingDays('2025-04-29', 1)).to.equal('2025-05-05');
      expect(cal.rollForward('2025-04-26')).to.equal('2025-04-26');
    });

    it('2024: Mon 29/4 off, made up on Sat 4/5', () => {
      expect(cal.isWorkingDay('2024-04-29')).to.equal(false);
      expect(cal.isWorkingDay('2024-05-04')).to.equal(true);
      expect(cal.addWorkingDays('2024-05-03', 1)).to.equal('2024-05-04');
      expect(cal.addWorkingDays('2024-04-26', 1)).to.equal('2024-05-02');
    });

    it('2026: New Year swap (2/1 ↔ Sat 10/1) and National Day swap (31/8 ↔ Sat 22/8)', () => {
      expect(cal.isWorkingDay('2026-01-02')).to.equal(false);
      expect(cal.isWorkingDay('2026-01-10')).to.equal(true);
      expect(cal.isWorkingDay('2026-08-22')).to.equal(true);
      expect(cal.isWorkingDay('2026-08-31')).to.equal(false);
      expect(cal.addWorkingDays('2026-08-28', 1)).to.equal('2026-09-03');
    });

    it('2023: 2/5 and 3/5 are days off in lieu (Hùng Kings Sat 29/4, 30/4 Sun); Sat 6/5 is not a make-up day', () => {
      expect(cal.isWorkingDay('2023-05-03')).to.equal(false);
      expect(cal.dayOff('2023-05-03')?.kind).to.equal('in-lieu');
      expect(cal.isWorkingDay('2023-05-06')).to.equal(false);
      expect(cal.addWorkingDays('2023-04-28', 1)).to.equal('2023-05-04');
      expect(cal.addWorkingDays('2023-05-05', 1)).to.equal('2023-05-08');
    });
  });

  describe('negative counts and workingDaysBetween', () => {
    it('counts backwards', () => {
      expect(cal.addWorkingDays('2022-02-07', -1)).to.equal('2022-01-28');
      expect(cal.addWorkingDays('2022-02-06', -1)).to.equal('2022-01-28');
      expect(cal.addWorkingDays('2022-02-10', -5)).to.equal('2022-01-27');
    });

    it('counts working days in (from, to], negative when to < from', () => {
      expect(cal.workingDaysBetween('2022-01-27', '2022-02-10')).to.equal(5);
      expect(cal.workingDaysBetween('2022-02-10', '2022-01-27')).to.equal(-5);
      expect(cal.workingDaysBetween('2022-01-28', '2022-02-06')).to.equal(0); // the whole Tết break
      expect(cal.workingDaysBetween('2022-01-28', '2022-02-07')).to.equal(1);
      expect(cal.workingDaysBetween('2022-02-01', '2022-02-01')).to.equal(0);
      expect(cal.workingDaysBetween('2025-04-25', '2025-04-28')).to.equal(2); // Sat 26/4 + Mon 28/4
    });

    it('2022 has 260 weekdays and 249 working days', () => {
      expect(cal.workingDaysBetween('2021-12-31', '2022-12-31')).to.equal(249);
    });

    it('addWorkingDays and workingDaysBetween agree everywhere, both ways', () => {
      for (const d of daysOf('2021-01-04', '2045-11-29')) {
        if (!cal.isWorkingDay(d)) continue;
        for (const n of [1, 3, 10]) {
          const later = cal.addWorkingDays(d, n);
          expect(cal.workingDaysBetween(d, later), `${d} + ${n}`).to.equal(n);
          expect(cal.isWorkingDay(later)).to.equal(true);
          expect(cal.addWorkingDays(later, -n), `${later} - ${n}`).to.equal(d);
        }
      }
    });

    it('matches a day-by-day count over a large span', () => {
      const target = cal.addWorkingDays('2021-01-04', 2000);
      let counted = 0;
      for (const d of daysOf('2021-01-05', target)) if (cal.isWorkingDay(d)) counted++;
      expect(counted).to.equal(2000);
      expect(cal.workingDaysBetween('2021-01-04', target)).to.equal(2000);
      expect(cal.addWorkingDays(target, -2000)).to.equal('2021-01-04');
    });
  });

  describe('out of range', () => {
    it('names the date and the covered range', () => {
      const err = calendarErrorOf(() => cal.addWorkingDays('2046-01-03', 1));
      expect(err.code).to.equal('CALENDAR_OUT_OF_RANGE');
      expect(err.message).to.equal('2046-01-03 is outside calendar vn-government (2021–2045)');
      expect(err.details).to.include({ firstYear: 2021, lastYear: 2045 });
      expect(calendarErrorOf(() => cal.isWorkingDay('2020-12-31')).code).to.equal('CALENDAR_OUT_OF_RANGE');
      expect(calendarErrorOf(() => cal.workingDaysBetween('2022-01-01', '2046-01-01')).code).to.equal('CALENDAR_OUT_OF_RANGE');
    });

    it('throws when the count runs past either end', () => {
      const late = calendarErrorOf(() => cal.addWorkingDays('2045-12-20', 20));
      expect(late.code).to.equal('CALENDAR_OUT_OF_RANGE');
      expect(late.message).to.contain('2021–2045');
      expect(calendarErrorOf(() => cal.addWorkingDays('2021-01-08', -10)).code).to.equal('CALENDAR_OUT_OF_RANGE');
      expect(calendarErrorOf(() => cal.rollForward('2046-01-04')).code).to.equal('CALENDAR_OUT_OF_RANGE');
      // A calendar whose last day (Sat 31/12/2022) is off has no working day to roll forward to.
      const short = createCalendar('test', [{ calendar: 'test', year: 2022, status: 'projected', sources: [], holidays: [], workingDays: [] }]);
      expect(calendarErrorOf(() => short.rollForward('2022-12-31')).code).to.equal('CALENDAR_OUT_OF_RANGE');
      expect(short.rollForward('2022-12-30')).to.equal('2022-12-30');
    });

    it('rejects malformed dates with BAD_DATE', () => {
      expect(calendarErrorOf(() => cal.isWorkingDay('2022-02-30')).code).to.equal('BAD_DATE');
      expect(calendarErrorOf(() => cal.addWorkingDays('24/01/2022', 1)).code).to.equal('BAD_DATE');
    });
  });
});

describe('calendar: integrity of every shipped year file', () => {
  const years = loadCalendarYears(defaultCalendarDir(), 'vn-government');

  it('has one file per year 2021–2045, official through 2026 and projected after', () => {
    expect(years.map((y) => y.year)).to.deep.equal(Array.from({ length: 25 }, (_, i) => 2021 + i));
    for (const y of years) {
      expect(y.status, String(y.year)).to.equal(y.year <= 2026 ? 'official' : 'projected');
      expect(
        y.sources.some((s) => s.includes('Bộ luật Lao động 2019')),
        String(y.year),
      ).to.equal(true);
    }
  });

  for (const data of years) {
    describe(String(data.year), () => {
      const year = data.year;
      const byDate = new Map(data.holidays.map((h) => [h.date, h]));

      it('loads on its own', () => {
        expect(() => createCalendar('vn-government', [data])).not.to.throw();
      });

      it('has exactly one contiguous Tết block containing Tết (and its eve) with 5 weekdays off', () => {
        const tet = data.holidays
          .filter((h) => h.kind === 'tet')
          .map((h) => h.date)
          .sort();
        expect(tet.length).to.be.greaterThan(0);
        for (let i = 1; i < tet.length; i++) expect(tet[i], 'contiguous').to.equal(addDays(tet[i - 1]!, 1));
        expect(tet).to.include(tetDate(year));
        expect(tet).to.include(tetEveDate(year));
        expect(tet.filter((d) => !isWeekend(d))).to.have.length(5);
      });

      it('has Hùng Kings on 10/3 lunar and the fixed-date holidays', () => {
        const hung = data.holidays.filter((h) => h.kind === 'hung-kings');
        expect(hung.map((h) => h.date)).to.deep.equal([hungKingsDate(year)]);
        for (const md of ['01-01', '04-30', '05-01', '09-02']) {
          expect(byDate.get(`${year}-${md}`)?.kind, md).to.equal('holiday');
        }
        const adjacent = [`${year}-09-01`, `${year}-09-03`].filter((d) => byDate.get(d)?.kind === 'holiday');
        expect(adjacent, 'one day next to 2/9').to.have.length(1);
      });

      it('compensates every named holiday that falls on a weekend with a day off in lieu', () => {
        const onWeekend = data.holidays.filter((h) => (h.kind === 'holiday' || h.kind === 'hung-kings') && isWeekend(h.date));
        const inLieu = data.holidays.filter((h) => h.kind === 'in-lieu');
        expect(inLieu.length).to.equal(onWeekend.length);
        for (const h of inLieu) {
          expect(isWeekend(h.date), h.date).to.equal(false);
          expect(
            onWeekend.some((w) => compareDates(w.date, h.date) < 0),
            h.date,
          ).to.equal(true);
        }
      });

      it('pairs every swap with a make-up weekend day', () => {
        const swaps = data.holidays.filter((h) => h.kind === 'swap');
        expect(swaps.length).to.equal(data.workingDays.length);
        for (const w of data.workingDays) expect(isWeekend(w.date), w.date).to.equal(true);
      });

      it('gives at least 11 weekdays off, and exactly the 11 paid holiday days net of make-up days', () => {
        const weekdaysOff = data.holidays.filter((h) => !isWeekend(h.date)).length;
        expect(weekdaysOff).to.be.at.least(11);
        // Labour Code 2019 Art. 112: 11 days (1 + 5 Tết + 1 + 1 + 1 + 2). Swaps move days, they do not add any.
        expect(weekdaysOff - data.workingDays.length).to.equal(11);
      });
    });
  }

  it('2026 follows Thông báo 9441/TB-BNV and the New Year swap', () => {
    const cal = createCalendar('vn-government', years);
    for (const d of daysOf('2026-02-14', '2026-02-22')) expect(cal.isWorkingDay(d), d).to.equal(false);
    expect(cal.isWorkingDay('2026-02-13')).to.equal(true);
    expect(cal.isWorkingDay('2026-02-23')).to.equal(true);
    expect(cal.rollForward('2026-04-25')).to.equal('2026-04-28'); // Sun 26/4 Hùng Kings → Mon 27/4 in lieu
  });
});

describe('calendar: createCalendar checks its data', () => {
  const name = { vi: 'Ngày nghỉ', en: 'Day off' };
  function year(y: number, extra: Partial<CalendarYearData> = {}): CalendarYearData {
    return {
      calendar: 'test',
      year: y,
      status: 'official',
      sources: ['test'],
      holidays: [{ date: `${y}-01-01`, kind: 'holiday', name }],
      workingDays: [],
      ...extra,
    };
  }
  const invalid = (fn: () => unknown): CalendarError => {
    const err = calendarErrorOf(fn);
    expect(err.code).to.equal('CALENDAR_DATA_INVALID');
    return err;
  };

  it('accepts good data and applies make-up days', () => {
    const cal = createCalendar('test', [
      year(2023, {
        holidays: [
          { date: '2023-01-01', kind: 'holiday', name },
          { date: '2023-01-02', kind: 'in-lieu', name },
          { date: '2023-01-06', kind: 'swap', name },
        ],
        workingDays: [{ date: '2023-01-07', name }],
      }),
      year(2022),
    ]);
    expect([cal.firstYear, cal.lastYear]).to.deep.equal([2022, 2023]);
    expect(cal.addWorkingDays('2022-12-30', 1)).to.equal('2023-01-03');
    expect(cal.addWorkingDays('2023-01-05', 1)).to.equal('2023-01-07');
  });

  it('rejects a duplicate date, naming the year and the date', () => {
    const err = invalid(() =>
      createCalendar('test', [
        year(2022, {
          holidays: [
            { date: '2022-04-30', kind: 'holiday', name },
            { date: '2022-04-30', kind: 'holiday', name },
          ],
        }),
      ]),
    );
    expect(err.message).to.contain('2022').and.to.contain('2022-04-30');
    invalid(() => createCalendar('test', [year(2022, { workingDays: [{ date: '2022-01-01', name }] })]));
  });

  it('rejects a make-up day on a weekday', () => {
    const err = invalid(() => createCalendar('test', [year(2025, { workingDays: [{ date: '2025-04-25', name }] })]));
    expect(err.message).to.contain('2025-04-25');
  });

  it('rejects a gap or a repeat in the years', () => {
    expect(invalid(() => createCalendar('test', [year(2022), year(2024)])).message).to.contain('2024');
    invalid(() => createCalendar('test', [year(2022), year(2022)]));
    invalid(() => createCalendar('test', []));
  });

  it('rejects a date outside its year, a bad date, a wrong calendar id and in-lieu days on weekends', () => {
    expect(invalid(() => createCalendar('test', [year(2022, { holidays: [{ date: '2023-01-02', kind: 'holiday', name }] })])).message).to.contain('2023-01-02');
    invalid(() => createCalendar('test', [year(2022, { holidays: [{ date: '2022-02-30', kind: 'holiday', name }] })]));
    invalid(() => createCalendar('other', [year(2022)]));
    invalid(() => createCalendar('test', [year(2022, { holidays: [{ date: '2022-01-08', kind: 'in-lieu', name }] })]));
  });
});

describe('calendar: loading year files (adapters/files/calendars.ts)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tiendo-cal-'));
    mkdirSync(join(dir, 'test'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const file = (y: number, holidays: string, extra = '') =>
    `calendar: test\nyear: ${y}\nstatus: projected\nsources: ["x"]\nholidays:\n${holidays}\nworkingDays: []\n${extra}`;

  it('reads unquoted dates as strings and builds the calendar', () => {
    writeFileSync(join(dir, 'test', '2022.yaml'), file(2022, '  - { date: 2022-01-03, kind: in-lieu, name: { vi: a, en: b } }'));
    writeFileSync(join(dir, 'test', '2023.yaml'), file(2023, "  - { date: '2023-01-02', kind: in-lieu, name: { vi: a, en: b } }"));
    const cal = loadCalendar(dir, 'test');
    expect([cal.firstYear, cal.lastYear]).to.deep.equal([2022, 2023]);
    expect(cal.isWorkingDay('2022-01-03')).to.equal(false);
    expect(cal.isWorkingDay('2023-01-02')).to.equal(false);
  });

  it('names the file in shape errors', () => {
    const path = join(dir, 'test', '2022.yaml');
    writeFileSync(path, file(2022, '  - { date: 2022-01-03, kind: vacation, name: { vi: a, en: b } }'));
    const err = calendarErrorOf(() => loadCalendar(dir, 'test'));
    expect(err.code).to.equal('CALENDAR_DATA_INVALID');
    expect(err.message).to.contain(path).and.to.contain('kind');
  });

  it('rejects a file whose name and year disagree, and a missing calendar', () => {
    writeFileSync(join(dir, 'test', '2022.yaml'), file(2023, '  []'.replace('  ', '')));
    expect(calendarErrorOf(() => loadCalendar(dir, 'test')).message).to.contain('2022.yaml');
    expect(calendarErrorOf(() => loadCalendar(dir, 'nope')).code).to.equal('CALENDAR_DATA_INVALID');
  });
});
