import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { defaultCalendarDir, loadCalendar, loadCalendarYears } from '../../adapters/files/calendars.ts';
import {
  addDays,
  addMonths,
  canChiOfYear,
  compareDates,
  createCalendar,
  hungKingsDate,
  solarToLunar,
  tetDate,
  tetEveDate,
  weekdayOf,
} from '../../engine/calendar/index.ts';
import type { WorkingCalendar } from '../../engine/calendar/index.ts';
import { compareYear, projectHolidays, projectYearYaml, projectedCalendarDir, tetBlock } from '../../scripts/project-calendar.ts';

const dir = projectedCalendarDir();
const fileOf = (year: number): string => join(dir, `${year}.yaml`);
const isWeekend = (date: string): boolean => weekdayOf(date) === 0 || weekdayOf(date) === 6;
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
let shipped: WorkingCalendar | undefined;
/** The shipped vn-government calendar, through the real loader (loaded once). */
const shippedCalendar = (): WorkingCalendar => (shipped ??= loadCalendar());

describe('calendar projection (scripts/project-calendar.ts)', () => {
  describe('reproduces the projected files written by hand before the script existed', () => {
    for (const year of range(2027, 2030)) {
      it(`${year}.yaml byte for byte`, () => {
        expect(projectYearYaml(year)).to.equal(readFileSync(fileOf(year), 'utf8'));
        expect(compareYear(year, dir)).to.equal(undefined);
      });
    }
  });

  describe('the generated years 2031–2045', () => {
    for (const year of range(2031, 2045)) {
      it(`${year}.yaml is what the rule gives`, () => {
        expect(readFileSync(fileOf(year), 'utf8')).to.equal(projectYearYaml(year));
      });
    }

    it('load through the real loader, contiguous with the official years', () => {
      const years = loadCalendarYears(defaultCalendarDir(), 'vn-government');
      expect(years.map((y) => y.year)).to.deep.equal(range(2021, 2045));
      for (const y of years) expect(y.status, String(y.year)).to.equal(y.year <= 2026 ? 'official' : 'projected');
      for (const y of years.filter((d) => d.year >= 2031)) {
        expect(() => createCalendar('vn-government', [y]), String(y.year)).not.to.throw();
        expect(y.holidays, String(y.year)).to.deep.equal(projectHolidays(y.year));
        expect(y.workingDays, String(y.year)).to.deep.equal([]);
      }
      const cal = loadCalendar();
      expect([cal.firstYear, cal.lastYear]).to.deep.equal([2021, 2045]);
    });

    it('follow the lunar module: Tết, its eve, Hùng Kings and the lunar day in every Tết label', () => {
      for (const year of range(2027, 2045)) {
        const holidays = projectHolidays(year);
        const tet = holidays.filter((h) => h.kind === 'tet');
        const dates = tet.map((h) => h.date);
        expect(dates, String(year)).to.include(tetDate(year)).and.to.include(tetEveDate(year));
        expect(dates[0], `${year} starts on the eve or the weekend before a Monday eve`).to.equal(
          weekdayOf(tetEveDate(year)) === 1 ? addDays(tetEveDate(year), -2) : tetEveDate(year),
        );
        expect(
          dates.filter((d) => !isWeekend(d)),
          String(year),
        ).to.have.length(5);
        for (const h of tet) {
          const l = solarToLunar(h.date);
          expect(h.name.en, h.date).to.equal(`Lunar New Year (Tết) holiday (lunar ${l.day}/${l.month})`);
          expect(h.name.vi, h.date).to.contain(`Nghỉ Tết Nguyên đán ${canChiOfYear(year)} (`);
        }
        const hung = holidays.filter((h) => h.kind === 'hung-kings').map((h) => h.date);
        expect(hung, String(year)).to.deep.equal([hungKingsDate(year)]);
        expect(solarToLunar(hungKingsDate(year)), String(year)).to.deep.include({ day: 10, month: 3, leap: false });
        // 11 paid days (Labour Code Art. 112): every weekend holiday is made good by a weekday in lieu.
        expect(
          holidays.filter((h) => !isWeekend(h.date)),
          String(year),
        ).to.have.length(11);
        for (const h of holidays.filter((x) => x.kind === 'in-lieu')) expect(isWeekend(h.date), h.date).to.equal(false);
        expect([...holidays].sort((a, b) => compareDates(a.date, b.date))).to.deep.equal(holidays);
      }
    });
  });

  describe('hand-checked against almanac facts', () => {
    it('Tết Tân Hợi is Thursday 23/01/2031: off Wed 22/1 (eve, 29 tháng Chạp) – Tue 28/1', () => {
      expect(canChiOfYear(2031)).to.equal('Tân Hợi');
      expect(tetDate(2031)).to.equal('2031-01-23');
      expect(new Date(Date.UTC(2031, 0, 23)).getUTCDay()).to.equal(4);
      expect(tetBlock(2031)).to.deep.equal(['2031-01-22', '2031-01-23', '2031-01-24', '2031-01-25', '2031-01-26', '2031-01-27', '2031-01-28']);
      const cal = shippedCalendar();
      expect(cal.isWorkingDay('2031-01-21')).to.equal(true);
      expect(cal.rollForward('2031-01-22')).to.equal('2031-01-29');
      expect(cal.dayOff('2031-01-22')?.name.vi).to.equal('Nghỉ Tết Nguyên đán Tân Hợi (29 tháng Chạp)');
    });

    it('Tết Giáp Dần is Sunday 19/02/2034, late after the leap 11th month of Quý Sửu 2033: off Sat 18/2 – Sun 26/2', () => {
      expect(canChiOfYear(2034)).to.equal('Giáp Dần');
      expect(tetDate(2034)).to.equal('2034-02-19');
      expect(solarToLunar('2033-12-22')).to.deep.include({ month: 11, year: 2033, leap: true });
      expect(new Date(Date.UTC(2034, 1, 19)).getUTCDay()).to.equal(0);
      const cal = shippedCalendar();
      expect(cal.dayOff('2034-02-18')?.name.vi).to.equal('Nghỉ Tết Nguyên đán Giáp Dần (30 tháng Chạp)');
      expect(cal.isWorkingDay('2034-02-17')).to.equal(true);
      expect(cal.rollForward('2034-02-18')).to.equal('2034-02-27');
      // Hùng Kings Fri 28/4, 30/4 Sun, 1/5 Mon: the day in lieu of 30/4 is Tue 2/5.
      expect(cal.dayOff('2034-05-02')?.kind).to.equal('in-lieu');
      expect(cal.rollForward('2034-04-28')).to.equal('2034-05-03');
    });

    it('Tết Ất Sửu is Friday 17/02/2045 (60 years after Ất Sửu 1985); Quốc khánh 2045 is a Saturday', () => {
      expect(canChiOfYear(2045)).to.equal(canChiOfYear(1985)).and.to.equal('Ất Sửu');
      expect(tetDate(2045)).to.equal('2045-02-17');
      const cal = shippedCalendar();
      expect(cal.dayOff('2045-09-01')?.kind).to.equal('holiday');
      expect(cal.dayOff('2045-09-04')?.kind).to.equal('in-lieu');
      expect(cal.rollForward('2045-09-01')).to.equal('2045-09-05');
    });
  });

  it('a 55-month accreditation deadline entered in December 2026 can be counted (it ran past 2030 before)', () => {
    const cal = shippedCalendar();
    const due = addMonths('2026-12-15', 55);
    expect(due).to.equal('2031-07-15');
    expect(cal.rollForward(due)).to.equal('2031-07-15');
    expect(cal.covers(addMonths('2040-12-31', 60))).to.equal(true);
  });
});
